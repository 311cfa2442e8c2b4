"""Each agency's key and certificate in ``SIGNING_DIR/agencies/<agency code>.p12`` (PKCS#12).

Keys are loaded once per process and kept: a worker signs thousands of results with one load.
"""

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign import signers

from dossiers import pki
from dossiers.signers import SignedPdf, Signer, SignerNotConfigured, pades, register


@register("pkcs12")
class Pkcs12Signer(Signer):
    def __init__(self) -> None:
        self._loaded: dict[str, signers.SimpleSigner] = {}

    def check_config(self, agency_code: str | None = None) -> list[str]:
        missing = []
        if agency_code is not None and not pki.agency_p12_path(agency_code).exists():
            missing.append(f"no key file {pki.agency_p12_path(agency_code)}")
        if not pki.ca_cert_path().exists():
            missing.append(f"no CA certificate {pki.ca_cert_path()}")
        return missing

    def _signer(self, agency_code: str) -> signers.SimpleSigner:
        if agency_code not in self._loaded:
            self.ensure_ready(agency_code)
            signer = signers.SimpleSigner.load_pkcs12(
                str(pki.agency_p12_path(agency_code)),
                ca_chain_files=[str(pki.ca_cert_path())],
                passphrase=settings.SIGNING_PKCS12_PASSPHRASE.encode() or None,
            )
            if signer is None:
                raise SignerNotConfigured(
                    f"The key file of {agency_code} cannot be opened (wrong passphrase?)."
                )
            self._loaded[agency_code] = signer
        return self._loaded[agency_code]

    def sign(self, pdf: bytes, *, agency_code: str, reason: str, location: str) -> SignedPdf:
        signer = self._signer(agency_code)
        cert: asn1_x509.Certificate = signer.signing_cert
        signature = pades.sign(pdf, signer, reason=reason, location=location)
        return SignedPdf(
            data=signature.data,
            signer_name=cert.subject.native.get("common_name", ""),
            certificate_serial=format(cert.serial_number, "x"),
            level=signature.level,
            timestamped_at=signature.timestamped_at,
        )
