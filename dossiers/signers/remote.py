"""A remote signing service speaking the Cloud Signature Consortium API (pyHanko's CSC signer).

Needs ``SIGNING_REMOTE_URL``, ``SIGNING_REMOTE_TOKEN`` and the ``aiohttp`` package; until then it refuses with
what is missing; and even then it refuses, because no service's authorisation flow is written yet.
"""

import importlib.util

from django.conf import settings

from dossiers.signers import SignedPdf, Signer, SignerNotConfigured, register


@register("remote")
class RemoteSigner(Signer):
    def check_config(self, agency_code: str | None = None) -> list[str]:
        missing = [
            f"{name} is not set"
            for name in ("SIGNING_REMOTE_URL", "SIGNING_REMOTE_TOKEN")
            if not getattr(settings, name)
        ]
        if importlib.util.find_spec("aiohttp") is None:
            missing.append("the aiohttp package is not installed")
        return missing

    def sign(self, pdf: bytes, *, agency_code: str, reason: str, location: str) -> SignedPdf:
        self.ensure_ready(agency_code)
        # Each remote signing service authorises signatures its own way (SAD, OTP, push approval); the first
        # province to connect one writes that flow here, against the service's test environment.
        raise SignerNotConfigured(
            "The remote signing service is configured, but this build has no client for it yet; "
            "use the pkcs12 or pkcs11 signer."
        )
