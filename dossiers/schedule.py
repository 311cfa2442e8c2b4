"""The SLA schedule: which dossiers are due soon or overdue, and the apology with a new date for a late one.

The beat runs ``flag_due``, ``issue_apologies``, ``signings_claim_stuck`` and the drafts' expiry (thin tasks in
``dossiers.tasks``). ``apology_issue`` is the one service that records an apology: it moves the dossier's due date
(never its state: only the workflow assigns that) and writes the history row, in one transaction.
"""

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.constants import Role
from accounts.policy import Ask, may, may_act
from audit.models import AccessLog
from dossiers import sla
from dossiers.constants import CLOCK_RUNNING_STATES, EventAction, State
from dossiers.history import history_write
from dossiers.models import Apology, Document, Dossier, DossierEvent
from dossiers.selectors import overdue_filter
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
from portal.hooks import Hook

log = logging.getLogger(__name__)

# A late dossier is apologised for while the agency still works on it; once the result is ready the citizen can
# have it, so there is no new date to promise.
APOLOGY_STATES = frozenset({State.ASSESSING, State.APPROVING, State.SIGNING})
APOLOGY_ROLES = frozenset({Role.RECEIVER, Role.ASSESSOR, Role.APPROVER})
MIN_EXTENSION_DAYS = 2
# What the beat writes when it apologises on the agency's behalf, by the step the dossier is stuck at.
AUTOMATIC_REASON = "Hồ sơ chưa được giải quyết xong trong thời hạn quy định: {step}."
STEP_TEXT: dict[str, str] = {
    State.ASSESSING: "đang thẩm định",
    State.APPROVING: "đang chờ lãnh đạo phê duyệt",
    State.SIGNING: "đang ký số kết quả",
}


# Side effects of an apology (the citizen's message), run after commit with the apology's id (notifications
# registers one).
ON_APOLOGY: Hook[Callable[[int], None]] = Hook("what runs after an apology")
# Run in the apology's transaction with the dossier's id: its due date moved (the service index's rollups keep a
# dossier in hand by the month it falls due, and judge it on time against that date).
DUE_MOVED: Hook[Callable[[int], None]] = Hook("what keeps up with a dossier's new due date")


def default_new_due_at(dossier: Dossier, now: datetime) -> datetime:
    """Half the procedure's processing time again (at least two working days) from today, at office end."""
    extension = max(dossier.version.processing_days // 2, MIN_EXTENSION_DAYS)
    today = timezone.localtime(now, sla.TZ).date()
    return sla.end_of_office_day(sla.Calendar().add_working_days(today, extension))


def apology_issue(
    *,
    dossier_id: int,
    reason: str,
    new_due_at: datetime | None = None,
    actor: Any = None,
    expected_due_at: datetime | None = None,
    now: datetime | None = None,
) -> Apology | None:
    """Apologise for a dossier that is or will be late, and promise the result for ``new_due_at``.

    ``actor`` is staff of the competent agency (or of the counter that received it), or ``None`` for the portal.
    The default new date is ``default_new_due_at``. With ``expected_due_at`` (the beat), the dossier is first
    claimed with a conditional update on its due date: if another run moved it already, nothing is issued and
    ``None`` is returned, so two beats never issue two apologies.

    Raises NotFound (a dossier the actor may not see), NotAllowed (not staff of its agency), InvalidState (no
    running clock to extend) and ServiceError ``reason_required`` / ``new_date_too_early``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("An apology needs a reason.", code="reason_required")
    now = now or timezone.now()
    with transaction.atomic():
        if expected_due_at is not None:
            claimed = Dossier.objects.filter(
                pk=dossier_id, state__in=APOLOGY_STATES, due_at=expected_due_at
            ).update(updated_at=now)
            if claimed != 1:
                return None
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("version")
            .filter(pk=dossier_id)
            .first()
        )
        if dossier is None or (actor is not None and not may(actor, Ask.VIEW, dossier)):
            raise NotFound("No such dossier.")
        if actor is not None and not may_act(actor, dossier, action="apology", roles=APOLOGY_ROLES):
            raise NotAllowed("Only staff of the dossier's agency may apologise for it.")
        if dossier.state not in APOLOGY_STATES or dossier.due_at is None:
            raise InvalidState(
                f"A dossier in state {dossier.state} has no running clock to extend.", code="no_running_clock"
            )
        original_due_at = dossier.due_at
        new_due_at = new_due_at or default_new_due_at(dossier, now)
        if new_due_at <= max(original_due_at, now):
            raise ServiceError(
                "The new date must be later than both the current due date and now.",
                code="new_date_too_early",
            )
        apology = Apology.objects.create(
            dossier=dossier,
            issued_at=now,
            issued_by=actor,
            original_due_at=original_due_at,
            new_due_at=new_due_at,
            reason=reason,
        )
        dossier.due_at = new_due_at
        history_write(
            dossier=dossier,
            action=EventAction.APOLOGY,
            actor=actor,
            at=now,
            comment=reason,
            data={
                "apology": apology.pk,
                "original_due_at": original_due_at.isoformat(),
                "new_due_at": new_due_at.isoformat(),
            },
        )
        dossier.save(update_fields=["due_at", "updated_at"])
        for moved in DUE_MOVED:
            moved(dossier.pk)
        for function in ON_APOLOGY:
            transaction.on_commit(partial(function, apology.pk))
    return apology


def _due_soon_filter(now: datetime) -> Q:
    # As sla.Calendar.is_due_soon: not overdue yet, and due by the end of the next working day.
    today = timezone.localtime(now, sla.TZ).date()
    limit = datetime.combine(
        sla.Calendar().next_working_day(today) + timedelta(days=1), time(0), tzinfo=sla.TZ
    )
    return Q(state__in=CLOCK_RUNNING_STATES, due_at__gte=now, due_at__lt=limit)


def due_dossiers(now: datetime | None = None) -> tuple[list[int], list[int]]:
    """The ids of the dossiers due soon and of those overdue at ``now`` (for staff notifications)."""
    now = now or timezone.now()
    due_soon = list(Dossier.objects.filter(_due_soon_filter(now)).order_by("id").values_list("id", flat=True))
    overdue = list(Dossier.objects.filter(overdue_filter(now)).order_by("id").values_list("id", flat=True))
    return due_soon, overdue


def flag_due(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """How many dossiers each agency has due soon and overdue, by agency code: ``{code: {"due_soon", "overdue"}}``."""
    now = now or timezone.now()
    counts: dict[str, dict[str, int]] = {}
    for name, condition in (("due_soon", _due_soon_filter(now)), ("overdue", overdue_filter(now))):
        per_agency = Counter(Dossier.objects.filter(condition).values_list("agency__code", flat=True))
        for code, n in per_agency.items():
            counts.setdefault(code, {"due_soon": 0, "overdue": 0})[name] = n
    if counts:
        log.info("due dossiers by agency: %s", counts)
    return counts


def issue_apologies(now: datetime | None = None, limit: int = 1000) -> int:
    """Apologise, with a new date, for each overdue dossier that had no apology since it became overdue.

    Each dossier is claimed by its due date (see ``apology_issue``): a second run, or a concurrent one, issues
    nothing new. Returns how many apologies were issued.
    """
    now = now or timezone.now()
    apologised_since_due = Apology.objects.filter(dossier=OuterRef("pk"), issued_at__gte=OuterRef("due_at"))
    overdue = (
        Dossier.objects.filter(state__in=APOLOGY_STATES, due_at__lt=now)
        .exclude(Exists(apologised_since_due))
        .order_by("due_at", "id")
        .values_list("pk", "due_at", "state")[:limit]
    )
    issued = 0
    for dossier_id, due_at, state in overdue:
        try:
            apology = apology_issue(
                dossier_id=dossier_id,
                reason=AUTOMATIC_REASON.format(step=STEP_TEXT.get(state, state)),
                expected_due_at=due_at,
                now=now,
            )
        except ServiceError as exc:  # the dossier moved on between the query and the claim
            log.info("no apology for dossier %s: %s", dossier_id, exc)
            continue
        issued += apology is not None
    if issued:
        log.info("issued %d apology slip(s) for overdue dossiers", issued)
    return issued


# --- Signings left stuck ---------------------------------------------------------------------------------------


def signings_claim_stuck(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Claim each dossier left in ``signing`` longer than SIGNING_SWEEP_AFTER (worker died, broker down) to be
    queued again, and return their ids; the caller (the sweep task) queues them.

    Each is claimed with a conditional update that stamps ``signing_queued_at``, so two sweeps at once never claim
    the same dossier, and a claimed one is not claimed again before SIGNING_SWEEP_AFTER has passed once more.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SIGNING_SWEEP_AFTER)
    # Never queued at all (the process died between the commit and the queuing): counted from the decision.
    left = Q(state=State.SIGNING) & (
        Q(signing_queued_at__lt=cutoff) | Q(signing_queued_at__isnull=True, decided_at__lt=cutoff)
    )
    stuck = list(Dossier.objects.filter(left).order_by("pk").values_list("pk", flat=True)[:limit])
    return [pk for pk in stuck if Dossier.objects.filter(left, pk=pk).update(signing_queued_at=now) == 1]


# --- Drafts left unused ---------------------------------------------------------------------------------------

# Who tells citizens that their drafts will expire: ``fn(dossier_ids, now)``, called in the transaction that marks
# them told (notifications registers one), so a draft is never marked told without its messages.
ON_DRAFTS_EXPIRING: Hook[Callable[[list[int], datetime], None]] = Hook("who tells of expiring drafts")


def _with_last_use(drafts: Any) -> Any:
    """Drafts annotated with ``last_used``: their last change or their last paper, whichever came later."""
    return drafts.annotate(
        last_used=Greatest("updated_at", Coalesce(Max("documents__uploaded_at"), "updated_at"))
    )


def draft_expires_on(now: datetime) -> datetime:
    """When a draft whose citizen is told at ``now`` is deleted at the earliest."""
    return now + timedelta(days=settings.DRAFT_EXPIRE_DAYS - settings.DRAFT_WARN_DAYS)


def drafts_warn(*, now: datetime | None = None) -> list[int]:
    """Mark told, and tell through the registered warners, the citizens of drafts unused for DRAFT_WARN_DAYS
    and not yet told since they last used them. Each draft is claimed with a conditional update: two runs at
    once, or one run twice, tell each citizen once. Returns the ids of the drafts told of."""
    now = now or timezone.now()
    idle = _with_last_use(Dossier.objects.filter(state=State.DRAFT)).filter(
        last_used__lte=now - timedelta(days=settings.DRAFT_WARN_DAYS)
    )
    candidates = idle.filter(Q(expiry_warned_at__isnull=True) | Q(expiry_warned_at__lt=F("last_used")))
    told: list[int] = []
    with transaction.atomic():
        for pk, warned_at in candidates.values_list("pk", "expiry_warned_at").order_by("pk"):
            same = Q(expiry_warned_at__isnull=True) if warned_at is None else Q(expiry_warned_at=warned_at)
            if Dossier.objects.filter(same, pk=pk, state=State.DRAFT).update(expiry_warned_at=now) == 1:
                told.append(pk)
        if told:
            for warn in ON_DRAFTS_EXPIRING:
                warn(told, now)
    return told


@transaction.atomic
def draft_delete_expired(*, dossier_id: int, now: datetime | None = None) -> bool:
    """Delete one expired draft with its papers and its history (a draft has no code and nothing worth keeping as
    evidence): only if it is still a draft, unused for DRAFT_EXPIRE_DAYS, and its citizen was told since they last
    used it, long enough ago. Its files go after commit. False when it is not (or no longer) to be deleted."""
    now = now or timezone.now()
    locked = Dossier.objects.select_for_update(of=("self",)).filter(pk=dossier_id, state=State.DRAFT).first()
    if locked is None:
        return False
    dossier = _with_last_use(Dossier.objects.filter(pk=dossier_id)).first()
    if (
        dossier is None
        or dossier.last_used > now - timedelta(days=settings.DRAFT_EXPIRE_DAYS)
        or dossier.expiry_warned_at is None
        or dossier.expiry_warned_at < dossier.last_used
        or draft_expires_on(dossier.expiry_warned_at) > now
    ):
        return False
    documents = Document.objects.filter(dossier_id=dossier_id)
    names = [name for name in documents.values_list("file", flat=True) if name]
    storage = Document.file.field.storage
    documents.delete()
    DossierEvent.objects.filter(dossier_id=dossier_id).delete()
    # A walk-in draft the counter opened has reads on record; with the draft's personal data gone they go too.
    AccessLog.objects.filter(dossier_id=dossier_id).delete()
    Dossier.objects.filter(pk=dossier_id).delete()

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    log.info("deleted draft %s, unused since %s", dossier_id, dossier.last_used.isoformat())
    return True


def drafts_delete(*, now: datetime | None = None) -> list[int]:
    """Delete every expired draft (``draft_delete_expired``); safe to run twice. Returns the ids deleted."""
    now = now or timezone.now()
    expired = (
        _with_last_use(Dossier.objects.filter(state=State.DRAFT, expiry_warned_at__isnull=False))
        .filter(last_used__lte=now - timedelta(days=settings.DRAFT_EXPIRE_DAYS))
        .filter(expiry_warned_at__gte=F("last_used"))
    )
    return [
        pk
        for pk in expired.values_list("pk", flat=True).order_by("pk")
        if draft_delete_expired(dossier_id=pk, now=now)
    ]
