"""The signed result's QR code, scanned from the PDF as a phone would, opens the verification page of that result."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from dossiers.models import Result
from tests.qr import qr_codes
from tests.signing.conftest import BASE_URL, approve, result_pdf


def test_the_results_qr_code_scans_to_its_verification_page_on_the_public_address(
    assessed: Any, approver: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = approve(assessed, approver, django_capture_on_commit_callbacks)

    (scanned,) = qr_codes(result_pdf(dossier))

    url = urlsplit(scanned)
    assert f"{url.scheme}://{url.netloc}{url.path}" == BASE_URL + reverse("verify")
    token = Result.objects.get(dossier=dossier).verification_token
    assert parse_qs(url.query) == {"code": [dossier.code], "key": [token]}
