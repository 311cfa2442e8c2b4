# ruff: noqa: F811 - the publishing pages' fixtures, imported by name, are parameters here
"""The result's content per procedure, from the province admin's pages: edit, preview with sample data, bad
templates refused with a clear form error, a new version inheriting it, and the template's sandbox."""

import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from procedures import result_template
from procedures.constants import VersionState
from procedures.models import ProcedureVersion
from tests.procedures.test_publishing_pages import (  # noqa: F401 - fixtures
    _fast_password_hashing,
    admin_client,
    form_data,
    published,
    sector,
)

pytestmark = pytest.mark.django_db


def field_errors(response: Any, name: str) -> list[str]:
    """The errors the edit page shows beside the result's field ``name``."""
    field = next(f for f in response.context["result_fields"] if f.name == name)
    return list(field.errors)


TEMPLATE = (
    "Cấp cho hộ kinh doanh: <b>{{ form.business_name|upper }}</b>\n"
    "Người đại diện: {{ applicant.full_name }}\n\n"
    "Số phòng: {{ form.rooms }}. {{ decision.text }}"
)


@pytest.fixture
def draft(published: ProcedureVersion, admin_client: Any) -> ProcedureVersion:
    admin_client.post(f"/manage/procedures/{published.procedure.code}/draft/")
    return published.procedure.versions.get(state=VersionState.DRAFT)


def result_data(sector: Any, agency: Any, **result: str) -> dict[str, Any]:
    return form_data(
        sector=sector,
        agency=agency,
        result_title=result.pop("result_title", "Giấy phép kinh doanh karaoke"),
        result_symbol=result.pop("result_symbol", "GPKD"),
        result_template=result.pop("result_template", TEMPLATE),
        result_recipients=result.pop("result_recipients", "- {{ applicant.full_name }};\n- Lưu: VT."),
    )


def test_the_admin_writes_the_result_template_of_a_draft_and_a_new_version_inherits_it(
    draft: ProcedureVersion, admin_client: Any, sector: Any, agency_a: Any
) -> None:
    page = admin_client.get(f"/manage/versions/{draft.pk}/edit/").content.decode()
    assert 'name="result_template"' in page and "{{ applicant.full_name }}" in page  # the placeholders listed

    response = admin_client.post(f"/manage/versions/{draft.pk}/edit/", result_data(sector, agency_a))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.result_title, draft.result_symbol, draft.result_template) == (
        "Giấy phép kinh doanh karaoke",
        "GPKD",
        TEMPLATE,
    )
    admin_client.post(f"/manage/versions/{draft.pk}/publish/")
    admin_client.post(f"/manage/procedures/{draft.procedure.code}/draft/")
    newer = draft.procedure.versions.get(state=VersionState.DRAFT)
    assert newer.number == draft.number + 1
    assert (newer.result_template, newer.result_recipients) == (
        draft.result_template,
        draft.result_recipients,
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        # The message names the placeholder, the tag or the markup it refuses (in the reader's language).
        ("{{ form.no_such_field }}", "{{ form.no_such_field }}"),
        ("{{ secret_key }}", "{{ secret_key }}"),
        ("{% if form.rooms %}no end", "if"),
        ("{% load static %}", "load"),
        ("{% include 'base.html' %}", "include"),
        ("{% debug %}", "debug"),
        ("{{ applicant.__class__ }}", "underscore"),
        ("<b>not closed", "<b>"),
        ("<img src='/etc/passwd'/>", "<img"),
        ("<font name='Helvetica'>x</font>", "<font"),
    ],
    ids=[
        "unknown-field",
        "unknown-name",
        "syntax",
        "load",
        "include",
        "debug",
        "underscore",
        "markup",
        "image",
        "font",
    ],
)
def test_a_bad_template_is_a_form_error_beside_the_field_and_nothing_is_saved(
    draft: ProcedureVersion, admin_client: Any, sector: Any, agency_a: Any, template: str, message: str
) -> None:
    response = admin_client.post(
        f"/manage/versions/{draft.pk}/edit/", result_data(sector, agency_a, result_template=template)
    )

    assert response.status_code == 200
    errors = field_errors(response, "result_template")
    assert any(message.lower() in error.lower() for error in errors), errors
    draft.refresh_from_db()
    assert draft.result_template == ""


def test_a_bad_placeholder_in_the_recipients_is_refused_too(
    draft: ProcedureVersion, admin_client: Any, sector: Any, agency_a: Any
) -> None:
    response = admin_client.post(
        f"/manage/versions/{draft.pk}/edit/",
        result_data(sector, agency_a, result_recipients="- {{ nobody }}"),
    )

    assert response.status_code == 200
    assert field_errors(response, "result_recipients")


def test_the_preview_draws_the_unsaved_template_over_sample_data_of_the_forms_fields(
    draft: ProcedureVersion, admin_client: Any, sector: Any, agency_a: Any, tmp_path: Path
) -> None:
    response = admin_client.post(
        f"/manage/versions/{draft.pk}/result-preview/", result_data(sector, agency_a)
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "preview.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - poppler on a file the test wrote
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "GIẤY PHÉP KINH DOANH KARAOKE" in text
    assert "[TÊN HỘ KINH DOANH]" in text  # a text field's sample is its label
    assert "Số phòng: 1-5." in text  # a choice field's sample is its first choice
    assert "Số: 12/GPKD-" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    draft.refresh_from_db()
    assert draft.result_template == ""  # a preview saves nothing


def test_a_preview_of_a_bad_template_is_the_edit_page_with_the_error(
    draft: ProcedureVersion, admin_client: Any, sector: Any, agency_a: Any
) -> None:
    response = admin_client.post(
        f"/manage/versions/{draft.pk}/result-preview/",
        result_data(sector, agency_a, result_template="{{ form.nope }}"),
    )

    assert response.status_code == 400
    assert field_errors(response, "result_template")


def test_only_the_province_admin_previews(draft: ProcedureVersion, client: Any, approver: Any) -> None:
    client.force_login(approver)
    assert client.post(f"/manage/versions/{draft.pk}/result-preview/", {}).status_code == 403


# The sandbox itself


def test_a_placeholder_value_is_text_never_markup() -> None:
    fields = [SimpleNamespace(name="x", label="X", type="text", choices=[])]
    context = result_template.sample_context(fields)
    context["form"]["x"] = "<img src='/etc/passwd'/> & <b>"

    text = result_template.render("Giá trị: {{ form.x }}", context, strict=True)

    assert "<img" not in text and "&lt;img" in text


def test_a_template_that_multiplies_its_output_is_stopped() -> None:
    fields = [SimpleNamespace(name="x", label="X" * 50, type="text", choices=[])]
    nested = "{% for a in form.x %}" * 4 + "xxxxxxxxxx" + "{% endfor %}" * 4

    with pytest.raises(result_template.TemplateError):
        result_template.validate(nested, fields)
    with pytest.raises(result_template.TemplateError, match=str(result_template.MAX_LOOPS)):
        result_template.validate("{% for a in form.x %}{% endfor %}" * 6, fields)
