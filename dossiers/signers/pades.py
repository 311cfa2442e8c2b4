"""PAdES signing with pyHanko, shared by the signers that hold a pyHanko ``Signer``.

The signature's size is reserved up front: without it pyHanko signs once more to measure, doubling the work.
"""

from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from portal import asyncsafe

# A 2048-bit RSA signature with its two-certificate chain and signed attributes fits in well under 8 KiB.
BYTES_RESERVED = 16384
FIELD_NAME = "PortalSignature"


def sign(pdf: bytes, signer: signers.Signer, *, reason: str, location: str) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    out = asyncsafe.call(
        signers.PdfSigner(meta, signer=signer).sign_pdf, writer, bytes_reserved=BYTES_RESERVED
    )
    return out.getvalue()
