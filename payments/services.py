"""Every change to invoices: open, start a payment attempt, settle it (the provider's notice, or the provider's
answer when asked), record a counter payment, waive, refund.

A settlement marks an invoice paid only if its signature is right (constant-time), it names a known attempt, the
amount is exact, the attempt was not settled before, the code says success and the transaction was not seen
before; the invoice row is locked, so a notice and a query (or two notices) at once mark it paid once. Every step,
accepted or not, leaves a ``PaymentEvent``.

An invoice's status moves only in ``invoice_mark_paid`` (a notice, a query, a desk payment),
``invoice_mark_waived`` and ``_invoice_mark_refund`` (a refund starts, is done or refused).
"""

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_permission
from accounts.policy import Ask
from notifications import services as notifications
from payments import dossier_link
from payments.constants import AttemptStatus, EventKind, InvoiceStatus, RefundRule, RefundStatus
from payments.models import Invoice, Payment, PaymentAttempt, PaymentEvent, Refund
from payments.providers import (
    ACCEPTED,
    AMOUNT_MISMATCH,
    FAILED_PAYMENT,
    LATE,
    REPLAYED,
    UNKNOWN_INVOICE,
    Notice,
    NoticeRejected,
    Provider,
    ProviderUnavailable,
    QueryAnswer,
    register,
)
from payments.providers.counter import CounterProvider
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
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


# Run in the transaction of a step of the fee that the dossier's history shows (paid online or at the desk, waived,
# refunded), with its invoice and event row: payments/hooks.py writes the history row (dossiers.history).
FEE_RECORDED: Hook[Callable[[Invoice, PaymentEvent], None]] = Hook(
    "a step of the fee in the dossier's history"
)


def _recorded(invoice: Invoice, event: PaymentEvent) -> None:
    for effect in FEE_RECORDED:
        effect(invoice, event)


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
    attempt: PaymentAttempt | None = None,
) -> Invoice:
    """The only place an open invoice becomes paid: the payment (one per invoice, one per provider transaction,
    which the database also holds to), the invoice, and its ``event`` row (a notice's ``PAID``, the desk's
    ``COUNTER``). The caller has locked the invoice's row and checked the money."""
    _require_locked()
    _require_open(invoice)
    Payment.objects.create(
        invoice=invoice,
        attempt=attempt,
        provider=provider.name,
        transaction_no=transaction_no,
        amount=invoice.amount,
        paid_at=paid_at,
        recorded_by=actor,
    )
    if attempt is not None:
        attempt.status, attempt.settled_at = AttemptStatus.PAID, timezone.now()
        attempt.save(update_fields=["status", "settled_at"])
    invoice.status, invoice.paid_at = InvoiceStatus.PAID, paid_at
    invoice.provider, invoice.online = provider.name, provider.online
    invoice.save(update_fields=["status", "paid_at", "provider", "online"])
    row = PaymentEvent.objects.create(
        invoice=invoice,
        kind=event,
        amount=invoice.amount,
        provider=provider.name,
        transaction_no=transaction_no,
        actor=actor,
        payload=payload,
        remote_addr=remote_addr,
    )
    _changed(invoice)
    _recorded(invoice, row)
    return invoice


def invoice_mark_waived(*, invoice: Invoice, reason: str, actor: "User") -> Invoice:
    """The only place an open invoice becomes waived, with its legal reason; the caller has locked its row."""
    _require_locked()
    _require_open(invoice)
    invoice.status, invoice.waived_reason, invoice.waived_by = InvoiceStatus.WAIVED, reason[:2000], actor
    invoice.save(update_fields=["status", "waived_reason", "waived_by"])
    row = PaymentEvent.objects.create(
        invoice=invoice, kind=EventKind.WAIVED, actor=actor, reason=reason[:255]
    )
    _changed(invoice)
    _recorded(invoice, row)
    return invoice


def attempt_open(*, invoice: Invoice, provider: Provider) -> PaymentAttempt:
    """A new attempt at paying ``invoice`` through ``provider``, with its own reference (VNPay's ``vnp_TxnRef``
    is unique per attempt): the invoice's reference and the attempt's number. Locks the invoice's row."""
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        _require_open(locked)
        number = PaymentAttempt.objects.filter(invoice=locked).count() + 1
        return PaymentAttempt.objects.create(
            invoice=locked,
            provider=provider.name,
            reference=f"{locked.reference}{number:03d}",
            amount=locked.amount,
            created_at=timezone.now(),
        )


def payment_start(*, dossier_id: int, user: Any, provider_name: str, return_url: str, client_ip: str) -> str:
    """Start paying the invoice online (a new attempt); returns the provider's address to send the citizen to."""
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
    attempt = attempt_open(invoice=invoice, provider=provider)
    url = provider.start(
        reference=attempt.reference,
        amount=attempt.amount,
        description=f"Le phi ho so {link.code}",
        return_url=return_url,
        client_ip=client_ip,
    )
    PaymentEvent.objects.create(
        invoice=invoice,
        kind=EventKind.STARTED,
        provider=provider.name,
        actor=user,
        payload={"attempt": attempt.reference},
    )
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
    return _settle(provider, notice, params=params, remote_addr=remote_addr, raw=raw)


def _settle(
    provider: Provider, notice: Notice, *, params: dict[str, str], remote_addr: str | None, raw: bytes
) -> NoticeResult:
    """Settle the attempt a genuine notice (or the provider's answer to a query) names, in VNPay's order of checks:
    the attempt exists, the amount is exact, the attempt is not settled yet; then paid or not."""
    with transaction.atomic():
        found = PaymentAttempt.objects.filter(reference=notice.reference, provider=provider.name).first()
        reject = partial(
            _reject,
            provider,
            params=params,
            remote_addr=remote_addr,
            transaction_no=notice.transaction_no,
            raw=raw,
        )
        if found is None:
            return reject(UNKNOWN_INVOICE, f"No payment attempt {notice.reference}.", invoice=None)
        # The invoice's row first, then the attempt's: a notice and a query of one attempt wait for each other.
        invoice = Invoice.objects.select_for_update().get(pk=found.invoice_id)
        attempt = PaymentAttempt.objects.select_for_update().get(pk=found.pk)
        if notice.amount != attempt.amount:
            return reject(AMOUNT_MISMATCH, f"Paid {notice.amount}, due {attempt.amount}.", invoice=invoice)
        if attempt.status != AttemptStatus.PENDING:
            return reject(REPLAYED, f"The attempt is already {attempt.status}.", invoice=invoice)
        if Payment.objects.filter(provider=provider.name, transaction_no=notice.transaction_no).exists():
            return reject(REPLAYED, "This transaction was already taken.", invoice=invoice)
        if not notice.success:
            attempt.status, attempt.settled_at = AttemptStatus.FAILED, timezone.now()
            attempt.save(update_fields=["status", "settled_at"])
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
            attempt=attempt,
        )
    body, status = provider.answer(ACCEPTED, "Paid.")
    return NoticeResult(ACCEPTED, "Paid.", invoice, body, status)


def open_attempt_ids(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Online attempts still waiting PAYMENT_QUERY_AFTER_MINUTES after they started: their notice may be lost."""
    now = now or timezone.now()
    before = now - timedelta(minutes=settings.PAYMENT_QUERY_AFTER_MINUTES)
    return list(
        PaymentAttempt.objects.filter(status=AttemptStatus.PENDING, created_at__lte=before)
        .order_by("queried_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _query_outcome(answer: QueryAnswer, attempt: PaymentAttempt, now: datetime) -> tuple[str, str]:
    if not answer.found:
        give_up = attempt.created_at + timedelta(hours=settings.PAYMENT_QUERY_GIVE_UP_HOURS) <= now
        return ("closed" if give_up else "not_found"), f"code {answer.code}"
    if answer.pending:
        return "pending", f"status {answer.code}"
    return ("paid" if answer.notice and answer.notice.success else "failed"), ""


def attempt_query(*, attempt_id: int, now: datetime | None = None) -> str:
    """Ask the provider what became of an open attempt (VNPay's ``querydr``) and settle it through the same path
    as a notice. Returns what happened: ``paid``, ``failed``, ``pending``, ``not_found``, ``closed`` (given up),
    ``unavailable`` or ``settled`` (nothing left to ask). Safe to run twice, and beside a late notice."""
    now = now or timezone.now()
    attempt = PaymentAttempt.objects.filter(pk=attempt_id, status=AttemptStatus.PENDING).first()
    if attempt is None:
        return "settled"
    provider = register.get(attempt.provider)
    answer: QueryAnswer | None = None
    try:
        answer = provider.query(
            reference=attempt.reference, created_at=attempt.created_at, client_ip="127.0.0.1"
        )
    except ProviderUnavailable as exc:
        outcome, detail = "unavailable", str(exc)
    else:
        outcome, detail = _query_outcome(answer, attempt, now)
    with transaction.atomic():
        # The invoice's row first, as every settling does: a notice holding it never waits for us the other way.
        Invoice.objects.select_for_update().filter(pk=attempt.invoice_id).first()
        PaymentAttempt.objects.filter(pk=attempt.pk).update(queried_at=now, queries=models.F("queries") + 1)
        if outcome == "closed":
            PaymentAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.PENDING).update(
                status=AttemptStatus.FAILED, settled_at=now
            )
        PaymentEvent.objects.create(
            invoice_id=attempt.invoice_id,
            kind=EventKind.QUERIED,
            provider=provider.name,
            reason=_storable(f"{outcome}: {detail}".rstrip(": "), 255),
            payload={"attempt": attempt.reference},
        )
    if answer is not None and answer.notice is not None and outcome in ("paid", "failed"):
        notice = answer.notice
        result = _settle(
            provider,
            notice,
            params={k: _storable(v, 512) for k, v in list(notice.raw.items())[:64]},
            remote_addr=None,
            raw=json.dumps(notice.raw, sort_keys=True).encode(),
        )
        if outcome == "paid" and result.outcome != ACCEPTED:
            return (
                "settled"  # a notice got there first, or the money is not what was due: recorded either way
            )
    return outcome


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


# --- Refunds ------------------------------------------------------------------------------------------------------

AUTOMATIC_REASONS = {
    RefundRule.REFUSED: "Hồ sơ bị từ chối tiếp nhận: hoàn trả phí, lệ phí đã nộp trước khi tiếp nhận hồ sơ.",
    RefundRule.WITHDRAWN: "Hồ sơ được rút trước khi tiếp nhận: hoàn trả phí, lệ phí đã nộp.",
}


def _invoice_mark_refund(invoice: Invoice, refund: Refund, *, event: EventKind, actor: "User | None") -> None:
    """The only place an invoice's status moves for a refund: ``refund_pending`` while ``refund`` is under way;
    once it is done, ``refunded`` when nothing is left, else ``paid`` again (partly refunded); refused, ``paid``."""
    _require_locked()
    if event == EventKind.REFUND_REQUESTED:
        invoice.status = InvoiceStatus.REFUND_PENDING
    elif event == EventKind.REFUNDED:
        invoice.refunded_amount += refund.amount
        invoice.status = (
            InvoiceStatus.REFUNDED if invoice.refunded_amount >= invoice.amount else InvoiceStatus.PAID
        )
    else:
        invoice.status = InvoiceStatus.PAID
    invoice.save(update_fields=["status", "refunded_amount"])
    row = PaymentEvent.objects.create(
        invoice=invoice,
        kind=event,
        amount=refund.amount,
        provider=refund.provider,
        transaction_no=refund.transaction_no,
        actor=actor,
        reason=_storable(refund.failure or refund.reason, 255),
        payload={"refund": refund.reference, "rule": refund.rule},
    )
    _changed(invoice)  # the service index counts paid fees: a refund moves them
    if event == EventKind.REFUNDED:
        _recorded(invoice, row)


def _refund_open(
    *, invoice: Invoice, amount: int, reason: str, rule: RefundRule, actor: "User | None"
) -> Refund:
    """A refund of ``amount`` on the locked, paid ``invoice``; the money goes back through the provider that took
    it (after commit) or at the desk."""
    _require_locked()
    if invoice.status != InvoiceStatus.PAID:
        raise InvalidState(
            _("Only a paid invoice can be refunded; this one is %(status)s.")
            % {"status": invoice.get_status_display().lower()},
            code="not_refundable",
        )
    left = invoice.amount - invoice.refunded_amount
    if not 0 < amount <= left:
        raise ServiceError(
            _("The amount must be between 1 and %(left)s đồng (what is left to refund).")
            % {"left": thousands(left)},
            code="invalid_amount",
        )
    number = Refund.objects.filter(invoice=invoice).count() + 1
    refund = Refund.objects.create(
        invoice=invoice,
        reference=f"{invoice.reference}R{number:02d}",
        provider=invoice.provider,
        amount=amount,
        reason=reason[:2000],
        rule=rule,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    _invoice_mark_refund(invoice, refund, event=EventKind.REFUND_REQUESTED, actor=actor)
    transaction.on_commit(partial(_tell_citizen, refund.pk))
    if register.get(refund.provider).online:
        transaction.on_commit(partial(refund_send, refund_id=refund.pk))
    return refund


def refund_start(*, dossier_id: int, user: Any, amount: int, reason: str) -> Refund:
    """Finance staff refund a paid invoice, in full or in part, with the legal reason."""
    if not has_permission(user, "payments.refund"):
        raise NotAllowed(_("Only the province's finance staff may refund a fee."))
    dossier_link.visible(dossier_id, user, ask=Ask.INVOICE)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A refund needs its legal reason."), code="comment_required")
    with transaction.atomic():
        invoice = _invoice_of(dossier_id, lock=True)
        return _refund_open(invoice=invoice, amount=amount, reason=reason, rule=RefundRule.STAFF, actor=user)


def refund_automatic(*, dossier_id: int, rule: RefundRule) -> Refund | None:
    """The refund the rule gives without anyone asking (refused at reception after paying a fee due before it,
    withdrawn before reception): the whole fee still held. Runs inside the workflow's transaction."""
    invoice = Invoice.objects.select_for_update().filter(dossier_id=dossier_id).first()
    if invoice is None or invoice.status != InvoiceStatus.PAID or invoice.refunded_amount >= invoice.amount:
        return None
    return _refund_open(
        invoice=invoice,
        amount=invoice.amount - invoice.refunded_amount,
        reason=AUTOMATIC_REASONS[rule],
        rule=rule,
        actor=None,
    )


def refund_send(*, refund_id: int) -> Refund | None:
    """Ask the online provider that took the money to pay ``refund`` back (VNPay's ``refund`` call); claimed with
    a conditional update, so it is sent once. The answer settles it: done, or refused (the invoice is paid
    again and finance staff see why). No answer at all leaves it pending, for finance staff to check."""
    claimed = Refund.objects.filter(pk=refund_id, status=RefundStatus.PENDING, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return None
    refund = Refund.objects.select_related("invoice").get(pk=refund_id)
    provider = register.get(refund.provider)
    payment = Payment.objects.select_related("attempt").filter(invoice_id=refund.invoice_id).first()
    if payment is None:
        return _refund_settle(refund_id=refund.pk, ok=False, message="No payment to refund.", actor=None)
    try:
        answer = provider.refund(
            reference=payment.attempt.reference if payment.attempt else refund.invoice.reference,
            transaction_no=payment.transaction_no,
            paid_at=payment.paid_at,
            amount=refund.amount,
            full=refund.amount == refund.invoice.amount,
            created_by=refund.requested_by.username if refund.requested_by else "portal",
            order_info=f"Hoan tra {refund.reference}",
            client_ip="127.0.0.1",
        )
    except ProviderUnavailable as exc:
        log.error("refund %s: %s", refund.reference, exc)
        Refund.objects.filter(pk=refund.pk).update(failure=_storable(f"No answer: {exc}", 255))
        return refund
    return _refund_settle(
        refund_id=refund.pk,
        ok=answer.ok,
        transaction_no=answer.transaction_no,
        message="" if answer.ok else f"{answer.code} {answer.message}".strip(),
        actor=None,
    )


def _refund_settle(
    *, refund_id: int, ok: bool, actor: "User | None", transaction_no: str = "", message: str = ""
) -> Refund:
    with transaction.atomic():
        invoice_id = Refund.objects.values_list("invoice_id", flat=True).get(pk=refund_id)
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)  # the invoice's row first, as always
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != RefundStatus.PENDING:
            raise InvalidState(_("This refund is settled already."), code="refund_settled")
        refund.status = RefundStatus.DONE if ok else RefundStatus.FAILED
        refund.done_at, refund.done_by = timezone.now(), actor
        refund.transaction_no, refund.failure = transaction_no[:64], message[:255]
        refund.save(update_fields=["status", "done_at", "done_by", "transaction_no", "failure"])
        _invoice_mark_refund(
            invoice, refund, event=EventKind.REFUNDED if ok else EventKind.REFUND_FAILED, actor=actor
        )
        if ok:
            transaction.on_commit(partial(_tell_citizen, refund.pk))
    return refund


def refund_paid_back(*, refund_id: int, user: Any, reference: str = "") -> Refund:
    """The desk handed a counter payment's refund back (cash is not taken: card or bank transfer, ``reference``);
    by finance staff or counter staff of the dossier."""
    refund = Refund.objects.select_related("invoice").filter(pk=refund_id).first()
    if refund is None:
        raise NotFound(_("No such refund."), code="not_found")
    if not has_permission(user, "payments.refund"):
        dossier_link.visible(refund.invoice.dossier_id, user, ask=Ask.COUNTER_PAYMENT)
    if register.get(refund.provider).online:
        raise InvalidState(_("An online payment is refunded through its provider."), code="online_refund")
    return _refund_settle(
        refund_id=refund.pk, ok=True, actor=user, transaction_no=(reference or f"desk-{refund.reference}")
    )


def refund_for(*, dossier_id: int, refund_id: int, user: Any) -> Refund:
    """A refund of the dossier's invoice, if ``user`` may read its receipts (``Ask.RECEIPT``: it names the payer,
    so it is the applicant's and the case workers', like the payment receipt); the read is logged."""
    dossier_link.visible(dossier_id, user, ask=Ask.RECEIPT, log="receipt")
    refund = (
        Refund.objects.select_related("invoice").filter(pk=refund_id, invoice__dossier_id=dossier_id).first()
    )
    if refund is None:
        raise NotFound(_("No such refund."), code="no_refund")
    return refund


def _tell_citizen(refund_id: int) -> None:
    refund = Refund.objects.select_related("invoice").get(pk=refund_id)
    notifications.notify_refund(
        dossier_id=refund.invoice.dossier_id,
        occurrence=f"{refund.reference}-{refund.status}",
        amount=refund.amount,
        done=refund.status == RefundStatus.DONE,
        reason=refund.reason,
        counter=not register.get(refund.provider).online,
    )
