"""DRF's JSON parser with the limits of the portal: bounded nesting, text that every database and page takes.

Python's ``json`` recurses once per level of nesting: a body nested 100,000 deep would end in ``RecursionError``.
The depth is therefore measured on the raw text first, without recursion, and only a body within the limit is
parsed. NaN and Infinity, which no database's JSON takes, and strings with a lone surrogate or a control character
are refused with 400 and nothing is stored.
"""

import json
import re
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from portal.text import MAX_JSON_DEPTH, bad_strings

# A JSON string (its escapes included), and what is left of the text once strings are taken out: the brackets.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deep objects and arrays nest in the JSON ``text`` (an approximation for text that is not JSON)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(1 if c in "[{" else -1 for c in brackets))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads(text: str, *, check_text: bool = True) -> Any:
    """Parse ``text`` as the API's JSON; ``ParseError`` (400) for anything the portal does not take."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise ParseError(
            _("JSON may be nested at most %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH},
            code="too_deep",
        )
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ParseError(_("The body is not valid JSON."), code="parse_error") from exc
    for path in bad_strings(data) if check_text else ():
        raise ParseError(
            _("%(field)s: control characters and invalid Unicode are not allowed.") % {"field": path},
            code="invalid_text",
        )
    return data


class JSONParser(parsers.JSONParser):
    """The portal's default parser of JSON bodies (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

    check_text = True

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The body is not valid UTF-8."), code="parse_error") from exc
        return loads(text, check_text=self.check_text)


class NoticeJSONParser(JSONParser):
    """For a payment provider's notice: bounded like any JSON, but its text is recorded and answered in the
    provider's own format whatever it holds (``payments.services`` makes it storable)."""

    check_text = False
