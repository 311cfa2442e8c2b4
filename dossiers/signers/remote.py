"""A remote signing service speaking the Cloud Signature Consortium API (pyHanko's CSC signer).

Needs ``SIGNING_REMOTE_URL``, ``SIGNING_REMOTE_TOKEN`` and the ``aiohttp`` package; until then it refuses with
what is missing. Not yet exercised against a real service: the first province to use one should add a test.
"""

import asyncio
import importlib.util

from django.conf import settings

from dossiers.signers import SignedPdf, Signer, pades, register


@register("remote")
class RemoteSigner(Signer):
    def check_config(self, agency_code: str) -> list[str]:
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
        import aiohttp
        from pyhanko.sign.signers import csc_signer

        async def load() -> csc_signer.CSCSigner:
            session = aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {settings.SIGNING_REMOTE_TOKEN}"}
            )
            info = await csc_signer.fetch_certs_in_csc_credential(
                session, csc_signer.CSCServiceSessionInfo(settings.SIGNING_REMOTE_URL, agency_code)
            )
            auth = csc_signer.PrefetchedSADAuthorizationManager(info, csc_signer.CSCAuthorizationInfo(sad=""))
            return csc_signer.CSCSigner(session, auth)

        signer = asyncio.run(load())
        cert = signer.signing_cert
        data = pades.sign(pdf, signer, reason=reason, location=location)
        return SignedPdf(data, cert.subject.native.get("common_name", ""), format(cert.serial_number, "x"))
