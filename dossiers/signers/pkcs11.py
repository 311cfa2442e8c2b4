"""A key on a PKCS#11 token (an HSM or a USB token), through pyHanko's PKCS#11 support.

Needs ``SIGNING_PKCS11_MODULE`` (the vendor's library), ``SIGNING_PKCS11_TOKEN`` (the token label, with one key
labelled by agency code) and ``SIGNING_PKCS11_PIN``, and the ``python-pkcs11`` package; until then it refuses.
"""

import importlib.util

from django.conf import settings

from dossiers.signers import SignedPdf, Signer, pades, register


@register("pkcs11")
class Pkcs11Signer(Signer):
    def check_config(self, agency_code: str | None = None) -> list[str]:
        missing = [
            f"{name} is not set"
            for name in ("SIGNING_PKCS11_MODULE", "SIGNING_PKCS11_TOKEN", "SIGNING_PKCS11_PIN")
            if not getattr(settings, name)
        ]
        if importlib.util.find_spec("pkcs11") is None:
            missing.append("the python-pkcs11 package is not installed")
        return missing

    def sign(self, pdf: bytes, *, agency_code: str, reason: str, location: str) -> SignedPdf:
        self.ensure_ready(agency_code)
        from pyhanko.sign import pkcs11  # needs python-pkcs11

        session = pkcs11.open_pkcs11_session(
            settings.SIGNING_PKCS11_MODULE,
            token_label=settings.SIGNING_PKCS11_TOKEN,
            user_pin=settings.SIGNING_PKCS11_PIN,
        )
        try:
            signer = pkcs11.PKCS11Signer(session, cert_label=agency_code, key_label=agency_code)
            signature = pades.sign(pdf, signer, reason=reason, location=location)
            cert = signer.signing_cert
            return SignedPdf(
                signature.data,
                cert.subject.native.get("common_name", ""),
                format(cert.serial_number, "x"),
                level=signature.level,
                timestamped_at=signature.timestamped_at,
            )
        finally:
            session.close()
