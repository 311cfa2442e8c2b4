"""Long-term signatures: every result is PAdES B-LT (a time stamp from the province's TSA, the validation data in a
DSS), validates with revocation required, and stays valid after the agency's certificate is revoked.

The demo PKI's CRL, OCSP responder and TSA run for real (``manage.py pki_serve``, started by the session fixture);
poppler's ``pdfsig`` checks the result with the demo CA trusted in an NSS database made with NSS's ``certutil``.
"""

import subprocess
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    RevocationInfoValidationType,
    validate_pdf_ltv_signature,
    validate_pdf_signature,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from rest_framework.test import APIClient

from dossiers import pki, results, workflow
from dossiers.constants import State
from dossiers.models import Dossier, Result
from dossiers.signers import pades
from portal import asyncsafe
from tests.factories import AgencyFactory, DossierFactory, ProcedureVersionFactory, UserFactory
from tests.signing.conftest import DemoPki, approve, result_pdf, validate


def _ltv(data: bytes, demo_pki: DemoPki) -> Any:
    """pyHanko's PAdES B-LT validation: revocation data required, read from the file alone (no network)."""
    signature = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    return asyncsafe.call(
        validate_pdf_ltv_signature,
        signature,
        RevocationInfoValidationType.PADES_LT,
        validation_context_kwargs={"trust_roots": [demo_pki.ca_asn1()]},
    )


def _online(data: bytes, demo_pki: DemoPki) -> Any:
    """pyHanko's validation now, asking the CRL and OCSP services, revocation required."""
    signature = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    context = ValidationContext(
        trust_roots=[demo_pki.ca_asn1()], allow_fetching=True, revocation_mode="require"
    )
    return asyncsafe.call(validate_pdf_signature, signature, context)


@pytest.fixture
def approved(
    assessed: Dossier, approver: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> Dossier:
    """The dossier approved by the approver; signing ran in process after the commit."""
    return approve(assessed, approver, django_capture_on_commit_callbacks)


@pytest.fixture
def signed(approved: Dossier) -> bytes:
    return result_pdf(approved)


def test_the_result_validates_as_pades_b_lt_with_revocation_required(
    signed: bytes, demo_pki: DemoPki
) -> None:
    status = _ltv(signed, demo_pki)

    assert status.bottom_line
    assert status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.modification_level.name == "LTA_UPDATES"  # only the DSS follows the signature


def test_the_result_validates_online_against_the_running_crl_and_ocsp_services(
    signed: bytes, demo_pki: DemoPki
) -> None:
    assert _online(signed, demo_pki).bottom_line


def test_the_dss_holds_the_chain_and_the_revocation_data_of_the_signer_and_the_tsa(signed: bytes) -> None:
    dss = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(signed), strict=False))
    names = {cert.subject.native["common_name"] for cert in dss.load_certs()}

    assert any(name.startswith("CA ") for name in names)
    assert any(name.startswith("TSA ") for name in names)
    assert dss.ocsps or dss.crls


def test_the_signature_time_stamp_is_recorded_on_the_result(
    approved: Dossier, signed: bytes, demo_pki: DemoPki
) -> None:
    result = Result.objects.get(dossier=approved)
    stamp = validate(signed, demo_pki.ca_asn1()).timestamp_validity

    assert result.level == "PAdES-B-LT"
    assert stamp is not None and stamp.timestamp == result.timestamped_at


def test_agency_certificates_are_for_signing_documents_and_name_their_crl_and_ocsp(
    signing_agency: Any, demo_pki: DemoPki
) -> None:
    cert = demo_pki.agency_certificate(signing_agency.code)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    crl = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value

    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_encipherment
    assert x509.ObjectIdentifier(pki.DOCUMENT_SIGNING) in purposes
    assert ExtendedKeyUsageOID.CLIENT_AUTH not in purposes
    assert [p.full_name[0].value for p in crl] == [f"{demo_pki.url}/province/crls/ca/latest.crl"]
    assert [
        d.access_location.value for d in aia if d.access_method == AuthorityInformationAccessOID.OCSP
    ] == [f"{demo_pki.url}/province/ocsp/ca"]


def test_verification_reports_the_level_and_the_time_stamp(approved: Dossier, signed: bytes) -> None:
    verification = results.verify(signed)
    result = Result.objects.get(dossier=approved)

    assert verification.valid
    assert verification.level == "PAdES-B-LT"
    assert verification.timestamp is not None and result.timestamped_at is not None
    assert datetime.fromisoformat(verification.timestamp) == result.timestamped_at


def test_the_api_reports_the_level_and_the_time_stamp(signed: bytes) -> None:
    body = (
        APIClient()
        .post(
            "/api/v1/verify/",
            {"file": SimpleUploadedFile("r.pdf", signed, "application/pdf")},
            format="multipart",
        )
        .json()
    )

    assert body["valid"] is True
    assert body["level"] == "PAdES-B-LT"
    assert body["timestamp"]


def _revocable_dossier(demo_pki: DemoPki, code: str) -> tuple[Dossier, Any]:
    """An assessed dossier of an agency of its own (its certificate is revoked by this test, no other's)."""
    agency = AgencyFactory(code=code, name="Sở Thử nghiệm Thu hồi")
    demo_pki.issue(agency)
    approver = UserFactory(username=f"approver_{code}", role="approver", agency=agency)
    version = ProcedureVersionFactory(published=True, agency=agency, result="Giấy phép")
    return DossierFactory(version=version, assessed=True), approver


def test_a_result_signed_before_the_certificate_was_revoked_stays_valid(
    db: None, demo_pki: DemoPki, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    dossier, approver = _revocable_dossier(demo_pki, "H77.01")
    approve(dossier, approver, django_capture_on_commit_callbacks)
    signed = result_pdf(dossier)

    demo_pki.revoke(dossier.agency.code)

    # (That the services then answer "revoked" is the next test: a revoked certificate signs nothing.)
    # The result carries the proof (its time stamp) that it was signed before, and the certificate's good status then: validated as
    # PAdES B-LT, by pyHanko and by the portal, it stays valid.
    assert _ltv(signed, demo_pki).bottom_line
    assert results.verify(signed).valid


def test_a_revoked_certificate_signs_nothing_and_the_dossier_waits_in_signing(
    db: None, demo_pki: DemoPki, django_capture_on_commit_callbacks: Any, eager: None, settings: Any
) -> None:
    dossier, approver = _revocable_dossier(demo_pki, "H77.02")
    # Revoked from a minute ago (the signer allows a second of clock skew, as pyHanko does by default).
    demo_pki.revoke(dossier.agency.code, at=datetime.now(UTC) - timedelta(minutes=1))
    settings.CELERY_TASK_EAGER_PROPAGATES = False  # the task fails; the sweep tries again later

    approve(dossier, approver, django_capture_on_commit_callbacks)

    assert dossier.state == State.SIGNING
    assert not Result.objects.filter(dossier=dossier).exists()
    with pytest.raises(pades.SigningFailed):
        results.result_sign(dossier_id=dossier.pk)


def test_without_a_time_stamp_nothing_is_signed(
    approved_waiting: Dossier, settings: Any, demo_pki: DemoPki
) -> None:
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"  # nothing listens there

    with pytest.raises(pades.SigningFailed):
        results.result_sign(dossier_id=approved_waiting.pk)

    approved_waiting.refresh_from_db()
    assert approved_waiting.state == State.SIGNING
    assert not Result.objects.filter(dossier=approved_waiting).exists()


@pytest.fixture
def approved_waiting(version_a: Any, citizen: Any, approver: Any) -> Dossier:
    """A dossier approved and waiting in ``signing`` (its signing not yet run)."""
    dossier = DossierFactory(version=version_a, applicant=citizen, assessed=True)
    workflow.apply(dossier_id=dossier.pk, action="approve", actor=approver, input=workflow.Decision())
    dossier.refresh_from_db()
    assert dossier.state == State.SIGNING
    return dossier


@pytest.fixture
def nss_db(tmp_path: Path, demo_pki: DemoPki) -> Path:
    """An NSS database trusting the demo CA, as a poppler user who installed the province's CA has."""
    directory = tmp_path / "nss"
    directory.mkdir()
    database = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "-d", database, "--empty-password"], check=True)  # noqa: S603, S607
    trust = ["certutil", "-A", "-d", database, "-n", "demo-ca", "-t", "CT,C,C", "-i", str(pki.ca_cert_path())]
    subprocess.run(trust, check=True)  # noqa: S603
    return directory


def test_poppler_pdfsig_with_the_demo_ca_trusted_accepts_the_result(
    signed: bytes, nss_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "result.pdf"
    path.write_bytes(signed)

    # Without its online OCSP check: poppler 22.12 (Debian 12) reports "Unknown issue" once it asks the demo
    # responder, whose answers pyHanko, OpenSSL and NSS's own vfychain accept (left open, see the README).
    out = subprocess.run(  # noqa: S603
        ["pdfsig", "-nssdir", str(nss_db), "-no-ocsp", str(path)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    assert "Signature Validation: Signature is Valid." in out
    assert "Certificate Validation: Certificate is Trusted." in out
    assert "Signature Type: ETSI.CAdES.detached" in out


def test_the_dossier_api_reports_its_results_level_and_time_stamp_to_the_applicant(
    approved: Dossier, citizen: Any
) -> None:
    client = APIClient()
    client.force_authenticate(citizen)

    body = client.get(f"/api/v1/dossiers/{approved.pk}/").json()["result"]

    result = Result.objects.get(dossier=approved)
    assert body["level"] == "PAdES-B-LT"
    assert result.timestamped_at is not None
    assert datetime.fromisoformat(body["timestamped_at"]) == result.timestamped_at
