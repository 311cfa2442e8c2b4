"""Every change to invoices: open, start a payment, take a provider's notice, record a counter payment, waive.

A notice marks an invoice paid only if its signature is right (constant-time), it names a known invoice, the amount
is exact, the code says success and the transaction was not seen before; the invoice row is locked, so two notices
at once mark it paid once. Every notice, accepted or not, leaves a ``PaymentEvent``.

An invoice's status moves only in ``invoice_mark_paid`` (a notice, a desk payment) and ``invoice_mark_waived``.
"""

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import Ask
from payments import dossier_link
from payments.constants import EventKind, InvoiceStatus
from payments.models import Invoice, Payment, PaymentEvent
from payments.providers import (
    ACCEPTED,
    AMOUNT_MISMATCH,
    FAILED_PAYMENT,
    LATE,
    REPLAYED,
    UNKNOWN_INVOICE,
    NoticeRejected,
    Provider,
    register,
)
from payments.providers.counter import CounterProvider
from portal.errors import InvalidState, NotFound, ServiceError
from portal.hooks import Hook
from portal.money import thousands

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)

COUNTER_METHODS = CounterProvider.METHODS  # how money is taken at the desk


def _enabled(name: str) -> Provider:
    """An enabled provider (``settings.PAYMENT_PROVIDERS``); 404 for one that is unknown or switched off."""
    if name not in settings.PAYMENT_PROVIDERS:
        raise NotFound(register.unknown_message(name), code="unknown_provider")
    return register.get(name)


def enabled_online_providers() -> list[str]:
    """The providers a citizen may pay through now: enabled, online, and configured."""
    names = []
    for name in settings.PAYMENT_PROVIDERS:
        plugin = register.get(name)
        if plugin.online and not plugin.check_config():
            names.append(name)
    return names


def _new_reference() -> str:
    return f"HP{timezone.localdate():%y%m%d}{secrets.randbelow(10**8):08d}"


# Run in the transaction of an invoice's change (opened, paid, waived), with its dossier's id: the service index's
# counters (stats registers from its ready()).
INVOICE_CHANGED: Hook[Callable[[int], None]] = Hook("what runs when an invoice changes")


def _changed(invoice: Invoice) -> None:
    for effect in INVOICE_CHANGED:
        effect(invoice.dossier_id)


def invoice_open(*, dossier: Any) -> Invoice | None:
    """Open the invoice of a dossier being submitted, from its procedure version's fees; None when it is free.

    Runs inside the submit transaction (a workflow hook); a resubmission keeps the invoice it has.
    """
    link = dossier_link.info(dossier)
    amount = sum(fee["amount"] for fee in link.fees)
    if amount == 0 or Invoice.objects.filter(dossier_id=link.id).exists():
        return None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                invoice = Invoice.objects.create(
                    dossier_id=link.id,
                    reference=_new_reference(),
                    amount=amount,
                    items=link.fees,
                    due_before=link.fee_due,
                )
            break
        except IntegrityError:  # the random reference was taken; draw again
            continue
    else:
        raise ServiceError("Could not draw a unique invoice reference.")
    PaymentEvent.objects.create(invoice=invoice, kind=EventKind.OPENED, payload={"amount": amount})
    _changed(invoice)
    return invoice


def blocking_reason(*, dossier_id: int, step: str) -> str | None:
    """Why the workflow's ``step`` (before_reception / before_return) must wait for the fee, or None."""
    invoice = Invoice.objects.filter(
        dossier_id=dossier_id, status=InvoiceStatus.OPEN, due_before=step
    ).first()
    if invoice is None:
        return None
    return _("The fee of %(amount)s đồng (invoice %(reference)s) has not been paid yet.") % {
        "amount": thousands(invoice.amount),
        "reference": invoice.reference,
    }


def invoice_for(*, dossier_id: int, user: Any, ask: Ask = Ask.INVOICE, log: str | None = None) -> Invoice:
    """The dossier's invoice, if ``user`` may ``ask`` about it (the receipt names the payer: ``Ask.RECEIPT``)."""
    dossier_link.visible(dossier_id, user, ask=ask, log=log)
    return _invoice_of(dossier_id)


def _invoice_of(dossier_id: int, *, lock: bool = False) -> Invoice:
    invoices = Invoice.objects.select_for_update() if lock else Invoice.objects.all()
    invoice = invoices.filter(dossier_id=dossier_id).first()
    if invoice is None:
        raise NotFound(_("This dossier has no fee to pay."), code="no_invoice")
    return invoice


def _require_open(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.OPEN:
        raise InvalidState(
            _("This invoice is %(status)s.") % {"status": invoice.get_status_display().lower()}
        )


def _require_locked() -> None:
    # A status move reads and writes the invoice row: only under the caller's row lock is that one step.
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An invoice's status moves inside the transaction that locked its row.")


def invoice_mark_paid(
    *,
    invoice: Invoice,
    provider: Provider,
    transaction_no: str,
    paid_at: datetime,
    event: EventKind,
    payload: dict[str, Any],
    actor: "User | None" = None,
    remote_addr: str | None = None,
) -> Invoice:
    """The only place an open invoice becomes paid: the payment (one per invoice, one per provider transaction,
    which the database also holds to), the invoice, and its ``event`` row (a notice's ``PAID``, the desk's
    ``COUNTER``). The caller has locked the invoice's row and checked the money."""
    _require_locked()
    _require_open(invoice)
    Payment.objects.create(
        invoice=invoice,
        provider=provider.name,
        transaction_no=transaction_no,
        amount=invoice.amount,
        paid_at=paid_at,
        recorded_by=actor,
    )
    invoice.status, invoice.paid_at = InvoiceStatus.PAID, paid_at
    invoice.provider, invoice.online = provider.name, provider.online
    invoice.save(update_fields=["status", "paid_at", "provider", "online"])
    PaymentEvent.objects.create(
        invoice=invoice,
        kind=event,
        provider=provider.name,
        transaction_no=transaction_no,
        actor=actor,
        payload=payload,
        remote_addr=remote_addr,
    )
    _changed(invoice)
    return invoice


def invoice_mark_waived(*, invoice: Invoice, reason: str, actor: "User") -> Invoice:
    """The only place an open invoice becomes waived, with its legal reason; the caller has locked its row."""
    _require_locked()
    _require_open(invoice)
    invoice.status, invoice.waived_reason, invoice.waived_by = InvoiceStatus.WAIVED, reason[:2000], actor
    invoice.save(update_fields=["status", "waived_reason", "waived_by"])
    PaymentEvent.objects.create(invoice=invoice, kind=EventKind.WAIVED, actor=actor, reason=reason[:255])
    _changed(invoice)
    return invoice


def payment_start(*, dossier_id: int, user: Any, provider_name: str, return_url: str, client_ip: str) -> str:
    """Start paying the invoice online; returns the provider's address to send the citizen to."""
    invoice = invoice_for(dossier_id=dossier_id, user=user)
    link = dossier_link.visible(dossier_id, user, ask=Ask.PAY_ONLINE)
    _require_open(invoice)
    provider = _enabled(provider_name)
    if not provider.online:
        raise ServiceError(
            _("%(name)s payments are taken at the counter.") % {"name": provider.title}, code="not_online"
        )
    missing = provider.check_config()
    if missing:
        raise ServiceError(
            _("This payment method is not available: %(why)s.") % {"why": "; ".join(missing)},
            code="provider_unavailable",
        )
    url = provider.start(
        reference=invoice.reference,
        amount=invoice.amount,
        description=f"Le phi ho so {link.code}",
        return_url=return_url,
        client_ip=client_ip,
    )
    PaymentEvent.objects.create(invoice=invoice, kind=EventKind.STARTED, provider=provider.name, actor=user)
    return url


def _storable(value: Any, limit: int) -> str:
    """``value`` as text every database keeps (no NUL, no lone surrogate), cut to ``limit`` characters.

    A notice is recorded whatever it holds; PostgreSQL refuses NUL and both refuse unencodable text."""
    text = str(value)[:limit].replace("\x00", "\ufffd")
    return text.encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True)
class NoticeResult:
    outcome: str
    reason: str
    invoice: Invoice | None
    body: dict[str, Any]
    status: int


_REFERENCE = re.compile(r"[A-Za-z0-9_.-]{1,32}")


def notice_digest(*, raw: bytes, params: dict[str, str]) -> dict[str, Any]:
    """What is kept of a rejected notice: never its body, only its SHA-256, its size and the invoice reference it
    names (when it looks like one)."""
    reference = str(params.get("vnp_TxnRef", ""))
    return {
        "reference": reference if _REFERENCE.fullmatch(reference) else "",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        "count": 1,
    }


def _reject(
    provider: Provider,
    outcome: str,
    reason: str,
    *,
    invoice: Invoice | None,
    params: dict[str, str],
    remote_addr: str | None,
    raw: bytes,
    transaction_no: str = "",
) -> NoticeResult:
    """Record a rejected notice as a digest. The same notice again within PAYMENT_REJECTED_WINDOW, or any notice
    once the window holds PAYMENT_REJECTED_MAX_PER_WINDOW rejections of the provider, is counted on the latest
    row of its kind instead of stored again: anyone may send notices, and the rows stay bounded."""
    digest = notice_digest(raw=raw, params=params)
    text = _storable(f"{outcome}: {reason}", 255)
    since = timezone.now() - timedelta(seconds=settings.PAYMENT_REJECTED_WINDOW)
    recent = PaymentEvent.objects.filter(kind=EventKind.REJECTED, provider=provider.name, at__gte=since)
    with transaction.atomic():
        same = recent.filter(invoice=invoice, reason=text, payload__sha256=digest["sha256"])
        event = same.select_for_update().order_by("-id").first()
        if event is None and recent.count() >= settings.PAYMENT_REJECTED_MAX_PER_WINDOW:
            event = (
                recent.filter(reason__startswith=f"{outcome}:").select_for_update().order_by("-id").first()
            )
        if event is not None:
            event.payload = {**event.payload, "count": int(event.payload.get("count", 1)) + 1}
            event.payload["last_at"] = timezone.now().isoformat()
            event.save(update_fields=["payload"])
        else:
            PaymentEvent.objects.create(
                invoice=invoice,
                kind=EventKind.REJECTED,
                provider=provider.name,
                transaction_no=_storable(transaction_no, 64),
                reason=text,
                payload=digest,
                remote_addr=remote_addr,
            )
    body, status = provider.answer(outcome, reason)
    return NoticeResult(outcome, reason, invoice, body, status)


def notice_handle(
    *, provider_name: str, params: dict[str, str], remote_addr: str | None, raw: bytes = b""
) -> NoticeResult:
    """Take a provider's server notice; only a genuine, fresh, exact, successful one marks the invoice paid.

    ``raw`` is the notice as received (query string and body); a rejected one is kept only as its digest."""
    provider = _enabled(provider_name)
    params = {_storable(k, 64): _storable(v, 512) for k, v in list(params.items())[:64]}
    try:
        notice = provider.parse_notice(params)
    except NoticeRejected as exc:
        return _reject(
            provider, exc.outcome, exc.reason, invoice=None, params=params, remote_addr=remote_addr, raw=raw
        )
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(reference=notice.reference).first()
        reject = partial(
            _reject,
            provider,
            params=params,
            remote_addr=remote_addr,
            transaction_no=notice.transaction_no,
            raw=raw,
        )
        if invoice is None:
            return reject(UNKNOWN_INVOICE, f"No invoice {notice.reference}.", invoice=None)
        if Payment.objects.filter(provider=provider.name, transaction_no=notice.transaction_no).exists():
            return reject(REPLAYED, "This transaction was already taken.", invoice=invoice)
        if notice.amount != invoice.amount:
            return reject(AMOUNT_MISMATCH, f"Paid {notice.amount}, due {invoice.amount}.", invoice=invoice)
        if not notice.success:
            return reject(
                FAILED_PAYMENT, f"The payment failed (code {notice.response_code}).", invoice=invoice
            )
        if invoice.status != InvoiceStatus.OPEN:
            return reject(LATE, f"The invoice is already {invoice.status}.", invoice=invoice)
        invoice_mark_paid(
            invoice=invoice,
            provider=provider,
            transaction_no=notice.transaction_no,
            paid_at=notice.paid_at or timezone.now(),
            event=EventKind.PAID,
            payload=params,
            remote_addr=remote_addr,
        )
    body, status = provider.answer(ACCEPTED, "Paid.")
    return NoticeResult(ACCEPTED, "Paid.", invoice, body, status)


@transaction.atomic
def counter_payment_record(*, dossier_id: int, user: Any, method: str, reference: str = "") -> Invoice:
    """Record a fee taken at the desk by card or bank QR."""
    dossier_link.visible(dossier_id, user, ask=Ask.COUNTER_PAYMENT)
    provider = _enabled("counter")
    if method not in COUNTER_METHODS:
        raise ServiceError(_("The method must be one of: card, bank_qr."), code="invalid_method")
    invoice = _invoice_of(dossier_id, lock=True)
    _require_open(invoice)
    transaction_no = (reference or f"{method}-{secrets.token_hex(6)}")[:64]
    if Payment.objects.filter(provider=provider.name, transaction_no=transaction_no).exists():
        raise InvalidState(
            _("This card or QR transaction was already recorded."), code="duplicate_transaction"
        )
    return invoice_mark_paid(
        invoice=invoice,
        provider=provider,
        transaction_no=transaction_no,
        paid_at=timezone.now(),
        event=EventKind.COUNTER,
        payload={"method": method},
        actor=user,
    )


@transaction.atomic
def invoice_waive(*, dossier_id: int, user: Any, reason: str) -> Invoice:
    """Exempt the dossier from its fee, with the legal reason, by staff of the competent agency."""
    dossier_link.visible(dossier_id, user, ask=Ask.WAIVE)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A waiver needs its legal reason."), code="comment_required")
    return invoice_mark_waived(invoice=_invoice_of(dossier_id, lock=True), reason=reason, actor=user)
