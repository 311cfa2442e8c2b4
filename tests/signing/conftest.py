"""Fixtures of the signing tests: one demo PKI for the whole run, agency certificates on demand, approved dossiers.

The demo CA is made once per test session in a temporary folder (an RSA key takes a moment), and its CRL, OCSP
responder and time-stamping authority are served by ``manage.py pki_serve`` on a free port until the session
ends; each test points ``SIGNING_DIR`` and ``SIGNING_TSA_URL`` at them and starts with a fresh signer registry,
so no key loaded by another test leaks in.
"""

import datetime
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.test import override_settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from dossiers import pki, signers, workflow
from dossiers.models import Document, Dossier, Result
from portal import asyncsafe
from procedures.models import Agency, Component
from tests import pki_service
from tests.factories import DossierFactory, ProcedureVersionFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BASE_URL = "https://dichvucong.example.vn"
PROVINCE = "Tỉnh Hòa Bình Xanh"


@dataclass
class DemoPki:
    """A CA in ``directory`` and the agency PKCS#12 files it issues (``issue`` makes one once)."""

    directory: Path
    province: str
    ca_cert: x509.Certificate
    ca_key: rsa.RSAPrivateKey
    url: str  # where its CRL, OCSP responder and TSA answer (its certificates name it)

    def _settings(self) -> Any:
        return override_settings(
            SIGNING_DIR=str(self.directory), SIGNING_PKI_URL=self.url, SIGNING_PKCS12_PASSPHRASE=""
        )

    @property
    def tsa_url(self) -> str:
        return pki.tsa_url(self.url)

    def issue(self, agency: Agency) -> Path:
        """The agency's PKCS#12 file, made on first use."""
        with self._settings():
            path = pki.ensure_agency_certificate(
                agency_code=agency.code,
                agency_name=agency.name,
                province_name=self.province,
                ca=(self.ca_cert, self.ca_key),
            )
        return path

    def revoke(self, agency_code: str, at: datetime.datetime | None = None) -> None:
        """The CA revokes the agency's certificate from ``at`` (now); the running OCSP responder says so at once."""
        with self._settings():
            pki.revoke_agency_certificate(agency_code, at=at)

    def ca_asn1(self) -> asn1_x509.Certificate:
        """The CA certificate as pyHanko's validator takes it."""
        return asn1_x509.Certificate.load(self.ca_cert.public_bytes(serialization.Encoding.DER))

    def agency_certificate(self, agency_code: str) -> x509.Certificate:
        """The certificate inside an issued PKCS#12 file."""
        with override_settings(SIGNING_DIR=str(self.directory)):
            bundle = pkcs12.load_pkcs12(pki.agency_p12_path(agency_code).read_bytes(), None)
        assert bundle.cert is not None
        return bundle.cert.certificate


def make_pki(directory: Path, province: str, url: str = "http://127.0.0.1:9") -> DemoPki:
    """A demo CA under ``directory`` whose services are to answer at ``url``, made with the portal's own code
    (not served: ``serve_pki`` does that)."""
    with override_settings(SIGNING_DIR=str(directory), SIGNING_PKI_URL=url):
        ca_cert, ca_key = pki.ensure_demo_ca(province)
    return DemoPki(directory=directory, province=province, ca_cert=ca_cert, ca_key=ca_key, url=url)


@pytest.fixture(scope="session")
def session_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoPki]:
    """The session's demo PKI, its services running until the session ends."""
    demo = make_pki(tmp_path_factory.mktemp("pki"), PROVINCE, pki_service.service_url())
    service = pki_service.start(demo.directory, demo.url)
    yield demo
    service.stop()


@pytest.fixture(autouse=True)
def demo_pki(session_pki: DemoPki, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoPki]:
    """Every test signs with the session's demo PKI, a fresh signer registry and a fast password hasher."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.SIGNER = "pkcs12"
    settings.SIGNING_DIR = str(session_pki.directory)
    settings.SIGNING_PKI_URL = session_pki.url
    settings.SIGNING_TSA_URL = session_pki.tsa_url
    settings.SIGNING_CA_CERT = ""
    settings.SIGNING_PKCS12_PASSPHRASE = ""
    settings.PROVINCE_NAME = PROVINCE
    settings.PUBLIC_BASE_URL = BASE_URL
    settings.SMS_BACKEND = "console"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    monkeypatch.setattr(signers, "_instances", {})
    yield session_pki


@pytest.fixture
def eager(settings: Any) -> None:
    """Tasks run in process, also where REDIS_URL is set."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def signing_agency(agency_a: Agency, demo_pki: DemoPki) -> Agency:
    """Agency A ("H12.01") with its signing certificate issued by the demo CA."""
    demo_pki.issue(agency_a)
    return agency_a


@pytest.fixture
def version_a(signing_agency: Agency) -> Any:
    return ProcedureVersionFactory(
        published=True,
        agency=signing_agency,
        name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        result="Giấy phép xây dựng",
    )


def attach_required_papers(dossier: Dossier) -> None:
    """A document row for each required component, so the dossier is complete."""
    for component in Component.objects.filter(version=dossier.version, required=True):
        Document.objects.create(
            dossier=dossier,
            component=component,
            file=f"dossiers/{dossier.pk}/paper-{component.pk}.pdf",
            storage_key=f"d{dossier.pk}c{component.pk}.pdf",
            original_name="to-khai.pdf",
            content_type="application/pdf",
            size=4,
            sha256=hashlib.sha256(b"%PDF").hexdigest(),
            uploaded_by=dossier.created_by,
        )


@pytest.fixture
def assessed(version_a: Any, citizen: Any) -> Dossier:
    """The citizen's complete dossier of agency A, assessed with "grant": awaiting the approver."""
    dossier = DossierFactory(version=version_a, applicant=citizen, assessed=True)
    attach_required_papers(dossier)
    return dossier


def approve(dossier: Dossier, approver: Any, capture: Any, **params: Any) -> Dossier:
    """The approver approves, and what the approval queues after commit runs (signing, in process)."""
    with capture(execute=True):
        workflow.apply(
            dossier_id=dossier.pk, action="approve", actor=approver, input=workflow.Decision(**params)
        )
    dossier.refresh_from_db()
    return dossier


def result_pdf(dossier: Dossier) -> bytes:
    """The stored signed result of ``dossier``."""
    with Result.objects.get(dossier=dossier).file.open("rb") as file:
        return file.read()


def validate(data: bytes, trust_root: asn1_x509.Certificate) -> Any:
    """pyHanko's own validation of the last signature of ``data``, trusting only ``trust_root``."""
    signature = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    # pyHanko runs its own event loop; a browser test earlier in this worker may have left one running.
    return asyncsafe.call(validate_pdf_signature, signature, ValidationContext(trust_roots=[trust_root]))


# ReportLab writes the document information uncompressed, and pyHanko copies it into the signed revision; both
# copies lie inside the signed byte range (everything but the signature value itself).
SIGNED_MARKER = b"/Creator (Public services portal)"


def flip_a_signed_byte(data: bytes) -> bytes:
    """The same file with one byte of the signed range changed; it still parses."""
    assert SIGNED_MARKER in data
    at = data.index(SIGNED_MARKER) + len(SIGNED_MARKER) - 2  # the final "l" of "portal"
    start, length, second_start, second_length = map(
        int, re.findall(rb"/ByteRange \[\s*(\d+) (\d+) (\d+) (\d+)", data)[-1]
    )
    assert start <= at < start + length or second_start <= at < second_start + second_length, (
        "not a signed byte"
    )
    return data[:at] + b"L" + data[at + 1 :]


def append_forged_content(data: bytes) -> bytes:
    """The signed file with an incremental update that draws a forged line over the first page."""
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    forged = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (GRANTED BY FORGERY) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(forged))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
