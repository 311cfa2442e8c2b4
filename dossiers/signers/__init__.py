"""Signers of results: plug-ins of one shape (a base class, a registry, one module each).

``pkcs12``: each agency's key in a PKCS#12 file (the demo and small provinces). ``pkcs11``: a key on a token or
HSM. ``remote``: a remote signing service. ``settings.SIGNER`` picks one; ``check_config()`` says what is missing.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from portal.errors import ServiceError
from portal.registry import Plugin, Registry


class SignerNotConfigured(ServiceError):
    status = 503
    code = "signer_not_configured"


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    signer_name: str  # the subject of the signing certificate
    certificate_serial: str
    level: str = ""  # e.g. "PAdES-B-LT"
    timestamped_at: datetime.datetime | None = None  # the signature time stamp's time


class Signer(Plugin):
    """Signs a PDF as one agency with a PAdES signature."""

    def check_config(self, agency_code: str | None = None) -> list[str]:
        """What is missing before this signer can sign (for ``agency_code``, when given); empty when ready."""
        return []

    def sign(self, pdf: bytes, *, agency_code: str, reason: str, location: str) -> SignedPdf:
        raise NotImplementedError

    def ensure_ready(self, agency_code: str) -> None:
        missing = self.check_config(agency_code)
        if missing:
            raise SignerNotConfigured(f"The {self.name} signer is not configured: {'; '.join(missing)}.")


register = Registry[Signer]("signer", error=SignerNotConfigured)
_instances: dict[str, Signer] = {}


def current() -> Signer:
    """The configured signer, one instance per process (it keeps loaded keys between documents)."""
    name = settings.SIGNER
    if name not in _instances:
        _instances[name] = register.get(name)
    return _instances[name]


def _load_plugins() -> None:
    from dossiers.signers import pkcs11, pkcs12, remote  # noqa: F401 - registers them


_load_plugins()

__all__: list[Any] = ["SignedPdf", "Signer", "SignerNotConfigured", "current", "register"]
