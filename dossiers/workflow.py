"""The dossier workflow: the table of actions and the one function that applies them.

Nothing else assigns ``Dossier.state``. ``apply`` locks the dossier row, checks that the actor may see it (else
404), that their role and agency allow the action (403), that the dossier is in a state the action starts from
(409) and that the action's input is there (400); then it changes the dossier with ``save(update_fields=...)``,
appends a ``DossierEvent`` and queues side effects with ``transaction.on_commit``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.constants import Role
from accounts.policy import Ask, may, may_act
from dossiers import codes, completeness, history, sla
from dossiers.constants import Outcome, State
from dossiers.models import Dossier
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError

SYSTEM = "system"  # the role of the portal itself (the signing worker)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: back to the state the supplement was asked from
    roles: frozenset[str]
    comment_required: bool = False
    effects: tuple[str, ...] = field(default=())


def _t(sources: set[str], target: str | None, roles: set[str], **kwargs: Any) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles), **kwargs)


S = State
TRANSITIONS: dict[str, Transition] = {
    "submit": _t({S.DRAFT}, S.SUBMITTED, {Role.CITIZEN, Role.RECEIVER}),
    "receive": _t({S.SUBMITTED}, S.ASSESSING, {Role.RECEIVER}),
    "refuse": _t({S.SUBMITTED}, S.REJECTED, {Role.RECEIVER}, comment_required=True),
    "request_supplement": _t(
        {S.SUBMITTED, S.ASSESSING},
        S.SUPPLEMENT_REQUESTED,
        {Role.RECEIVER, Role.ASSESSOR},
        comment_required=True,
    ),
    "resubmit": _t({S.SUPPLEMENT_REQUESTED}, None, {Role.CITIZEN}),
    "assess": _t({S.ASSESSING}, S.APPROVING, {Role.ASSESSOR}),
    "send_back": _t({S.APPROVING}, S.ASSESSING, {Role.APPROVER}, comment_required=True),
    "approve": _t({S.APPROVING}, S.SIGNING, {Role.APPROVER}),
    "signed": _t({S.SIGNING}, S.RESULT_READY, {SYSTEM}),
    "return": _t({S.RESULT_READY}, S.RETURNED, {Role.RECEIVER}),
    "withdraw": _t({S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ASSESSING}, S.WITHDRAWN, {Role.CITIZEN}),
}
# The actions clients may call through the API and the pages; ``signed`` is the worker's.
PUBLIC_ACTIONS = tuple(name for name, t in TRANSITIONS.items() if SYSTEM not in t.roles)


def allowed_actions(dossier: Dossier, user: Any) -> list[str]:
    """The actions ``user`` could take on ``dossier`` now, for the pages' buttons."""
    if not may(user, Ask.VIEW, dossier):
        return []
    return [
        name
        for name in PUBLIC_ACTIONS
        if dossier.state in TRANSITIONS[name].sources
        and may_act(user, dossier, action=name, roles=TRANSITIONS[name].roles)
    ]


# What each action changes besides the state; each returns the fields it set.
Effect = Callable[[Dossier, Any, datetime, dict[str, Any]], list[str]]


def _submit(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    completeness.check_ready_to_submit(dossier)
    dossier.code = codes.next_code(dossier.agency, timezone.localtime(now, sla.TZ).date())
    dossier.submitted_at = now
    return ["code", "submitted_at"]


def _receive(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    dossier.received_at = now
    dossier.received_at_agency_id = actor.agency_id
    dossier.due_at = sla.Calendar().due_at(now, dossier.version.processing_days)
    return ["received_at", "received_at_agency", "due_at"]


def _handled_at_reception(dossier: Dossier, actor: Any) -> list[str]:
    # A counter that refuses a dossier, or asks for more at reception, keeps it in view (no administrative
    # boundaries: it may be another agency's counter than the competent agency's).
    if dossier.state != State.SUBMITTED or actor is None or actor.agency_id is None:
        return []
    dossier.received_at_agency_id = actor.agency_id
    return ["received_at_agency"]


def _refuse(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    return [*_handled_at_reception(dossier, actor), *_close(dossier, actor, now, params)]


def _request_supplement(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    fields = _handled_at_reception(dossier, actor)
    dossier.state_before_supplement = dossier.state
    # The clock only pauses if it was running; before reception there is nothing to pause.
    dossier.paused_at = now if dossier.state == State.ASSESSING else None
    return [*fields, "state_before_supplement", "paused_at"]


def _resubmit(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    completeness.check_ready_to_submit(dossier)
    if dossier.paused_at and dossier.due_at:
        dossier.due_at = sla.Calendar().extend_for_pause(dossier.due_at, dossier.paused_at, now)
    dossier.paused_at = None
    return ["due_at", "paused_at"]


def _assess(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    outcome = params.get("outcome")
    if outcome not in Outcome.values:
        raise ServiceError("Assessing needs an outcome: grant or deny.", code="outcome_required")
    dossier.proposed_outcome = outcome
    return ["proposed_outcome"]


def _approve(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    outcome = params.get("outcome") or dossier.proposed_outcome
    if outcome not in Outcome.values:
        raise ServiceError("Approving needs an outcome: grant or deny.", code="outcome_required")
    dossier.outcome, dossier.decided_at = outcome, now
    return ["outcome", "decided_at"]


def _return(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    dossier.returned_at = dossier.closed_at = now
    return ["returned_at", "closed_at"]


def _close(dossier: Dossier, actor: Any, now: datetime, params: dict[str, Any]) -> list[str]:
    dossier.closed_at = now
    return ["closed_at"]


EFFECTS: dict[str, Effect] = {
    "submit": _submit,
    "receive": _receive,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "resubmit": _resubmit,
    "assess": _assess,
    "approve": _approve,
    "return": _return,
    "withdraw": _close,
}

# Side effects queued after commit, by action: functions taking the dossier id (signing, slips, messages).
ON_COMMIT: dict[str, list[Callable[[int], None]]] = {name: [] for name in TRANSITIONS}


# Other apps' rules and effects, so that dossiers knows nothing of them (payments gates reception on the fee):
# a guard returns a reason to refuse the action (409) or None; an effect runs inside the transition's transaction.
Guard = Callable[[Dossier], str | None]
GUARDS: dict[str, list[Guard]] = {name: [] for name in TRANSITIONS}
IN_TRANSACTION: dict[str, list[Callable[[Dossier, Any], None]]] = {name: [] for name in TRANSITIONS}


def guard(action: str) -> Callable[[Guard], Guard]:
    """Register ``function(dossier) -> reason | None``; a reason refuses ``action`` with 409."""

    def register(function: Guard) -> Guard:
        GUARDS[action].append(function)
        return function

    return register


def in_transaction(action: str) -> Callable[[Callable[[Dossier, Any], None]], Callable[[Dossier, Any], None]]:
    """Register ``function(dossier, actor)`` to run after ``action`` changed the dossier, in the same transaction."""

    def register(function: Callable[[Dossier, Any], None]) -> Callable[[Dossier, Any], None]:
        IN_TRANSACTION[action].append(function)
        return function

    return register


def on_commit(action: str) -> Callable[[Callable[[int], None]], Callable[[int], None]]:
    """Register ``function(dossier_id)`` to run after a committed ``action`` (used by later apps' tasks)."""

    def register(function: Callable[[int], None]) -> Callable[[int], None]:
        ON_COMMIT[action].append(function)
        return function

    return register


def apply(
    *,
    dossier_id: int,
    action: str,
    actor: Any,
    comment: str = "",
    now: datetime | None = None,
    **params: Any,
) -> Dossier:
    """Apply ``action`` to the dossier as ``actor`` (``None`` for the portal itself); returns the dossier."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise NotFound(f"There is no action {action!r}.", code="unknown_action")
    comment = (comment or "").strip()
    # Who may see the dossier is first asked without the lock: a counter of another agency that could see a
    # dossier waiting for reception, and loses the race to receive it, is told so (409), not "no such dossier".
    before = (
        Dossier.objects.filter(pk=dossier_id)
        .only("state", "agency", "received_at_agency", "applicant", "created_by", "channel")
        .first()
    )
    if before is None or (actor is not None and not may(actor, Ask.VIEW, before)):
        raise NotFound("No such dossier.")
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("version", "agency")
            .filter(pk=dossier_id)
            .first()
        )
        if dossier is None:
            raise NotFound("No such dossier.")
        if actor is not None and not may(actor, Ask.VIEW, dossier):
            raise InvalidState("Another counter took this dossier a moment ago.", code="taken")
        if actor is None:
            if SYSTEM not in transition.roles:
                raise NotAllowed(f"{action} is done by a person.")
        elif not may_act(actor, dossier, action=action, roles=transition.roles):
            raise NotAllowed(f"You may not {action.replace('_', ' ')} this dossier.")
        if dossier.state not in transition.sources:
            raise InvalidState(
                f"Cannot {action.replace('_', ' ')} a dossier in state {dossier.state}; "
                f"possible from: {', '.join(sorted(transition.sources))}."
            )
        if transition.comment_required and not comment:
            raise ServiceError(
                f"{action.replace('_', ' ').capitalize()} needs a reason (comment).", code="comment_required"
            )
        now = now or timezone.now()
        before = dossier.state
        for check in GUARDS[action]:
            reason = check(dossier)
            if reason:
                raise InvalidState(reason, code="blocked")
        fields = EFFECTS[action](dossier, actor, now, params) if action in EFFECTS else []
        dossier.state = transition.target or dossier.state_before_supplement or State.SUBMITTED
        if action == "resubmit":
            dossier.state_before_supplement = ""
            fields.append("state_before_supplement")
        history.record(
            dossier,
            action=action,
            actor=actor,
            at=now,
            from_state=before,
            to_state=dossier.state,
            comment=comment,
            data={key: value for key, value in params.items() if value not in (None, "")},
            save_head=False,
        )
        dossier.save(update_fields=[*dict.fromkeys(fields), "state", "history_head", "updated_at"])
        for effect in IN_TRANSACTION[action]:
            effect(dossier, actor)
        for function in ON_COMMIT[action]:
            transaction.on_commit(lambda f=function, pk=dossier.pk: f(pk))
    return dossier
