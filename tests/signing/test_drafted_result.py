"""The drafted result: the assessor attaches the agency's own PDF, the approval signs it with the portal's
verification page, and the citizen's result is that document, verifiable like any other."""

import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter, copy_into_new_writer
from reportlab.pdfgen import canvas

from accounts.constants import Role
from dossiers import results
from dossiers.models import DossierEvent, DraftedResult, Result
from tests.factories import DossierFactory, UserFactory
from tests.signing.conftest import approve, attach_required_papers, result_pdf

pytestmark = pytest.mark.django_db


def drafted_pdf(text: str = "QUYẾT ĐỊNH CỦA SỞ TƯ PHÁP VỀ VIỆC CẤP GIẤY PHÉP", pages: int = 1) -> bytes:
    out = BytesIO()
    page = canvas.Canvas(out)
    for n in range(pages):
        page.setFont("DejaVu", 14)
        page.drawString(72, 760, f"{text} - trang {n + 1}")
        page.showPage()
    page.save()
    return out.getvalue()


def with_javascript(data: bytes, *, on_page: bool = False) -> bytes:
    """``data`` with a JavaScript action: opening the document, or (``on_page``) a page's open action."""
    writer = copy_into_new_writer(PdfFileReader(BytesIO(data), strict=False))
    action = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert('x')"),
        }
    )
    if on_page:
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page[generic.NameObject("/AA")] = generic.DictionaryObject(
            {generic.NameObject("/O"): writer.add_object(action)}
        )
    else:
        writer.root[generic.NameObject("/OpenAction")] = writer.add_object(action)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted(data: bytes) -> bytes:
    writer = copy_into_new_writer(PdfFileReader(BytesIO(data), strict=False))
    assert isinstance(writer, PdfFileWriter)
    writer.encrypt("owner-secret", "user-secret")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str = "quyet-dinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def assessing(version_a: Any, citizen: Any) -> Any:
    dossier = DossierFactory(version=version_a, applicant=citizen, received=True)
    attach_required_papers(dossier)
    return dossier


def attach(api: Any, user: Any, dossier: Any, data: bytes, name: str = "quyet-dinh.pdf") -> Any:
    return api(user).post(
        f"/api/v1/dossiers/{dossier.pk}/drafted-result/", {"file": upload(data, name)}, format="multipart"
    )


def assess(api: Any, assessor: Any, dossier: Any) -> None:
    response = api(assessor).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/assess/", {"outcome": "grant"}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_the_assessor_attaches_a_drafted_result_and_the_approval_signs_that_document(
    api: Any,
    assessing: Any,
    assessor: Any,
    approver: Any,
    citizen: Any,
    eager: None,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    original = drafted_pdf(pages=2)

    response = attach(api, assessor, assessing, original)
    assert response.status_code == 201, response.json()
    assert response.json()["pages"] == 2
    assess(api, assessor, assessing)
    # The approver sees what they sign
    seen = api(approver).get(f"/api/v1/dossiers/{assessing.pk}/drafted-result/")
    assert seen.status_code == 200 and b"".join(seen.streaming_content) == original
    dossier = approve(assessing, approver, django_capture_on_commit_callbacks)

    assert dossier.state == "result_ready"
    signed = result_pdf(dossier)
    assert signed.startswith(original)  # the agency's bytes, kept as they were; the page and signature follow
    assert len(PdfFileReader(BytesIO(signed), strict=False).root["/Pages"]["/Kids"]) == 3
    path = tmp_path / "drafted.pdf"
    path.write_bytes(signed)
    text = subprocess.run(  # noqa: S603 - poppler on a file the test wrote
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,  # noqa: S607
    ).stdout
    assert "QUYẾT ĐỊNH CỦA SỞ TƯ PHÁP" in text
    assert "TRANG XÁC THỰC VĂN BẢN ĐIỆN TỬ" in text and dossier.code in text
    verification = results.verify(signed)
    assert verification.valid, verification.reason
    assert verification.level == "PAdES-B-LT"
    # The citizen's result is that document
    download = api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/result/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == signed


def test_an_approval_deciding_otherwise_than_proposed_signs_the_portals_own_result(
    api: Any,
    assessing: Any,
    assessor: Any,
    approver: Any,
    eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    attach(api, assessor, assessing, drafted_pdf())
    assess(api, assessor, assessing)

    dossier = approve(
        assessing, approver, django_capture_on_commit_callbacks, outcome="deny", comment="Thiếu bản vẽ"
    )

    signed = result_pdf(dossier)
    assert not signed.startswith(drafted_pdf()[:200])
    assert Result.objects.get(dossier=dossier).outcome == "deny"


def test_a_second_attachment_replaces_the_first(api: Any, assessing: Any, assessor: Any) -> None:
    attach(api, assessor, assessing, drafted_pdf("bản một"))
    response = attach(api, assessor, assessing, drafted_pdf("bản hai"))

    assert response.status_code == 201
    assert DraftedResult.objects.filter(dossier=assessing).count() == 1
    assert DossierEvent.objects.filter(dossier=assessing, action="document").count() == 2


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "unsupported_type"),
        (b"Just some text, named .pdf", 415, "unsupported_type"),
        (b"%PDF-1.7\n%broken beyond reading\n", 400, "invalid_pdf"),
        (with_javascript(drafted_pdf()), 400, "invalid_pdf"),
        (with_javascript(drafted_pdf(), on_page=True), 400, "invalid_pdf"),
        (encrypted(drafted_pdf()), 400, "invalid_pdf"),
    ],
    ids=["png", "text", "broken-pdf", "open-action-javascript", "page-action-javascript", "encrypted"],
)
def test_a_file_that_is_not_a_plain_pdf_is_refused_and_nothing_is_kept(
    api: Any, assessing: Any, assessor: Any, content: bytes, status: int, code: str
) -> None:
    response = attach(api, assessor, assessing, content)

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not DraftedResult.objects.filter(dossier=assessing).exists()
    assert not DossierEvent.objects.filter(dossier=assessing, action="document").exists()


def test_a_drafted_result_over_the_limit_is_413(
    api: Any, assessing: Any, assessor: Any, settings: Any
) -> None:
    settings.RESULT_DRAFT_MAX_BYTES = 1024
    response = attach(api, assessor, assessing, drafted_pdf(pages=3) + b"%" * 2048)

    assert response.status_code == 413
    assert not DraftedResult.objects.exists()


def test_only_the_competent_agencys_assessor_attaches_while_assessing(
    api: Any,
    assessing: Any,
    assessor_b: Any,
    receiver: Any,
    approver: Any,
    citizen: Any,
    citizen2: Any,
    version_a: Any,
) -> None:
    assert attach(api, assessor_b, assessing, drafted_pdf()).status_code == 404  # another agency's
    assert attach(api, citizen2, assessing, drafted_pdf()).status_code == 404
    assert attach(api, receiver, assessing, drafted_pdf()).status_code == 403
    assert attach(api, approver, assessing, drafted_pdf()).status_code == 403
    assert attach(api, citizen, assessing, drafted_pdf()).status_code == 403
    approving = DossierFactory(version=version_a, applicant=citizen, assessed=True)
    assessor = UserFactory(role=Role.ASSESSOR, agency=version_a.agency)
    assert attach(api, assessor, approving, drafted_pdf()).status_code == 409
    assert not DraftedResult.objects.exists()


def test_the_citizen_never_sees_the_draft_and_another_agency_not_at_all(
    api: Any, assessing: Any, assessor: Any, citizen: Any, approver_b: Any
) -> None:
    attach(api, assessor, assessing, drafted_pdf())

    assert api(citizen).get(f"/api/v1/dossiers/{assessing.pk}/drafted-result/").status_code == 403
    none_yet = DossierFactory(version=assessing.version, applicant=citizen, received=True)
    answer = api(assessor).get(f"/api/v1/dossiers/{none_yet.pk}/drafted-result/")
    assert (answer.status_code, answer.json()["code"]) == (409, "no_drafted_result")
    assert api(approver_b).get(f"/api/v1/dossiers/{assessing.pk}/drafted-result/").status_code == 404
    assert api(assessor).get(f"/api/v1/dossiers/{assessing.pk}/drafted-result/").status_code == 200


# The console


def console(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_assessor_attaches_the_drafted_result_from_the_console_and_the_approver_sees_it(
    assessing: Any, assessor: Any, approver: Any, receiver: Any
) -> None:
    page = console(assessor).get(f"/console/dossiers/{assessing.pk}/").content.decode()
    assert f'action="/console/dossiers/{assessing.pk}/drafted-result/"' in page

    response = console(assessor).post(
        f"/console/dossiers/{assessing.pk}/drafted-result/", {"file": upload(drafted_pdf(), "gp-xd.pdf")}
    )

    assert response.status_code == 302
    assert DraftedResult.objects.get(dossier=assessing).original_name == "gp-xd.pdf"
    shown = console(approver).get(f"/console/dossiers/{assessing.pk}/").content.decode()
    assert f'href="/api/v1/dossiers/{assessing.pk}/drafted-result/"' in shown and "gp-xd.pdf" in shown
    assert "drafted-file" not in shown  # the approver does not attach
    assert "drafted-file" in console(assessor).get(f"/console/dossiers/{assessing.pk}/").content.decode()


def test_the_console_refuses_a_file_that_is_not_a_pdf_with_its_reason(assessing: Any, assessor: Any) -> None:
    response = console(assessor).post(
        f"/console/dossiers/{assessing.pk}/drafted-result/", {"file": upload(b"GIF89a" + b"\0" * 40, "x.pdf")}
    )

    assert response.status_code == 415
    assert not DraftedResult.objects.exists()
