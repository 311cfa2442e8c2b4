"""Reads of invoices that pages need outside a dossier's door, and the finance office's figures."""

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum

from dossiers.sla import TZ
from payments.constants import InvoiceStatus, RefundStatus
from payments.models import Invoice, Payment, PaymentAttempt, Refund
from procedures.models import Agency


def invoice_by_reference(reference: str) -> Invoice | None:
    """The invoice a provider's signed address names (through its attempt's reference), or None (the signature
    was checked by the provider)."""
    if not reference:
        return None
    attempt = PaymentAttempt.objects.select_related("invoice").filter(reference=reference).first()
    return attempt.invoice if attempt else None


def invoice_of(dossier_id: int) -> Invoice | None:
    """The dossier's invoice, if its procedure has a fee."""
    return Invoice.objects.filter(dossier_id=dossier_id).first()


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=TZ),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=TZ),
    )


def finance_figures(*, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """Per agency, for the days ``start``..``end`` (Vietnam's time), what a finance office closes a period with:

    - ``paid``: money taken (payments made in the period), and how much of it online;
    - ``refunded``: money paid back (refunds done in the period); ``refund_pending``: refunds still under way;
    - ``net``: paid − refunded; ``outstanding``: fees of invoices opened in the period still open now;
    - ``online_payment``: the service index's indicator 4.1 (``stats.indicators``: of the fee-bearing dossiers
      submitted in the period, those whose fee stands paid through an online provider), counted the same way.
    """
    low, high = _bounds(start, end)
    rows: dict[int, dict[str, Any]] = defaultdict(
        lambda: {
            "paid": 0,
            "paid_online": 0,
            "payments": 0,
            "refunded": 0,
            "refunds": 0,
            "refund_pending": 0,
            "outstanding": 0,
            "open_invoices": 0,
            "rate_total": 0,
            "rate_online": 0,
        }
    )
    for p in (
        Payment.objects.filter(paid_at__gte=low, paid_at__lt=high)
        .values("invoice__dossier__agency_id")
        .order_by()
        .annotate(
            total=Sum("amount"),
            online=Sum("amount", filter=Q(invoice__online=True)),
            n=Count("id"),
        )
    ):
        row = rows[p["invoice__dossier__agency_id"]]
        row["paid"], row["paid_online"], row["payments"] = p["total"] or 0, p["online"] or 0, p["n"]
    for r in (
        Refund.objects.filter(
            Q(status=RefundStatus.DONE, done_at__gte=low, done_at__lt=high) | Q(status=RefundStatus.PENDING)
        )
        .values("invoice__dossier__agency_id")
        .order_by()
        .annotate(
            done=Sum("amount", filter=Q(status=RefundStatus.DONE)),
            n=Count("id", filter=Q(status=RefundStatus.DONE)),
            pending=Sum("amount", filter=Q(status=RefundStatus.PENDING)),
        )
    ):
        row = rows[r["invoice__dossier__agency_id"]]
        row["refunded"], row["refunds"], row["refund_pending"] = r["done"] or 0, r["n"], r["pending"] or 0
    for i in (
        Invoice.objects.filter(status=InvoiceStatus.OPEN, opened_at__gte=low, opened_at__lt=high)
        .values("dossier__agency_id")
        .order_by()
        .annotate(total=Sum("amount"), n=Count("id"))
    ):
        row = rows[i["dossier__agency_id"]]
        row["outstanding"], row["open_invoices"] = i["total"] or 0, i["n"]
    # The service index's 4.1, to the letter (stats.indicators): of the fee-bearing dossiers submitted in the
    # period, those whose fee stands paid through an online provider.
    for i in (
        Invoice.objects.filter(dossier__submitted_at__gte=low, dossier__submitted_at__lt=high)
        .values("dossier__agency_id")
        .order_by()
        .annotate(total=Count("id"), online=Count("id", filter=Q(online=True, status=InvoiceStatus.PAID)))
    ):
        row = rows[i["dossier__agency_id"]]
        row["rate_total"], row["rate_online"] = i["total"], i["online"]
    names = dict(Agency.objects.filter(pk__in=rows.keys()).values_list("pk", "name"))
    result = []
    for agency_id, row in sorted(rows.items(), key=lambda item: names.get(item[0], "")):
        total = row["rate_total"]
        result.append(
            {
                "agency_id": agency_id,
                "agency": names.get(agency_id, ""),
                **row,
                "net": row["paid"] - row["refunded"],
                "online_payment": round(row["rate_online"] / total, 4) if total else None,
            }
        )
    return result
