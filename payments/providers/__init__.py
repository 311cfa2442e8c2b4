"""Payment providers: plug-ins of one shape (a base class, a registry, one module each).

``sandbox``: the VNPay 2.1 form against a demo payment page inside the portal. ``vnpay``: the same code against
VNPay, configured by merchant code and secret. ``counter``: payments taken at the desk by card or bank QR,
recorded by staff.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.errors import NotFound


@dataclass(frozen=True)
class Notice:
    """A provider's server-to-server notice, its signature already checked."""

    reference: str
    amount: int
    success: bool
    transaction_no: str
    paid_at: datetime | None
    response_code: str
    raw: dict[str, str] = field(default_factory=dict)


class NoticeRejected(Exception):
    """The notice is refused before it touches an invoice (a bad signature, a malformed field)."""

    def __init__(self, reason: str, *, outcome: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome


# Outcomes of a notice, which each provider answers in its own format.
ACCEPTED = "accepted"
FAILED_PAYMENT = "failed_payment"  # a genuine notice that the citizen's payment did not go through
FORGED = "forged"
UNKNOWN_INVOICE = "unknown_invoice"
REPLAYED = "replayed"
AMOUNT_MISMATCH = "amount_mismatch"
LATE = "late"  # the invoice is no longer open (paid through another transaction, or waived)
MALFORMED = "malformed"


class Provider:
    name = ""
    title = ""
    online = True  # paid by the citizen online (counted in the online-payment rate)

    def check_config(self) -> list[str]:
        return []

    def start(self, *, reference: str, amount: int, description: str, return_url: str, client_ip: str) -> str:
        """The address the citizen is sent to, to pay."""
        raise NotImplementedError

    def parse_notice(self, params: dict[str, str]) -> Notice:
        """Check the signature and read the notice; raises ``NoticeRejected``."""
        raise NotImplementedError

    def answer(self, outcome: str, reason: str) -> tuple[dict[str, Any], int]:
        """The body and status the provider expects back for ``outcome``."""
        return {"outcome": outcome, "detail": reason}, 200


class Registry:
    def __init__(self) -> None:
        self._providers: dict[str, type[Provider]] = {}

    def __call__(self, name: str) -> Callable[[type[Provider]], type[Provider]]:
        def register(cls: type[Provider]) -> type[Provider]:
            cls.name = name
            self._providers[name] = cls
            return cls

        return register

    def names(self) -> list[str]:
        return sorted(self._providers)

    def get(self, name: str) -> Provider:
        if name not in self._providers:
            raise NotFound(f"Unknown payment provider {name!r}.", code="unknown_provider")
        return self._providers[name]()


register = Registry()


def _load_plugins() -> None:
    from payments.providers import counter, sandbox, vnpay  # noqa: F401 - registers them


_load_plugins()
