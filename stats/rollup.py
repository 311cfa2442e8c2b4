"""What one dossier or one complaint adds to the rollups: the single definition the events and the rebuild share.

``dossier_rows`` and ``complaint_rows`` turn one annotated row of ``dossier_facts()`` / ``complaint_facts()`` into
``{tally key: {counter: n}}`` (stats.constants says what each counter counts and in which month). The events
(``services.refresh``) and the nightly rebuild (``services.rebuild``) both go through them, so they cannot disagree
on a definition; what the test of the two proves is that the events reach every change.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints.constants import ComplaintState
from complaints.models import Complaint
from dossiers.constants import Channel, State
from dossiers.models import Document, Dossier, DossierEvent, Result
from dossiers.sla import TZ
from payments.constants import InvoiceStatus
from procedures.constants import OnlineLevel
from stats.constants import NO_DUE_MONTH

Rows = dict[str, dict[str, int]]
Key = tuple[
    datetime.date, int, int, int, str, datetime.date
]  # month, agency, procedure, sector, channel, due


def month_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, TZ).date().replace(day=1)


def key_text(key: Key) -> str:
    month, agency, procedure, sector, channel, due = key
    return f"{month.isoformat()}|{agency}|{procedure}|{sector}|{channel}|{due.isoformat()}"


def key_of(text: str) -> Key:
    month, agency, procedure, sector, channel, due = text.split("|")
    return (
        datetime.date.fromisoformat(month),
        int(agency),
        int(procedure),
        int(sector),
        channel,
        datetime.date.fromisoformat(due),
    )


def dossier_facts() -> QuerySet[Any, dict[str, Any]]:
    """Each dossier with what its counters need, in one query (for one dossier, or all of them)."""
    supplements = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), action="request_supplement")
        .values("dossier")
        .annotate(n=Count("id"))
        .values("n")
    )
    earlier = Dossier.objects.filter(
        applicant_id=OuterRef("applicant_id"), submitted_at__lt=OuterRef("submitted_at")
    )
    return (
        Dossier.objects.exclude(state=State.DRAFT)
        .filter(submitted_at__isnull=False)
        .annotate(
            procedure_id=F("version__procedure_id"),
            sector_id=F("version__sector_id"),
            online_level=F("version__online_level"),
            invoice_status=F("invoice__status"),
            invoice_online=F("invoice__online"),
            rating_score=F("rating__score"),
            rating_dislike=F("rating__dislike_reason"),
            supplements=Coalesce(Subquery(supplements, output_field=IntegerField()), Value(0)),
            has_result=Exists(Result.objects.filter(dossier=OuterRef("pk"))),
            has_documents=Exists(Document.objects.filter(dossier=OuterRef("pk"))),
            has_complaint=Exists(Complaint.objects.filter(dossier=OuterRef("pk"))),
            reused=Exists(earlier),
        )
        .values(
            "pk",
            "agency_id",
            "procedure_id",
            "sector_id",
            "channel",
            "state",
            "submitted_at",
            "received_at",
            "due_at",
            "returned_at",
            "online_level",
            "invoice_status",
            "invoice_online",
            "rating_score",
            "rating_dislike",
            "supplements",
            "has_result",
            "has_documents",
            "has_complaint",
            "reused",
        )
    )


def _add(rows: Rows, key: Key, counters: Mapping[str, int | bool]) -> None:
    target = rows.setdefault(key_text(key), {})
    for name, value in counters.items():
        if value:
            target[name] = target.get(name, 0) + int(value)


def dossier_rows(d: Mapping[str, Any]) -> Rows:
    """One dossier's counters (``d``: a row of ``dossier_facts()``)."""
    rows: Rows = {}
    base = (d["agency_id"], d["procedure_id"], d["sector_id"], d["channel"])
    online = d["channel"] == Channel.ONLINE
    full = d["online_level"] == OnlineLevel.FULL
    returned = d["state"] == State.RETURNED and d["returned_at"] is not None
    in_hand = d["received_at"] is not None and d["state"] not in (
        State.RETURNED,
        State.WITHDRAWN,
        State.REJECTED,
    )
    disliked = bool(d["rating_dislike"])
    _add(
        rows,
        (month_of(d["submitted_at"]), *base, NO_DUE_MONTH),
        {
            "filed": 1,
            "online": online,
            "full_eligible": full,
            "full_online": full and online,
            "fee_bearing": d["invoice_status"] is not None,
            "paid_online": d["invoice_status"] == InvoiceStatus.PAID and bool(d["invoice_online"]),
            "reused": d["reused"],
            "rated": d["rating_score"] is not None,
            "satisfied": (d["rating_score"] or 0) >= 4,
            "disliked": disliked,
            "complained_or_disliked": d["has_complaint"] or disliked,
            f"in_{d['state']}": 1,
        },
    )
    if in_hand:
        due = month_of(d["due_at"]) if d["due_at"] else NO_DUE_MONTH
        _add(rows, (month_of(d["submitted_at"]), *base, due), {"open": 1})
    if returned:
        on_time = d["due_at"] is None or (d["returned_at"] <= d["due_at"] and d["supplements"] <= 1)
        hours = int((d["returned_at"] - (d["received_at"] or d["returned_at"])).total_seconds() // 3600)
        _add(
            rows,
            (month_of(d["returned_at"]), *base, NO_DUE_MONTH),
            {
                "finished": 1,
                "finished_on_time": on_time,
                "e_result": d["has_result"],
                "digitised": d["has_result"] and d["has_documents"],
                "processing_hours": max(0, hours),
            },
        )
    return rows


def complaint_facts() -> QuerySet[Any, dict[str, Any]]:
    refiled = Complaint.objects.filter(dossier_id=OuterRef("dossier_id"), pk__gt=OuterRef("pk"))
    return Complaint.objects.annotate(
        agency_id=F("dossier__agency_id"),
        procedure_id=F("dossier__version__procedure_id"),
        sector_id=F("dossier__version__sector_id"),
        channel=F("dossier__channel"),
        refiled=Exists(refiled),
    ).values(
        "pk", "agency_id", "procedure_id", "sector_id", "channel", "state", "due_at", "answered_at", "refiled"
    )


def complaint_rows(c: Mapping[str, Any]) -> Rows:
    rows: Rows = {}
    answered = c["state"] == ComplaintState.ANSWERED and c["answered_at"] is not None
    on_time = answered and c["answered_at"] <= c["due_at"]
    _add(
        rows,
        (
            month_of(c["due_at"]),
            c["agency_id"],
            c["procedure_id"],
            c["sector_id"],
            c["channel"],
            NO_DUE_MONTH,
        ),
        {
            "complaints": 1,
            "complaints_on_time": on_time,
            "complaints_late": answered and not on_time,
            "complaints_open": not answered,
            "complaints_satisfied": on_time and not c["refiled"],
        },
    )
    return rows


def merge(into: Rows, rows: Rows, sign: int = 1) -> None:
    for key, counters in rows.items():
        target = into.setdefault(key, {})
        for name, value in counters.items():
            target[name] = target.get(name, 0) + sign * value


def difference(new: Rows, old: Rows) -> Rows:
    delta: Rows = {}
    merge(delta, new)
    merge(delta, old, -1)
    return {key: c for key, c in ((k, {n: v for n, v in c.items() if v}) for k, c in delta.items()) if c}


def sources_of(dossier_ids: Iterable[int], complaint_ids: Iterable[int]) -> list[str]:
    return [*(f"d{pk}" for pk in dossier_ids), *(f"c{pk}" for pk in complaint_ids)]
