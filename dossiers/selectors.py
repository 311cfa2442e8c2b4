"""Read queries of dossiers: who sees what, the staff queues, keyset pages, the public lookup."""

import hmac
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.constants import Role
from accounts.policy import visible_filter
from dossiers.constants import CLOCK_RUNNING_STATES, State
from dossiers.models import Dossier, DossierEvent, Rating
from procedures.constants import VersionState
from procedures.models import Agency

# The console's queues: one per step of the four-step process.
QUEUES: dict[str, tuple[str, ...]] = {
    "receive": (State.SUBMITTED,),
    "assess": (State.ASSESSING,),
    "approve": (State.APPROVING,),
    "return": (State.RESULT_READY,),
    "waiting": (State.SUPPLEMENT_REQUESTED, State.SIGNING),
}
QUEUE_OF_ROLE: dict[str, str] = {Role.RECEIVER: "receive", Role.ASSESSOR: "assess", Role.APPROVER: "approve"}


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    """The dossiers ``user`` lists (``accounts.policy.visible_filter``): a citizen their own; staff their agency's
    and, for a receiver, those waiting for reception anywhere and those their counter took; leaders and admins
    all but drafts."""
    return Dossier.objects.filter(visible_filter(user))


def with_list_data(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return dossiers.select_related("version__procedure", "agency", "assignee")


def overdue_filter(now: Any = None) -> Q:
    return Q(state__in=CLOCK_RUNNING_STATES, due_at__lt=now or timezone.now())


def dossier_detail_queryset() -> QuerySet[Dossier]:
    """Dossiers with everything their page and API answer show, in a fixed number of queries."""
    return Dossier.objects.select_related(
        "version__procedure", "version__agency", "agency", "received_at_agency", "applicant", "assignee"
    ).prefetch_related(
        "documents__component",
        "version__components",
        "version__form_fields",
        "version__fees",
        Prefetch("events", queryset=DossierEvent.objects.select_related("actor", "actor_agency")),
    )


def lookup(code: str, key: str) -> Dossier | None:
    """The dossier with this code, if ``key`` is its lookup key (compared in constant time); else None."""
    dossier = Dossier.objects.select_related("version__procedure", "agency").filter(code=code.strip()).first()
    if dossier is None or not hmac.compare_digest(dossier.lookup_key.encode(), key.strip().upper().encode()):
        return None
    return dossier


def queue_counts(agency: Agency) -> dict[str, int]:
    """How many dossiers wait in each of the agency's queues, in one query."""
    by_state = dict(
        Dossier.objects.filter(agency=agency, state__in=[s for states in QUEUES.values() for s in states])
        .values("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {queue: sum(by_state.get(state, 0) for state in states) for queue, states in QUEUES.items()}


def draft_of(user: Any, *, procedure_code: str) -> Dossier | None:
    """The citizen's latest draft of the procedure's published version, which "file online" continues."""
    return (
        Dossier.objects.filter(
            applicant=user,
            state=State.DRAFT,
            version__procedure__code=procedure_code,
            version__state=VersionState.PUBLISHED,
        )
        .order_by("-id")
        .first()
    )


def is_rated(dossier: Dossier) -> bool:
    """Whether the applicant has rated the service of this dossier."""
    return Rating.objects.filter(dossier_id=dossier.pk).exists()


def by_code(code: str) -> Dossier | None:
    """The dossier with this code; codes are upper case (agency, date, sequence): an exact match on the index."""
    return Dossier.objects.filter(code=code.strip().upper()).first()
