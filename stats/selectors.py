"""Reads of the service index, from the rollups (``stats.models.Tally``) and the catalogue, never a scan of dossiers.

``Scope`` is what a reader asks about: a period (local dates; the tallies are by month, so whole months), agencies
(an agency and its children; None for the province), and optionally a sector, a procedure and a channel. ``index``
gives the counts, the six rates, the points and each indicator (stats.indicators); ``by_agency`` and ``by_month``
the same for the league table and the charts. Two figures are judged when asked, from small indexed sets: dossiers
in hand past their due date at the period's end (the ``dossier_due`` index), and open complaints past their due
time (``complaint_state_due``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from complaints.constants import ComplaintState
from complaints.models import Complaint
from dossiers.constants import State
from dossiers.models import Dossier
from dossiers.sla import TZ
from payments.services import enabled_online_providers
from procedures.models import Agency, Fee, Procedure
from stats import indicators
from stats.constants import COUNTERS, NO_DUE_MONTH, STATES
from stats.models import Tally

# The API's six rates, each an indicator's ratio.
RATES = {
    "on_time": "2.1",
    "online": "3.3",
    "full_online": "3.4",
    "online_payment": "4.1",
    "digitised": "5.2",
    "satisfaction": "6.3",
}
IN_HAND = [
    State.SUBMITTED,
    State.ASSESSING,
    State.APPROVING,
    State.SIGNING,
    State.RESULT_READY,
    State.SUPPLEMENT_REQUESTED,
]
Totals = dict[str, int]


def _month_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day.replace(day=1), datetime.time.min, tzinfo=TZ)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Scope:
    start: datetime.date
    end: datetime.date
    agency_ids: frozenset[int] | None = None
    sector_id: int | None = None
    procedure_id: int | None = None
    channel: str | None = None

    @property
    def first_month(self) -> datetime.date:
        return self.start.replace(day=1)

    @property
    def last_month(self) -> datetime.date:
        return self.end.replace(day=1)

    def low(self) -> datetime.datetime:
        return _month_start(self.first_month)

    def high(self) -> datetime.datetime:
        return _month_start(next_month(self.last_month))

    def judged_at(self) -> datetime.datetime:
        """The period's end, or now if it has not come: when what is in hand is judged."""
        return min(self.high(), timezone.now())

    def months(self) -> list[datetime.date]:
        found, month = [], self.first_month
        while month <= self.last_month:
            found.append(month)
            month = next_month(month)
        return found

    def month(self, month: datetime.date) -> "Scope":
        return replace(self, start=month, end=month)


def agency_with_children(agency_id: int) -> frozenset[int]:
    """An agency and every agency under it."""
    parents = dict(Agency.objects.values_list("id", "parent_id"))
    found, frontier = {agency_id}, {agency_id}
    while frontier:
        frontier = {pk for pk, parent in parents.items() if parent in frontier and pk not in found}
        found |= frontier
    return frozenset(found)


def _filtered(
    queryset: QuerySet[Any], scope: Scope, *, prefix: str = "", tally: bool = False
) -> QuerySet[Any]:
    version = "" if tally else "version__"
    if scope.agency_ids is not None:
        queryset = queryset.filter(**{f"{prefix}agency_id__in": scope.agency_ids})
    if scope.sector_id is not None:
        queryset = queryset.filter(**{f"{prefix}{version}sector_id": scope.sector_id})
    if scope.procedure_id is not None:
        queryset = queryset.filter(**{f"{prefix}{version}procedure_id": scope.procedure_id})
    if scope.channel:
        queryset = queryset.filter(**{f"{prefix}channel": scope.channel})
    return queryset


def _tallies(scope: Scope) -> QuerySet[Tally]:
    rows = Tally.objects.filter(month__gte=scope.first_month, month__lte=scope.last_month)
    return _filtered(rows, scope, tally=True)


SUMS = {name: Sum(name) for name in COUNTERS}


def _grouped(queryset: QuerySet[Any], by: str | None, **aggregates: Any) -> dict[Any, dict[str, int]]:
    if by is None:
        return {None: {k: v or 0 for k, v in queryset.aggregate(**aggregates).items()}}
    found = {}
    for row in queryset.values(by).annotate(**aggregates).order_by():
        found[row.pop(by)] = {k: v or 0 for k, v in row.items()}
    return found


def _judged(scope: Scope, by: str | None) -> dict[Any, dict[str, int]]:
    """Dossiers in hand past their due date at the period's end (of those filed in the period), and complaints due
    in the period past their due time unanswered.

    The rollups keep each dossier in hand by the month it is due: those due in a month before the one the period
    is judged in are overdue. Only in the month of "now" is the due time itself compared, over the few dossiers in
    hand that fall due in that month (the ``dossier_due`` index)."""
    at = scope.judged_at()
    judged_month = timezone.localtime(at, TZ).date().replace(day=1)
    month_start = _month_start(judged_month)
    found: dict[Any, dict[str, int]] = defaultdict(lambda: {"open_overdue": 0, "complaints_overdue": 0})
    earlier = _tallies(scope).filter(due_month__gt=NO_DUE_MONTH, due_month__lt=judged_month)
    for key, row in _grouped(earlier, by, n=Sum("open")).items():
        found[key]["open_overdue"] += row["n"]
    if month_start < at:
        this_month = _filtered(
            Dossier.objects.filter(
                state__in=IN_HAND,
                received_at__isnull=False,
                due_at__gte=month_start,
                due_at__lt=at,
                submitted_at__gte=scope.low(),
                submitted_at__lt=scope.high(),
            ),
            scope,
        )
        for key, row in _grouped(this_month, by, n=Count("id")).items():
            found[key]["open_overdue"] += row["n"]
    complaints = _filtered(
        Complaint.objects.filter(state=ComplaintState.OPEN, due_at__gte=scope.low(), due_at__lt=at),
        scope,
        prefix="dossier__",
    )
    complaint_by = None if by is None else f"dossier__{by}"
    for key, row in _grouped(complaints, complaint_by, n=Count("id")).items():
        found[key]["complaints_overdue"] += row["n"]
    return found


def _used_procedures(scope: Scope, by: str | None) -> dict[Any, dict[str, int]]:
    """Procedures with at least one online dossier, one fee paid online, one fee-bearing dossier in the period."""
    fields = [*([by] if by else []), "procedure_id"]
    per_procedure = (
        _tallies(scope)
        .values(*fields)
        .annotate(online=Sum("online"), paid=Sum("paid_online"), fees=Sum("fee_bearing"))
    )
    found: dict[Any, dict[str, int]] = defaultdict(
        lambda: {"used_online_procedures": 0, "paid_online_procedures": 0, "fee_procedures_used": 0}
    )
    for row in per_procedure.order_by():
        counts = found[row[by] if by else None]
        counts["used_online_procedures"] += bool(row["online"])
        counts["paid_online_procedures"] += bool(row["paid"])
        counts["fee_procedures_used"] += bool(row["fees"])
    return found


def _catalogue(scope: Scope, by: str | None) -> dict[Any, dict[str, int]]:
    """The published procedures in the remit: all, complete (papers, steps, processing time, legal basis), offered
    online (every procedure of the catalogue is, fully or partly), fee-bearing, payable online."""
    versions = Procedure.objects.filter(published_version__isnull=False)
    prefix = "published_version__"
    if scope.agency_ids is not None:
        versions = versions.filter(published_version__agency_id__in=scope.agency_ids)
    if scope.sector_id is not None:
        versions = versions.filter(published_version__sector_id=scope.sector_id)
    if scope.procedure_id is not None:
        versions = versions.filter(pk=scope.procedure_id)
    has_fee = Exists(Fee.objects.filter(version=OuterRef("published_version"), amount__gt=0))
    complete = (
        Q(published_version__components__isnull=False)
        & Q(published_version__steps__isnull=False)
        & Q(published_version__processing_days__gt=0)
        & ~Q(published_version__legal_basis="")
    )
    complete_ids = versions.filter(complete).values("pk")
    versions = versions.annotate(has_fee=has_fee, agency_id=F(f"{prefix}agency_id"))
    payable = bool(enabled_online_providers())
    rows = _grouped(
        versions,
        by,
        procedures=Count("id", distinct=True),
        complete_procedures=Count("id", filter=Q(pk__in=complete_ids), distinct=True),
        online_procedures=Count("id", distinct=True),
        fee_procedures=Count("id", filter=Q(has_fee=True), distinct=True),
    )
    for row in rows.values():
        row["payable_procedures"] = row["fee_procedures"] if payable else 0
    return rows


def _figures(totals: Totals) -> dict[str, Any]:
    totals = {**totals}
    totals["complaints_judged"] = (
        totals.get("complaints_on_time", 0)
        + totals.get("complaints_late", 0)
        + totals.get("complaints_overdue", 0)
    )
    scored = indicators.score(totals)
    by_code = {row["code"]: row for row in scored["indicators"]}
    return {
        "rates": {name: by_code[code]["ratio"] for name, code in RATES.items()},
        **scored,
        "totals": totals,
    }


def _combine(*parts: dict[Any, dict[str, int]]) -> dict[Any, Totals]:
    found: dict[Any, Totals] = defaultdict(dict)
    for part in parts:
        for key, row in part.items():
            found[key].update(row)
    return found


def index(scope: Scope) -> dict[str, Any]:
    """The index of ``scope``: ``{"rates", "scores", "indicators", "totals", "complaints"}``."""
    totals = _combine(
        _grouped(_tallies(scope), None, **SUMS),
        _judged(scope, None),
        _used_procedures(scope, None),
        _catalogue(scope, None),
    )[None]
    return _with_complaints(_figures(totals))


def _with_complaints(data: dict[str, Any]) -> dict[str, Any]:
    t = data["totals"]
    data["complaints"] = {
        "due": t.get("complaints", 0),
        "answered_on_time": t.get("complaints_on_time", 0),
        "answered_late": t.get("complaints_late", 0),
        "open": t.get("complaints_open", 0),
        "overdue": t.get("complaints_overdue", 0),
    }
    return data


def by_agency(scope: Scope) -> dict[int, dict[str, Any]]:
    """The index of each agency in ``scope`` (its own dossiers, not its children's), for the league table."""
    combined = _combine(
        _grouped(_tallies(scope), "agency_id", **SUMS),
        _judged(scope, "agency_id"),
        _used_procedures(scope, "agency_id"),
        _catalogue(scope, "agency_id"),
    )
    return {agency: _with_complaints(_figures(totals)) for agency, totals in combined.items() if agency}


def by_month(scope: Scope) -> list[tuple[datetime.date, dict[str, Any]]]:
    """The index of each month of ``scope``, each judged at its own month's end."""
    catalogue = _catalogue(scope, None)[None]
    sums = _grouped(_tallies(scope), "month", **SUMS)
    found = []
    for month in scope.months():
        one = scope.month(month)
        totals = _combine(
            {None: sums.get(month, {})}, _judged(one, None), _used_procedures(one, None), {None: catalogue}
        )[None]
        found.append((month, _with_complaints(_figures(totals))))
    return found


def by_agency_month(scope: Scope) -> dict[tuple[int, datetime.date], dict[str, Any]]:
    """The index of each agency in each month of ``scope`` (each month judged at its end): the public page."""
    catalogue = _catalogue(scope, "agency_id")
    sums: dict[tuple[int, datetime.date], Totals] = {}
    for row in _tallies(scope).values("agency_id", "month").annotate(**SUMS).order_by():
        key = (row.pop("agency_id"), row.pop("month"))
        sums[key] = {k: v or 0 for k, v in row.items()}
    found = {}
    for month in scope.months():
        one = scope.month(month)
        judged, used = _judged(one, "agency_id"), _used_procedures(one, "agency_id")
        for agency in {a for a, m in sums if m == month}:
            totals = {**catalogue.get(agency, {}), **judged.get(agency, {}), **used.get(agency, {})}
            totals.update(sums[(agency, month)])
            found[(agency, month)] = _figures(totals)
    return found


def counts(data: dict[str, Any]) -> dict[str, int]:
    """The dossiers filed in the period by the state they are in now (the API's ``counts``)."""
    return {state: data["totals"].get(f"in_{state}", 0) for state in STATES}


def overdue_dossiers(scope: Scope, *, limit: int = 50) -> list[Dossier]:
    """Dossiers in hand past their due date now, the most overdue first (they link to their dossier).

    One query per state, each an ordered walk of the ``dossier_due`` index (state, due_at) that stops at ``limit``;
    one query over all the states at once would sort every overdue dossier of the province first."""
    now = timezone.now()
    found: list[Dossier] = []
    for state in IN_HAND:
        rows = Dossier.objects.filter(state=state, due_at__lt=now)
        rows = _filtered(rows, scope).select_related("version", "agency")
        found += list(rows.only("code", "due_at", "agency__code", "version__name").order_by("due_at")[:limit])
    return sorted(found, key=lambda d: (d.due_at, d.pk))[:limit]


def overdue_complaints(scope: Scope, *, limit: int = 50) -> QuerySet[Complaint]:
    rows = Complaint.objects.filter(state=ComplaintState.OPEN, due_at__lt=timezone.now())
    return (
        _filtered(rows, scope, prefix="dossier__")
        .select_related("dossier", "dossier__version", "dossier__agency")
        .order_by("due_at")[:limit]
    )


def year_to_date() -> tuple[datetime.date, datetime.date]:
    today = timezone.localtime(timezone.now(), TZ).date()
    return today.replace(month=1, day=1), today
