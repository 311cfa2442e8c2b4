"""Checking a result: POST /api/v1/verify/, the public page /verify/, and the signed result's download."""

import hashlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers as pyhanko_signers
from pyhanko.sign.fields import SigSeedSubFilter
from rest_framework.test import APIClient

from dossiers import official, pki, results, signers
from dossiers.models import Dossier, Result
from dossiers.signers import pades
from tests.english import in_english
from tests.factories import DossierFactory
from tests.signing.conftest import append_forged_content, approve, flip_a_signed_byte, make_pki, result_pdf

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/verify/"
PAGE = "/verify/"
CHANGED = "The document was changed after it was signed."
NOT_OURS = "This file is not a result of this portal."


@pytest.fixture
def genuine(
    assessed: Dossier, approver: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> tuple[Dossier, bytes]:
    """A dossier approved and signed through the workflow, and its signed result as the citizen downloads it."""
    dossier = approve(assessed, approver, django_capture_on_commit_callbacks)
    return dossier, result_pdf(dossier)


def unsigned_result(dossier: Dossier) -> bytes:
    """The dossier's result document as rendered before signing."""
    return official.render(results.result_document(dossier))


def check(data: bytes, name: str = "ket-qua.pdf") -> Any:
    return APIClient().post(
        VERIFY, {"file": SimpleUploadedFile(name, data, "application/pdf")}, format="multipart"
    )


def on_record(dossier: Dossier, data: bytes) -> None:
    """Pretend the portal's record holds ``data`` as the dossier's result: what the checks after the lookup see."""
    Result.objects.filter(dossier=dossier).update(sha256=hashlib.sha256(data).hexdigest())


def refused(data: bytes) -> dict[str, Any]:
    """The answer for a file that is not a genuine result: 200, valid false, nothing of a dossier revealed."""
    response = check(data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is False
    assert (body["code"], body["signed_at"], body["signer"]) == (None, None, None)
    return body


# POST /api/v1/verify/


def test_the_genuine_result_is_valid_with_its_code_time_and_signer(genuine: tuple[Dossier, bytes]) -> None:
    dossier, data = genuine
    result = Result.objects.get(dossier=dossier)

    response = check(data)

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["code"] == dossier.code
    assert body["signer"] == "Sở Tư pháp"
    assert body["signed_at"] == timezone.localtime(result.signed_at).isoformat()
    assert body["signed_at"].endswith("+07:00")


def test_verification_needs_no_login(genuine: tuple[Dossier, bytes]) -> None:
    _, data = genuine
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.post(VERIFY, {"file": SimpleUploadedFile("a.pdf", data)}, format="multipart")

    assert response.status_code == 200
    assert response.json()["valid"] is True


def test_a_result_with_one_byte_changed_is_invalid_and_says_so_plainly(
    genuine: tuple[Dossier, bytes],
) -> None:
    _, data = genuine

    assert refused(flip_a_signed_byte(data))["reason"] == NOT_OURS


def test_a_changed_file_on_record_is_still_checked_against_its_signature(
    genuine: tuple[Dossier, bytes],
) -> None:
    dossier, data = genuine
    changed = flip_a_signed_byte(data)
    on_record(dossier, changed)

    assert refused(changed)["reason"] == CHANGED


def test_a_result_with_content_added_after_signing_is_invalid(genuine: tuple[Dossier, bytes]) -> None:
    dossier, data = genuine
    forged = append_forged_content(data)

    assert refused(forged)["reason"] == NOT_OURS
    on_record(dossier, forged)
    assert refused(forged)["reason"] == "Something was added to the document after it was signed."


def test_a_result_signed_by_a_certificate_from_another_ca_is_invalid(
    genuine: tuple[Dossier, bytes], tmp_path: Path
) -> None:
    dossier, _ = genuine
    impostor = make_pki(tmp_path / "impostor", "Tỉnh Hòa Bình Xanh")  # same names, another key
    p12 = impostor.issue(dossier.agency)
    with override_settings(SIGNING_DIR=str(impostor.directory)):
        signer = pyhanko_signers.SimpleSigner.load_pkcs12(str(p12), ca_chain_files=[str(pki.ca_cert_path())])
    # The portal's own signing refuses a certificate outside the province's PKI; a forger signs with pyHanko.
    with pytest.raises(pades.SigningFailed):
        pades.sign(unsigned_result(dossier), signer, reason="Kết quả", location="Hòa Bình Xanh")
    meta = pyhanko_signers.PdfSignatureMetadata(field_name="Sig", subfilter=SigSeedSubFilter.PADES)
    forged = pyhanko_signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(unsigned_result(dossier))), meta, signer=signer
    ).getvalue()

    assert refused(forged)["reason"] == NOT_OURS
    on_record(dossier, forged)
    assert refused(forged)["reason"] == "The signature is not from the province's certificates."


def test_a_genuinely_signed_file_that_is_not_on_record_is_invalid(genuine: tuple[Dossier, bytes]) -> None:
    dossier, _ = genuine
    # Signed with the agency's real key, but never issued by the portal.
    signed = signers.current().sign(
        unsigned_result(dossier), agency_code=dossier.agency.code, reason="Kết quả", location="Hòa Bình Xanh"
    )

    assert refused(signed.data)["reason"] == NOT_OURS


def test_an_unsigned_pdf_is_invalid(genuine: tuple[Dossier, bytes]) -> None:
    dossier, _ = genuine
    unsigned = unsigned_result(dossier)

    assert refused(unsigned)["reason"] == NOT_OURS
    on_record(dossier, unsigned)
    assert refused(unsigned)["reason"] == "The PDF carries no digital signature."


@pytest.mark.parametrize(
    "data",
    [b"GIF89a not a pdf at all", "Kết quả giả".encode(), b"%PDF-1.7\n%%EOF garbage"],
    ids=["image", "text", "broken-pdf"],
)
def test_a_file_that_is_not_a_readable_pdf_is_invalid(db: Any, data: bytes) -> None:
    assert refused(data)["reason"] == NOT_OURS


def test_a_truncated_result_is_invalid(genuine: tuple[Dossier, bytes]) -> None:
    _, data = genuine

    assert refused(data[: len(data) // 2])["valid"] is False


def test_an_empty_file_is_a_bad_request(db: Any) -> None:
    response = check(b"")

    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}


def test_no_file_is_a_bad_request(db: Any) -> None:
    response = APIClient().post(VERIFY, {}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code"}


def test_a_file_over_20_mb_is_too_large(db: Any) -> None:
    response = check(b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


# The public page /verify/


@pytest.fixture
def browser() -> Client:
    return in_english(Client())


def test_the_page_opened_from_the_qr_shows_the_record(
    genuine: tuple[Dossier, bytes], browser: Client
) -> None:
    dossier, _ = genuine
    result = Result.objects.get(dossier=dossier)

    response = browser.get(PAGE, {"code": dossier.code, "key": result.verification_token})

    assert response.status_code == 200
    page = response.content.decode()
    assert "This result was issued by the portal" in page
    assert dossier.code in page
    assert "Sở Tư pháp" in page
    assert dossier.version.name in page
    assert result.sha256 in page


def test_the_page_says_when_no_result_has_the_code(db: Any, browser: Client) -> None:
    response = browser.get(PAGE, {"code": "H12.01-261123-9999"})

    assert response.status_code == 200
    assert "No signed result has the code H12.01-261123-9999." in response.content.decode()


def test_the_page_does_not_show_a_dossier_whose_result_is_not_signed_yet(
    version_a: Any, citizen: Any, browser: Client
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, approved=True)

    response = browser.get(PAGE, {"code": dossier.code})

    assert "No signed result has the code" in response.content.decode()
    assert "This result was issued by the portal" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?code=",
        "?code=%00%01",
        "?code=" + "x" * 5000,
        "?code=%E2%80%AE%3Cscript%3E",
        "?code=%FF%FE",
        "?code=a&code=b",
    ],
    ids=["none", "empty", "control", "long", "markup", "bad-utf8", "repeated"],
)
def test_the_page_answers_any_query_without_failing(db: Any, browser: Client, query: str) -> None:
    response = browser.get(PAGE + query)

    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_uploading_the_genuine_result_on_the_page_says_valid(
    genuine: tuple[Dossier, bytes], browser: Client
) -> None:
    dossier, data = genuine

    response = browser.post(PAGE, {"file": SimpleUploadedFile("ket-qua.pdf", data, "application/pdf")})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Valid" in page and "Invalid" not in page
    assert f"This is result {dossier.code}, signed by Sở Tư pháp" in page


def test_uploading_a_changed_result_on_the_page_says_invalid_and_why(
    genuine: tuple[Dossier, bytes], browser: Client
) -> None:
    _, data = genuine

    response = browser.post(PAGE, {"file": SimpleUploadedFile("ket-qua.pdf", flip_a_signed_byte(data))})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Invalid" in page
    assert NOT_OURS in page


def test_the_page_upload_works_with_its_csrf_token(genuine: tuple[Dossier, bytes]) -> None:
    _, data = genuine
    browser = in_english(Client(enforce_csrf_checks=True))
    browser.get(PAGE)
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        PAGE,
        {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("ket-qua.pdf", data, "application/pdf")},
    )

    assert response.status_code == 200
    assert "Valid" in response.content.decode()


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ({}, 400),
        ({"file": SimpleUploadedFile("empty.pdf", b"")}, 400),
        ({"file": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 not a pdf")}, 200),
        ({"file": SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024))}, 400),
    ],
    ids=["no-file", "empty", "not-a-pdf", "too-large"],
)
def test_the_page_answers_a_bad_upload_without_failing(
    db: Any, browser: Client, files: dict[str, Any], status: int
) -> None:
    response = browser.post(PAGE, files)

    assert response.status_code == status
    assert "Valid" not in response.content.decode().replace("Invalid", "")


# GET /api/v1/dossiers/{id}/result/


def result_url(dossier: Dossier) -> str:
    return f"/api/v1/dossiers/{dossier.pk}/result/"


def downloaded(response: Any) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


@pytest.mark.parametrize("traits", [{"assessed": True}, {"approved": True}])
def test_the_result_cannot_be_downloaded_before_it_is_ready(
    api: Any, version_a: Any, citizen: Any, traits: dict[str, bool]
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, **traits)

    response = api(citizen).get(result_url(dossier))

    assert response.status_code == 409
    assert response.json()["code"] == "result_not_ready"


def test_the_citizen_downloads_the_signed_result_once_ready(
    api: Any, genuine: tuple[Dossier, bytes], citizen: Any
) -> None:
    dossier, data = genuine

    response = api(citizen).get(result_url(dossier))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{dossier.code}.pdf"' in response["Content-Disposition"]
    assert downloaded(response) == data


def test_the_competent_agency_downloads_the_result(
    api: Any, genuine: tuple[Dossier, bytes], receiver: Any
) -> None:
    dossier, data = genuine

    response = api(receiver).get(result_url(dossier))

    assert response.status_code == 200
    assert downloaded(response) == data


@pytest.mark.parametrize("persona", ["citizen2", "receiver_b", "approver_b"])
def test_someone_elses_result_is_not_found(
    api: Any, genuine: tuple[Dossier, bytes], request: pytest.FixtureRequest, persona: str
) -> None:
    dossier, _ = genuine

    response = api(request.getfixturevalue(persona)).get(result_url(dossier))

    assert response.status_code == 404


def test_the_result_needs_a_login(anonymous: APIClient, genuine: tuple[Dossier, bytes]) -> None:
    dossier, _ = genuine

    assert anonymous.get(result_url(dossier)).status_code == 401
