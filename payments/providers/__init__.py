"""Payment providers: plug-ins of one shape (a base class, a registry, one module each).

``sandbox``: the VNPay 2.1 form against a demo payment page inside the portal. ``vnpay``: the same code against
VNPay, configured by merchant code and secret. ``counter``: payments taken at the desk by card or bank QR,
recorded by staff.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.errors import NotFound
from portal.registry import Plugin, Registry


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


@dataclass(frozen=True)
class Signed:
    """An address the provider signed (the request to its pay page, or the citizen's way back), its signature
    already checked."""

    reference: str
    amount: int  # đồng
    success: bool  # the provider's code says the payment went through (on the way back)
    fields: dict[str, str]  # the provider's fields as received, the signature included


@dataclass(frozen=True)
class QueryAnswer:
    """What the provider says of one attempt when asked (VNPay's ``querydr``), its signature already checked.

    ``found`` False: the provider has no such transaction (the citizen never paid); ``notice`` otherwise, read like
    a server notice (``success`` or not); ``pending`` while the provider has not finished it either."""

    found: bool
    pending: bool = False
    notice: Notice | None = None
    code: str = ""


@dataclass(frozen=True)
class RefundAnswer:
    """The provider's answer to a refund call (VNPay's ``refund``), its signature already checked."""

    ok: bool
    transaction_no: str = ""
    code: str = ""
    message: str = ""


class ProviderUnavailable(Exception):
    """The provider's API did not answer, or answered something that cannot be trusted (a bad signature)."""


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


class Provider(Plugin):
    title = ""
    online = True  # paid by the citizen online (counted in the online-payment rate)

    def start(self, *, reference: str, amount: int, description: str, return_url: str, client_ip: str) -> str:
        """The address the citizen is sent to, to pay."""
        raise NotImplementedError

    def parse_notice(self, params: dict[str, str]) -> Notice:
        """Check the signature and read the notice; raises ``NoticeRejected``."""
        raise NotImplementedError

    def read_signed(self, params: dict[str, str]) -> Signed | None:
        """The address's fields read, if the provider signed them (``params`` may hold other fields too); None
        when the signature does not hold, or the provider signs no addresses (the counter)."""
        return None

    def pay_page_notice(self, request: Signed, *, paid: bool) -> dict[str, str]:
        """The signed server notice a demo pay page sends once the demo user pays or cancels ``request``; only
        a provider whose pay page is the portal's own (the sandbox) has one."""
        raise NotImplementedError(f"The {self.name} provider has no pay page in the portal.")

    def answer(self, outcome: str, reason: str) -> tuple[dict[str, Any], int]:
        """The body and status the provider expects back for ``outcome``."""
        return {"outcome": outcome, "detail": reason}, 200

    def query(self, *, reference: str, created_at: datetime, client_ip: str) -> QueryAnswer:
        """Ask the provider what became of the attempt ``reference``; raises ``ProviderUnavailable``."""
        raise NotImplementedError(f"The {self.name} provider cannot be asked.")

    def refund(
        self,
        *,
        reference: str,
        transaction_no: str,
        paid_at: datetime,
        amount: int,
        full: bool,
        created_by: str,
        order_info: str,
        client_ip: str,
    ) -> RefundAnswer:
        """Ask the provider to pay ``amount`` back on the transaction; raises ``ProviderUnavailable``. Only online
        providers have one: a counter refund is handed back at the desk."""
        raise NotImplementedError(f"The {self.name} provider has no refund call.")


register = Registry[Provider](
    "payment provider",
    error=lambda message: NotFound(message, code="unknown_provider"),
    list_known=False,
)


def _load_plugins() -> None:
    from payments.providers import counter, sandbox, vnpay  # noqa: F401 - registers them


_load_plugins()
