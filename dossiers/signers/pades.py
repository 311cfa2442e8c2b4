"""PAdES signing with pyHanko, shared by the signers that hold a pyHanko ``Signer``.

Every result is signed at level B-LT: a signature time stamp from the RFC 3161 authority at ``SIGNING_TSA_URL``
(pyHanko's HTTP time stamper), and the validation data of the signer's and the authority's certificates (the
chain, and the CRL or OCSP response fetched now from the addresses the certificates name) in the document's DSS,
so that the result still validates once the agency's certificate has expired or been revoked. A signer whose
certificate is revoked, or whose revocation status cannot be learned, signs nothing.

The signature's size is reserved up front: without it pyHanko signs once more to measure, doubling the work.
"""

import datetime
import functools
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import pem, tsp
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from dossiers import pki
from portal import asyncsafe
from portal.errors import ServiceError

# The CMS signature: a 2048-bit RSA signature, the two-certificate chain, the signed attributes and the
# time-stamp token (with the authority's certificate) fit in well under 16 KiB.
BYTES_RESERVED = 16384
FIELD_NAME = "PortalSignature"
LEVEL = "PAdES-B-LT"
TSA_TIMEOUT_SECONDS = 10


class SigningFailed(ServiceError):
    """The signature could not be made long-term: the time stamp or the revocation data is missing, or the
    certificate is revoked. Nothing is stored; the signing sweep tries again."""

    status = 503
    code = "signing_failed"


@dataclass(frozen=True)
class Signature:
    data: bytes
    level: str
    timestamped_at: datetime.datetime | None  # the time the authority vouches the signature existed at


class RecordingTimeStamper(timestamps.HTTPTimeStamper):
    """pyHanko's HTTP time stamper, noting the time of the token it got (one instance per signature)."""

    timestamped_at: datetime.datetime | None = None

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        response: tsp.TimeStampResp = await super().async_request_tsa_response(req)
        token = response["time_stamp_token"]
        if token.native is not None:
            self.timestamped_at = token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
        return response


@functools.cache
def _roots(path: Path, modified: int) -> tuple[asn1_x509.Certificate, ...]:
    data = path.read_bytes()
    if pem.detect(data):
        return tuple(asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
    return (asn1_x509.Certificate.load(data),)


def trust_roots() -> list[asn1_x509.Certificate]:
    """The province's CA certificate(s) (``SIGNING_CA_CERT``, or the demo CA)."""
    path = pki.ca_cert_path()
    return list(_roots(path, path.stat().st_mtime_ns))


def validation_context() -> ValidationContext:
    """A fresh context per signature: the revocation data embedded is fetched for this signature."""
    return ValidationContext(trust_roots=trust_roots(), allow_fetching=True, revocation_mode="require")


def metadata(*, reason: str, location: str) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=True,
        validation_context=validation_context(),
    )


def sign(pdf: bytes, signer: signers.Signer, *, reason: str, location: str) -> Signature:
    if not settings.SIGNING_TSA_URL:
        raise SigningFailed("SIGNING_TSA_URL is not set: a result needs a signature time stamp.")
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    stamper = RecordingTimeStamper(settings.SIGNING_TSA_URL, timeout=TSA_TIMEOUT_SECONDS)
    pdf_signer = signers.PdfSigner(
        metadata(reason=reason, location=location), signer=signer, timestamper=stamper
    )
    try:
        out = asyncsafe.call(pdf_signer.sign_pdf, writer, bytes_reserved=BYTES_RESERVED)
    except (SigningError, PathBuildingError, PathValidationError, OSError) as exc:
        raise SigningFailed(f"The result could not be signed long-term: {exc}") from exc
    return Signature(out.getvalue(), LEVEL, stamper.timestamped_at)
