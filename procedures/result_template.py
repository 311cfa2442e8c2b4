"""A procedure's result template: the body of the granted result, written by the province admin.

It is a Django template run by an engine of its own that can reach nothing but the context it is given: no
loaders (no ``include`` or ``extends``), no ``load``, no ``debug``, no ``url`` or ``csrf_token``; the context holds
only strings and dictionaries of strings, and Django never lets a template reach a name that starts with an
underscore. Placeholders are the dossier's fields and the decision (``PLACEHOLDERS``).

The rendered text is the document's body: paragraphs are separated by a blank line, a single line break stays a
line break, and ``<b>``, ``<i>`` and ``<u>`` may mark words (ReportLab's paragraph markup; every value put in by
a placeholder is escaped). ``validate`` is what the admin's form runs: bad syntax, an unknown placeholder or bad
markup is a message naming it, never an error at signing time.
"""

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.utils.translation import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from portal.hooks import Hook
from procedures.constants import FieldType

MAX_LENGTH = 20_000  # characters of template: a permit with its conditions is a few thousand
MAX_OUTPUT = 100_000  # characters of rendered text; a loop that multiplies its output is stopped here

# The tags a result may use: conditions, loops, and text helpers; nothing that reaches outside the context.
SAFE_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)
register = Library()
for _name in SAFE_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
register.filters.update(defaultfilters.register.filters)
# pprint writes any object's repr: of no use in a paper, so not offered.
register.filters.pop("pprint", None)

_INVALID = "\x00%s\x00"
_UNKNOWN = re.compile("\x00([^\x00]*)\x00")


class _SandboxEngine(Engine):
    # Django's own builtins (every default tag, loader tags included) would be added to ours.
    default_builtins: list[str] = []  # noqa: RUF012 - overrides the class attribute Engine reads


def _engine(string_if_invalid: str) -> Engine:
    return _SandboxEngine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        builtins=[__name__],
        autoescape=True,
        string_if_invalid=string_if_invalid,
    )


_STRICT = _engine(_INVALID)
_RENDER = _engine("")

# The context's names and, for each, what it holds: shown to the admin beside the template.
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "applicant": {
        "full_name": "Họ và tên người nộp",
        "id_number": "Số định danh cá nhân",
        "date_of_birth": "Ngày sinh",
        "address": "Địa chỉ",
        "phone": "Số điện thoại",
        "email": "Thư điện tử",
        "organisation": "Tên tổ chức",
        "tax_code": "Mã số thuế",
    },
    "dossier": {"code": "Mã hồ sơ", "received_on": "Ngày tiếp nhận", "decided_on": "Ngày quyết định"},
    "procedure": {"code": "Mã thủ tục", "name": "Tên thủ tục", "result": "Kết quả"},
    "agency": {"name": "Cơ quan ban hành", "code": "Mã cơ quan"},
    "document": {"number": "Số, ký hiệu", "date": "Ngày ban hành", "place": "Địa danh"},
    "decision": {"text": "Nội dung quyết định (ý kiến phê duyệt)"},
    "signer": {"name": "Người ký", "position": "Chức vụ người ký"},
}

_SAMPLES = {
    FieldType.DATE: "01/06/2025",
    FieldType.NUMBER: "120",
    FieldType.CHECKBOX: "Có",
    FieldType.EMAIL: "nguyenvana@example.vn",
    FieldType.PHONE: "0912345678",
}


def sample_context(fields: Iterable[Any]) -> dict[str, Any]:
    """A context with a sample value for every placeholder: the preview's, and the one ``validate`` runs.

    ``fields`` are the version's form fields (``name``, ``label``, ``type``, ``choices``)."""
    form = {}
    for field in fields:
        if field.type == FieldType.SELECT and field.choices:
            form[field.name] = str(field.choices[0])
        else:
            form[field.name] = _SAMPLES.get(field.type, f"[{field.label}]")
    return {
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "id_number": "001203004567",
            "date_of_birth": "15/03/1990",
            "address": "Số 12, đường Trần Hưng Đạo, phường Hòa Bình",
            "phone": "0912345678",
            "email": "nguyenvanan@example.vn",
            "organisation": "",
            "tax_code": "",
        },
        "dossier": {"code": "H12.30-250601-0001", "received_on": "01/06/2025", "decided_on": "05/06/2025"},
        "procedure": {"code": "1.000000", "name": "[Tên thủ tục]", "result": "[Kết quả]"},
        "agency": {"name": "[Cơ quan ban hành]", "code": "H12"},
        "document": {"number": "12/QĐ-UBND", "date": "ngày 05 tháng 6 năm 2025", "place": "Hòa Bình Xanh"},
        "decision": {"text": "Đồng ý cấp theo đề nghị."},
        "signer": {"name": "Hoàng Văn Hải", "position": "Chủ tịch"},
        "form": form,
    }


class TemplateError(ValueError):
    """The template cannot be used; the message says why, for the admin."""


MARKUP_TAGS = frozenset({"b", "i", "u", "br", "strong", "em", "sup", "sub"})
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)([^>]*)>")
_LOOP = re.compile(r"{%-?\s*for\b")
MAX_LOOPS = 5  # loops multiply: five are plenty for a list of conditions and bound the work


def _markup_error(detail: str) -> TemplateError:
    return TemplateError(
        _("The text's markup is not valid (only <b>, <i>, <u> and <br/> may mark words): %(error)s")
        % {"error": detail[:200]}
    )


def _check_markup(text: str) -> None:
    # Values put in by placeholders are escaped: every tag here is the template's own. ReportLab's other tags
    # (<font>, <img>, <a>) would name fonts that are not embedded, read files or link out; none is allowed.
    for match in _TAG.finditer(text):
        closing, name, rest = match.groups()
        if name.lower() not in MARKUP_TAGS or rest.strip() not in ("", "/"):
            raise _markup_error(match.group(0))
    style = ParagraphStyle("check")
    for paragraph in paragraphs(text):
        try:
            Paragraph(paragraph, style)
        except ValueError as exc:
            lines = [line for line in str(exc).splitlines() if line.strip()]
            raise _markup_error(lines[-1] if lines else "") from None


def render(source: str, context: dict[str, Any], *, strict: bool = False) -> str:
    """The template's text over ``context``; ``strict`` raises ``TemplateError`` on anything wrong in it."""
    if len(source) > MAX_LENGTH:
        raise TemplateError(_("A result template may be at most %(n)s characters.") % {"n": MAX_LENGTH})
    if len(_LOOP.findall(source)) > MAX_LOOPS:
        raise TemplateError(_("A result template may hold at most %(n)s loops.") % {"n": MAX_LOOPS})
    try:
        template = (_STRICT if strict else _RENDER).from_string(source)
        bound = Context(context, autoescape=True)
        # Template.render less its _render step, which Django's test runner instruments to record every page's
        # context: a result's text is not a page, and its "form" would shadow the admin page's form there.
        with bound.render_context.push_state(template), bound.bind_template(template):
            text = template.nodelist.render(bound)
    except TemplateSyntaxError as exc:
        raise TemplateError(_("The template's syntax is wrong: %(error)s") % {"error": exc}) from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        # A filter given what it cannot take (|date on a word): Django lets these through at render time.
        raise TemplateError(_("The template cannot be rendered: %(error)s") % {"error": exc}) from None
    if len(text) > MAX_OUTPUT:
        raise TemplateError(_("The rendered result is too long (over %(n)s characters).") % {"n": MAX_OUTPUT})
    if strict:
        unknown = sorted(set(_UNKNOWN.findall(text)))
        if unknown:
            raise TemplateError(
                _("Unknown placeholder: %(names)s.")
                % {"names": ", ".join("{{ " + u + " }}" for u in unknown)}
            )
        _check_markup(text)
    return text


def validate(source: str, fields: Iterable[Any]) -> None:
    """Raise ``TemplateError`` if ``source`` has bad syntax, an unknown placeholder or bad markup."""
    render(source, sample_context(fields), strict=True)


def paragraphs(text: str) -> list[str]:
    """The rendered text's paragraphs, each in ReportLab's markup: blank lines part them, a line break stays."""
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").strip())
    return [
        _BR.sub("<br/>", "<br/>".join(line.strip() for line in block.split("\n")))
        for block in blocks
        if block.strip()
    ]


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)  # linebreaksbr writes HTML's <br>; ReportLab wants <br/>


# The result drawn from a version's content with sample data; dossiers, which lays results out, registers it.
PREVIEW: Hook[Callable[..., bytes]] = Hook("the result's preview with sample data")


def preview(*, content: dict[str, Any], procedure_code: str) -> bytes:
    """The PDF of the result ``content`` (a validated ``VersionContent``) would give, with sample data."""
    for draw in PREVIEW:
        return draw(content=content, procedure_code=procedure_code)
    raise LookupError("No result layout is registered.")
