"""The service index: counts by state and the rates leaders steer by, per agency and period.

Each rate is a fraction from 0 to 1, or None where nothing counts toward it:

- ``on_time``: of the dossiers returned in the period, those returned by their due date;
- ``online``: of the dossiers submitted in the period, those filed online;
- ``full_online``: of the dossiers submitted for full-online procedures, those filed online (end to end online);
- ``online_payment``: of the paid fees of dossiers submitted in the period, those paid through an online provider;
- ``digitised``: of the dossiers received in the period, those whose papers are in the portal as files;
- ``satisfaction``: of the ratings of dossiers returned in the period, those of 4 or 5 out of 5.

All of it comes from a handful of grouped queries, whatever the number of agencies.
"""

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from dossiers.constants import State
from dossiers.models import Document, Dossier, Rating
from dossiers.sla import TZ
from payments.constants import InvoiceStatus
from payments.models import Invoice
from procedures.constants import OnlineLevel

RATES = ("on_time", "online", "full_online", "online_payment", "digitised", "satisfaction")


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=TZ),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=TZ),
    )


def _fraction(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def index(
    *, start: datetime.date, end: datetime.date, agency_ids: list[int] | None = None, by_agency: bool = False
) -> dict[Any, dict[str, Any]]:
    """The index for [start, end] (local dates, inclusive); keyed by agency id when ``by_agency``, else by None."""
    low, high = _bounds(start, end)
    dossiers = Dossier.objects.exclude(state=State.DRAFT)
    if agency_ids is not None:
        dossiers = dossiers.filter(agency_id__in=agency_ids)
    key = ["agency_id"] if by_agency else []

    def grouped(
        queryset: Any, agency_field: str = "agency_id", **aggregates: Any
    ) -> dict[Any, dict[str, int]]:
        """``aggregates`` by agency (``agency_field`` names it from ``queryset``'s rows), or for all under None."""
        if not by_agency:
            return {None: queryset.aggregate(**aggregates)}
        rows = queryset.values(agency_field).annotate(**aggregates).order_by()
        return {row.pop(agency_field): row for row in rows}

    submitted = dossiers.filter(submitted_at__gte=low, submitted_at__lt=high)
    counts: dict[Any, dict[str, int]] = defaultdict(dict)
    for row in submitted.values(*key, "state").annotate(n=Count("id")).order_by():
        counts[row.get("agency_id")][row["state"]] = row["n"]
    filed = grouped(
        submitted,
        total=Count("id"),
        online=Count("id", filter=Q(channel="online")),
        full_total=Count("id", filter=Q(version__online_level=OnlineLevel.FULL)),
        full_online=Count("id", filter=Q(version__online_level=OnlineLevel.FULL, channel="online")),
    )
    returned = grouped(
        dossiers.filter(returned_at__gte=low, returned_at__lt=high, due_at__isnull=False),
        total=Count("id"),
        on_time=Count("id", filter=Q(returned_at__lte=F("due_at"))),
    )
    received = grouped(
        dossiers.filter(received_at__gte=low, received_at__lt=high).annotate(
            has_files=Exists(Document.objects.filter(dossier=OuterRef("pk")))
        ),
        total=Count("id"),
        digitised=Count("id", filter=Q(has_files=True)),
    )
    invoices = Invoice.objects.filter(
        dossier__submitted_at__gte=low, dossier__submitted_at__lt=high, status=InvoiceStatus.PAID
    )
    if agency_ids is not None:
        invoices = invoices.filter(dossier__agency_id__in=agency_ids)
    paid = grouped(
        invoices, "dossier__agency_id", total=Count("id"), online=Count("id", filter=Q(online=True))
    )
    ratings = Rating.objects.filter(dossier__returned_at__gte=low, dossier__returned_at__lt=high)
    if agency_ids is not None:
        ratings = ratings.filter(dossier__agency_id__in=agency_ids)
    rated = grouped(
        ratings, "dossier__agency_id", total=Count("id"), satisfied=Count("id", filter=Q(score__gte=4))
    )
    empty: dict[str, int] = defaultdict(int)
    result = {}
    for agency in set(counts) | set(filed) | set(returned) | set(received) | set(paid) | set(rated):
        f, r, v = filed.get(agency, empty), returned.get(agency, empty), received.get(agency, empty)
        p, s = paid.get(agency, empty), rated.get(agency, empty)
        result[agency] = {
            "counts": {state: counts[agency].get(state, 0) for state in State.values if state != State.DRAFT},
            "rates": {
                "on_time": _fraction(r["on_time"], r["total"]),
                "online": _fraction(f["online"], f["total"]),
                "full_online": _fraction(f["full_online"], f["full_total"]),
                "online_payment": _fraction(p["online"], p["total"]),
                "digitised": _fraction(v["digitised"], v["total"]),
                "satisfaction": _fraction(s["satisfied"], s["total"]),
            },
            "totals": {
                "submitted": f["total"],
                "returned": r["total"],
                "received": v["total"],
                "paid": p["total"],
                "ratings": s["total"],
            },
        }
    return result


def year_to_date() -> tuple[datetime.date, datetime.date]:
    today = timezone.localtime(timezone.now(), TZ).date()
    return today.replace(month=1, day=1), today
