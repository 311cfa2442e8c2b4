"""Verification that cannot be abused, and private files that leak nothing.

- An upload that is not a result of the portal is answered from its SHA-256 alone, never parsed.
- The QR code's address shows a result's record only with the result's own key; a code alone shows nothing.
- A component's template cannot be pointed at another stored file; results are stored under random names.
- Private files are downloaded as attachments named by their real type, with nosniff and no-store; personal
  pages are not stored, public catalogue pages stay cacheable.
"""

import hashlib
import re
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from dossiers import results
from dossiers.models import Dossier, Result
from portal import bounded
from procedures import services as catalogue
from procedures.content import version_content
from procedures.models import Component
from tests.english import in_english
from tests.factories import DossierFactory, ProcedureVersionFactory
from tests.signing.conftest import BASE_URL, approve, flip_a_signed_byte, result_pdf

pytestmark = pytest.mark.django_db

NOT_OURS = "This file is not a result of this portal."


def crafted_pdf(objects: int) -> bytes:
    """A well-formed PDF whose AcroForm lists ``objects`` tiny fields (the attack used 300,000 of them)."""
    parts = [b"%PDF-1.7\n"]
    offsets: list[int] = []

    def add(body: bytes) -> None:
        offsets.append(sum(map(len, parts)))
        parts.append(b"%d 0 obj%sendobj\n" % (len(offsets), body))

    add(b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>")
    add(b"<< /Type /Pages /Kids [] /Count 0 >>")
    add(b"<< /Fields [" + b" ".join(b"%d 0 R" % (4 + i) for i in range(objects)) + b"] >>")
    for i in range(objects):
        add(b"<</T(%d)>>" % i)
    xref_at = sum(map(len, parts))
    parts.append(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    parts += [b"%010d 00000 n \n" % offset for offset in offsets]
    parts.append(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref_at)
    )
    return b"".join(parts)


@pytest.fixture
def genuine(
    assessed: Dossier, approver: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> tuple[Dossier, bytes]:
    dossier = approve(assessed, approver, django_capture_on_commit_callbacks)
    return dossier, result_pdf(dossier)


@pytest.fixture
def parser_spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, mock.Mock]:
    """Counts every call of the PDF reader and of the bounded child that validates, letting them run."""
    reader = mock.Mock(wraps=results.PdfFileReader)
    child = mock.Mock(wraps=bounded.call)
    monkeypatch.setattr(results, "PdfFileReader", reader)
    monkeypatch.setattr(bounded, "call", child)
    return {"reader": reader, "child": child}


def check(data: bytes, name: str = "ket-qua.pdf") -> dict[str, Any]:
    response = APIClient().post(
        "/api/v1/verify/", {"file": SimpleUploadedFile(name, data, "application/pdf")}, format="multipart"
    )
    assert response.status_code == 200, response.content
    return response.json()


# Verification by upload


@pytest.mark.parametrize(
    "data",
    [crafted_pdf(20_000), b"GIF89a not a pdf", b"%PDF-1.7\n%%EOF garbage"],
    ids=["20000-objects", "image", "broken-pdf"],
)
def test_an_unknown_file_is_not_a_result_of_this_portal_and_is_never_parsed(
    db: Any, parser_spy: dict[str, mock.Mock], data: bytes
) -> None:
    body = check(data)

    assert body == {
        "valid": False,
        "code": None,
        "signed_at": None,
        "signer": None,
        "reason": NOT_OURS,
        "level": None,
        "timestamp": None,
    }
    assert parser_spy["reader"].call_count == 0
    assert parser_spy["child"].call_count == 0


def test_a_file_on_record_that_declares_too_many_objects_is_not_parsed(
    genuine: tuple[Dossier, bytes], parser_spy: dict[str, mock.Mock]
) -> None:
    dossier, _ = genuine
    crafted = crafted_pdf(20_000)
    Result.objects.filter(dossier=dossier).update(sha256=hashlib.sha256(crafted).hexdigest())

    body = check(crafted)

    assert body["valid"] is False
    assert parser_spy["reader"].call_count == 0
    assert parser_spy["child"].call_count == 0


def test_a_real_result_is_valid_checked_in_the_bounded_child_and_a_changed_byte_is_not(
    genuine: tuple[Dossier, bytes], parser_spy: dict[str, mock.Mock]
) -> None:
    dossier, data = genuine

    body = check(data)

    assert (body["valid"], body["code"], body["signer"]) == (True, dossier.code, "Sở Tư pháp")
    assert parser_spy["child"].call_count == 1
    changed = check(flip_a_signed_byte(data))
    assert (changed["valid"], changed["code"], changed["signed_at"], changed["signer"]) == (
        False,
        None,
        None,
        None,
    )
    assert changed["reason"] == NOT_OURS


def test_work_that_overruns_its_budget_is_stopped() -> None:
    import threading

    with pytest.raises(bounded.OverBudget):
        bounded.call(threading.Event().wait, timeout=0.05)


# The QR code's address


def test_the_qr_of_a_signed_result_holds_an_absolute_address_with_the_results_key(
    assessed: Dossier, approver: Any, eager: None, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    drawn: list[str] = []
    original = results.result_document

    def spy(dossier: Dossier, **kwargs: Any) -> Any:
        document = original(dossier, **kwargs)
        drawn.append(document.qr_url)
        return document

    monkeypatch.setattr(results, "result_document", spy)

    dossier = approve(assessed, approver, django_capture_on_commit_callbacks)

    result = Result.objects.get(dossier=dossier)
    assert len(result.verification_token) >= 22
    assert drawn == [f"{BASE_URL}/verify/?code={dossier.code}&key={result.verification_token}"]


def record_section(page: str) -> str:
    """What the page says about the code it was opened with, the code itself blanked."""
    match = re.search(r'<section class="card" aria-live="polite">(.*?)</section>', page, re.S)
    assert match, "the page answers about the code"
    return match.group(1)


def test_a_code_alone_or_with_a_wrong_key_reveals_nothing_and_the_right_key_shows_the_record(
    genuine: tuple[Dossier, bytes],
) -> None:
    dossier, _ = genuine
    result = Result.objects.get(dossier=dossier)
    browser = in_english(Client())
    unknown_code = "H12.01-261123-9999"
    unknown = record_section(browser.get("/verify/", {"code": unknown_code}).content.decode())

    for query in (
        {"code": dossier.code},
        {"code": dossier.code, "key": "wrong-" + result.verification_token},
    ):
        page = browser.get("/verify/", query).content.decode()
        assert result.signer not in page
        assert result.get_outcome_display() not in page
        assert result.sha256 not in page
        assert f"{result.signed_at:%Y}" not in record_section(page)
        assert record_section(page).replace(dossier.code, unknown_code) == unknown

    page = browser.get("/verify/", {"code": dossier.code, "key": result.verification_token}).content.decode()
    assert "This result was issued by the portal" in page
    assert result.signer in page and result.sha256 in page


# Stored names


def test_a_results_stored_name_is_random_not_derived_from_the_dossier_code(
    genuine: tuple[Dossier, bytes],
) -> None:
    dossier, _ = genuine
    result = Result.objects.get(dossier=dossier)

    assert dossier.code not in result.file.name
    assert re.fullmatch(r"results/[0-9a-f]{32}\.pdf", result.file.name), result.file.name


# Templates


@pytest.fixture
def draft(version_a: Any, province_admin: Any) -> Any:
    return catalogue.version_create_draft(procedure=version_a.procedure, actor=province_admin)


def test_a_province_admin_cannot_point_a_template_at_another_stored_file_through_the_service(
    genuine: tuple[Dossier, bytes], draft: Any, province_admin: Any
) -> None:
    dossier, _ = genuine
    stolen = Result.objects.get(dossier=dossier).file.name
    content = version_content(draft)
    content["sector"], content["agency"] = draft.sector, draft.agency
    content["components"][0]["template"] = stolen

    with pytest.raises(catalogue.InvalidTemplate):
        catalogue.version_update(version=draft, content=content, actor=province_admin)
    with pytest.raises(catalogue.InvalidTemplate):
        catalogue.procedure_create(code="9.999999", content=content, actor=province_admin)
    assert not Component.objects.filter(template=stolen).exists()


def test_a_province_admin_cannot_point_a_template_at_another_stored_file_through_the_page(
    genuine: tuple[Dossier, bytes], draft: Any, province_admin: Any, client: Client
) -> None:
    from tests.procedures.test_publishing_pages import form_data

    dossier, _ = genuine
    stolen = Result.objects.get(dossier=dossier).file.name
    client.force_login(province_admin)
    data = form_data(sector=draft.sector, agency=draft.agency)
    data["components-0-existing_template"] = stolen

    response = client.post(f"/manage/versions/{draft.pk}/edit/", data)

    assert response.status_code == 200  # the form again, with the error
    assert "A template file must be uploaded" in response.content.decode()
    assert not Component.objects.filter(template=stolen).exists()


def test_an_uploaded_template_is_kept_under_the_templates_prefix_with_a_random_name(
    draft: Any, province_admin: Any
) -> None:
    content = version_content(draft)
    content["sector"], content["agency"] = draft.sector, draft.agency
    content["components"][0]["template"] = SimpleUploadedFile("../../results/x.pdf", b"%PDF-1.4 mau")

    catalogue.version_update(version=draft, content=content, actor=province_admin)

    name = draft.components.get(position=0).template.name
    assert re.fullmatch(r"templates/\d{4}/[0-9a-f]{16}-x\.pdf", name), name
    admin = Client()
    admin.force_login(province_admin)
    response = admin.get(f"/components/{draft.components.get(position=0).pk}/template/")
    assert response["Content-Disposition"] == 'attachment; filename="x.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


# Downloads and caching


def downloaded(response: Any) -> bytes:
    try:
        return b"".join(response.streaming_content) if response.streaming else response.content
    finally:
        response.close()


def assert_private_attachment(response: Any, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"


def test_an_uploaded_pdf_named_like_a_web_page_is_downloaded_as_a_pdf_attachment(
    version_a: Any, citizen: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen)
    component = version_a.components.first()
    client = APIClient()
    client.force_authenticate(citizen)
    pdf_bytes = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    uploaded = client.post(
        f"/api/v1/dossiers/{dossier.pk}/documents/",
        {"component": component.pk, "file": SimpleUploadedFile("poly.html", pdf_bytes, "text/html")},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content

    response = client.get(f"/api/v1/dossiers/{dossier.pk}/documents/{uploaded.json()['id']}/")

    assert_private_attachment(response, "poly.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert downloaded(response) == pdf_bytes


def test_the_result_and_its_receipt_slip_are_private_attachments(
    genuine: tuple[Dossier, bytes], citizen: Any
) -> None:
    dossier, data = genuine
    client = APIClient()
    client.force_authenticate(citizen)

    result = client.get(f"/api/v1/dossiers/{dossier.pk}/result/")
    slip = client.get(f"/api/v1/dossiers/{dossier.pk}/slips/receipt/", HTTP_ACCEPT="application/pdf")

    assert_private_attachment(result, f"{dossier.code}.pdf")
    assert downloaded(result) == data
    assert_private_attachment(slip, f"{dossier.code}-receipt.pdf")


def test_a_personal_page_is_not_stored_and_the_public_catalogue_page_is(citizen: Any) -> None:
    ProcedureVersionFactory(published=True)
    personal = Client()
    personal.force_login(citizen)

    mine = personal.get("/dossiers/")
    catalogue_page = Client().get("/procedures/")

    assert mine.status_code == 200
    assert "no-store" in mine["Cache-Control"] and "private" in mine["Cache-Control"]
    assert catalogue_page.status_code == 200
    assert "no-store" not in catalogue_page.get("Cache-Control", "")
