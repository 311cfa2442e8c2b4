"""Reads of complaints: what one may list, a dossier's, the console's counts, and the service index's indicator."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.policy import visible_filter
from complaints.constants import ComplaintState
from complaints.models import Complaint
from dossiers.models import Dossier


def visible_complaints(user: Any) -> QuerySet[Complaint]:
    """The complaints ``user`` may list: those on the dossiers they may see (``Ask.COMPLAINTS`` is asked of
    everyone who may see a dossier)."""
    dossiers = Dossier.objects.filter(visible_filter(user)).values("pk")
    return Complaint.objects.filter(dossier__in=dossiers).select_related("dossier")


def dossier_complaints(dossier_id: int) -> list[Complaint]:
    """A dossier's complaints, oldest first (the order the applicant wrote them)."""
    return list(Complaint.objects.filter(dossier_id=dossier_id).select_related("answered_by").order_by("id"))


def is_overdue(complaint: Complaint, now: datetime | None = None) -> bool:
    return complaint.state == ComplaintState.OPEN and (now or timezone.now()) > complaint.due_at


@dataclass(frozen=True)
class OpenCounts:
    open: int
    overdue: int


def open_counts(*, agency_id: int, now: datetime | None = None) -> OpenCounts:
    """The agency's complaints waiting for an answer, and how many of them are past their due time."""
    now = now or timezone.now()
    counts = Complaint.objects.filter(dossier__agency_id=agency_id, state=ComplaintState.OPEN).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now))
    )
    return OpenCounts(open=counts["open"], overdue=counts["overdue"])


def agency_open_complaints(*, agency_id: int) -> QuerySet[Complaint]:
    """The console's list: the agency's open complaints, the soonest due first."""
    return (
        Complaint.objects.filter(dossier__agency_id=agency_id, state=ComplaintState.OPEN)
        .select_related("dossier", "dossier__version")
        .order_by("due_at", "id")
    )


@dataclass(frozen=True)
class AnsweredOnTime:
    due: int  # complaints due in the period
    on_time: int  # ... of which answered by their due time

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def answered_on_time(
    *, start: datetime, end: datetime, agency_ids: Collection[int] | None = None
) -> AnsweredOnTime:
    """The service index's "complaints answered on time" (Decision 766, satisfaction group): of the complaints due
    in [``start``, ``end``), those answered at or before their due time. One still open at its due time is late,
    whenever it is answered. ``agency_ids``: the competent agencies (an agency and its children); None, the
    province."""
    rows = Complaint.objects.filter(due_at__gte=start, due_at__lt=end)
    if agency_ids is not None:
        rows = rows.filter(dossier__agency_id__in=list(agency_ids))
    counts = rows.aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(state=ComplaintState.ANSWERED, answered_at__lte=F("due_at"))),
    )
    return AnsweredOnTime(due=counts["due"], on_time=counts["on_time"])
