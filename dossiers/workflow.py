"""The dossier workflow: the table of actions and the one function that applies them.

Nothing else assigns ``Dossier.state``. Each action is declared once, in ``TRANSITIONS``: the states it starts
from, the state it lands in, the roles that take it, its input (a small dataclass, parsed at the API's edge by its
serializer) and its effect on the dossier's other fields. ``apply`` locks the dossier row, checks that the actor
may see it (else 404), that their role and agency allow the action (403), that the dossier is in a state the
action starts from (409) and that the action's input is complete (400); then it changes the dossier with
``save(update_fields=...)``, appends a history row and queues side effects with ``transaction.on_commit``.

Other apps take part through the hooks ``GUARDS``, ``IN_TRANSACTION`` and ``ON_COMMIT`` (``portal.hooks``), which
they register on from their ``AppConfig.ready()``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Any, ClassVar, Generic, Self, TypeVar

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from accounts.constants import Role
from accounts.policy import Ask, may, may_act
from dossiers import codes, completeness, numbering, sla, supplement
from dossiers.constants import Outcome, State
from dossiers.history import history_write
from dossiers.models import Dossier
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
from portal.hooks import Hook
from procedures.models import CopyType

SYSTEM = "system"  # the role of the portal itself (the signing worker)
# Who takes an action: a user, or None for the portal itself.
Actor = Any


class Action(StrEnum):
    """The workflow's actions; the values are the API's ``/actions/{action}/`` and the history rows' ``action``."""

    SUBMIT = "submit"
    RECEIVE = "receive"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    ASSESS = "assess"
    SEND_BACK = "send_back"
    APPROVE = "approve"
    SIGNED = "signed"
    RETURN = "return"
    WITHDRAW = "withdraw"


# --- What an action takes --------------------------------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class OutcomeSerializer(NoteSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)


@dataclass(frozen=True)
class Note:
    """The input of an action that needs nothing: an optional comment for the history row."""

    comment: str = ""

    serializer: ClassVar[type[serializers.Serializer]] = NoteSerializer

    def __post_init__(self) -> None:
        object.__setattr__(self, "comment", (self.comment or "").strip())

    @classmethod
    def parse(cls, data: object) -> Self:
        """The input from a request's body; a DRF ``ValidationError`` (400 with the field errors) if it is not one."""
        parsed = cls.serializer(data=data)
        parsed.is_valid(raise_exception=True)
        return cls(**parsed.validated_data)

    def missing(self, action: Action) -> ServiceError | None:
        """What the action still needs, asked once the actor may take it from this state (so after 404/403/409)."""
        return None

    def data(self) -> dict[str, Any]:
        """What the history row keeps of the input besides the comment."""
        return {}


@dataclass(frozen=True)
class Reason(Note):
    """A refusal, a supplement request, a send-back: the comment is the reason given, and it is required."""

    def missing(self, action: Action) -> ServiceError | None:
        if self.comment:
            return None
        return ServiceError(
            f"{action.replace('_', ' ').capitalize()} needs a reason (comment).", code="comment_required"
        )


class SupplementComponentSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    copy_type = serializers.ChoiceField(choices=CopyType.choices, required=False)
    count = serializers.IntegerField(min_value=1, max_value=20, required=False)


def _components_field() -> serializers.ListField:
    return serializers.ListField(
        child=SupplementComponentSerializer(),
        required=False,
        default=list,
        max_length=100,
        help_text="request_supplement: the missing components (ids of the procedure version's components); "
        "copy_type defaults to the component's, count to its number of copies.",
    )


class SupplementRequestSerializer(NoteSerializer):
    components = _components_field()


class ActionBodySerializer(OutcomeSerializer):
    """The widest of the actions' bodies, for the OpenAPI schema."""

    components = _components_field()


@dataclass(frozen=True)
class SupplementRequest(Reason):
    """What is asked for, and why; ``components`` are the papers the clerk names, each ``{"id", "copy_type"?,
    "count"?}`` (a bare id is one with the component's own copy type and number of copies). The supplement slip
    lists them besides the required papers that are missing; the effect checks the ids are the version's."""

    components: tuple[dict[str, Any], ...] = ()

    serializer: ClassVar[type[serializers.Serializer]] = SupplementRequestSerializer

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(
            self,
            "components",
            tuple(dict(c) if isinstance(c, dict) else {"id": c} for c in self.components),
        )

    def data(self) -> dict[str, Any]:
        return {"components": list(self.components)} if self.components else {}


@dataclass(frozen=True)
class _WithOutcome(Note):
    outcome: Outcome | None = None

    serializer: ClassVar[type[serializers.Serializer]] = OutcomeSerializer

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.outcome in Outcome.values:  # a value given as a plain string; anything else is refused later
            object.__setattr__(self, "outcome", Outcome(self.outcome))

    def data(self) -> dict[str, Any]:
        return {"outcome": str(self.outcome)} if self.outcome else {}


@dataclass(frozen=True)
class Assessment(_WithOutcome):
    """The assessor's proposal: grant or deny."""

    def missing(self, action: Action) -> ServiceError | None:
        if self.outcome in Outcome.values:
            return None
        return ServiceError("Assessing needs an outcome: grant or deny.", code="outcome_required")


@dataclass(frozen=True)
class Decision(_WithOutcome):
    """The approver's decision; without an outcome, the assessor's proposal is decided."""


# --- What an action changes besides the state; each effect returns the fields it set ------------------------

I = TypeVar("I", bound=Note)  # noqa: E741 - the input type of one transition
Effect = Callable[[Dossier, Actor, datetime, I], list[str]]


def _submit(dossier: Dossier, actor: Actor, now: datetime, given: Note) -> list[str]:
    completeness.check_ready_to_submit(dossier)
    dossier.code = codes.next_code(dossier.agency, timezone.localtime(now, sla.TZ).date())
    dossier.submitted_at = now
    return ["code", "submitted_at"]


def _receive(dossier: Dossier, actor: Actor, now: datetime, given: Note) -> list[str]:
    dossier.received_at = now
    dossier.received_at_agency_id = actor.agency_id
    dossier.due_at = sla.Calendar().due_at(now, dossier.version.processing_days)
    numbering.register_entry_assign(dossier, now)  # its line in the agency's dossier register (form 07)
    return ["received_at", "received_at_agency", "due_at"]


def _handled_at_reception(dossier: Dossier, actor: Actor) -> list[str]:
    # A counter that refuses a dossier, or asks for more at reception, keeps it in view (no administrative
    # boundaries: it may be another agency's counter than the competent agency's).
    if dossier.state != State.SUBMITTED or actor is None or actor.agency_id is None:
        return []
    dossier.received_at_agency_id = actor.agency_id
    return ["received_at_agency"]


def _close(dossier: Dossier, actor: Actor, now: datetime, given: Note) -> list[str]:
    dossier.closed_at = now
    return ["closed_at"]


def _refuse(dossier: Dossier, actor: Actor, now: datetime, given: Reason) -> list[str]:
    return [*_handled_at_reception(dossier, actor), *_close(dossier, actor, now, given)]


def _request_supplement(dossier: Dossier, actor: Actor, now: datetime, given: SupplementRequest) -> list[str]:
    known = set(dossier.version.components.values_list("pk", flat=True))
    unknown = [c["id"] for c in given.components if c["id"] not in known]
    if unknown:
        raise ServiceError(
            f"Unknown component(s) of this procedure: {', '.join(map(str, unknown))}.",
            code="unknown_component",
        )
    fields = _handled_at_reception(dossier, actor)
    dossier.state_before_supplement = dossier.state
    # The clock only pauses if it was running; before reception there is nothing to pause.
    dossier.paused_at = now if dossier.state == State.ASSESSING else None
    return [*fields, "state_before_supplement", "paused_at"]


def _resubmit(dossier: Dossier, actor: Actor, now: datetime, given: Note) -> list[str]:
    completeness.check_ready_to_submit(dossier)
    missing = supplement.still_missing(dossier)
    if missing:
        refused = ServiceError(
            "No new paper since the supplement request for: "
            + "; ".join(row["name"] for row in missing)
            + ".",
            code="supplement_incomplete",
        )
        refused.status = 409
        refused.errors = {"components": [{"id": row["id"], "name": row["name"]} for row in missing]}
        raise refused
    if dossier.paused_at and dossier.due_at:
        dossier.due_at = sla.Calendar().extend_for_pause(dossier.due_at, dossier.paused_at, now)
    dossier.paused_at = None
    dossier.state_before_supplement = ""
    return ["due_at", "paused_at", "state_before_supplement"]


def _assess(dossier: Dossier, actor: Actor, now: datetime, given: Assessment) -> list[str]:
    dossier.proposed_outcome = str(given.outcome)
    return ["proposed_outcome"]


def _approve(dossier: Dossier, actor: Actor, now: datetime, given: Decision) -> list[str]:
    outcome = given.outcome or dossier.proposed_outcome
    if outcome not in Outcome.values:
        raise ServiceError("Approving needs an outcome: grant or deny.", code="outcome_required")
    dossier.outcome, dossier.decided_at = outcome, now
    # The signing is queued right after the commit (dossiers.hooks); the sweep counts from this real time.
    dossier.signing_queued_at = timezone.now()
    return ["outcome", "decided_at", "signing_queued_at"]


def _return(dossier: Dossier, actor: Actor, now: datetime, given: Note) -> list[str]:
    dossier.returned_at = dossier.closed_at = now
    return ["returned_at", "closed_at"]


# --- The table ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition(Generic[I]):
    sources: frozenset[State]
    target: State | None  # None: back to the state the supplement was asked from
    roles: frozenset[str]
    input: type[I]
    effect: Effect[I] | None = None

    def target_for(self, dossier: Dossier) -> State:
        if self.target is not None:
            return self.target
        return State(dossier.state_before_supplement or State.SUBMITTED)


def _t(
    sources: set[State],
    target: State | None,
    roles: set[str],
    input: type[I],
    effect: Effect[I] | None = None,
) -> Transition[I]:
    return Transition(frozenset(sources), target, frozenset(roles), input, effect)


S, R = State, Role
# action: the states it starts from, the state it lands in, who takes it, what it takes, what else it changes.
TRANSITIONS: dict[Action, Transition[Any]] = {
    Action.SUBMIT: _t({S.DRAFT}, S.SUBMITTED, {R.CITIZEN, R.RECEIVER}, Note, _submit),
    Action.RECEIVE: _t({S.SUBMITTED}, S.ASSESSING, {R.RECEIVER}, Note, _receive),
    Action.REFUSE: _t({S.SUBMITTED}, S.REJECTED, {R.RECEIVER}, Reason, _refuse),
    Action.REQUEST_SUPPLEMENT: _t(
        {S.SUBMITTED, S.ASSESSING},
        S.SUPPLEMENT_REQUESTED,
        {R.RECEIVER, R.ASSESSOR},
        SupplementRequest,
        _request_supplement,
    ),
    Action.RESUBMIT: _t({S.SUPPLEMENT_REQUESTED}, None, {R.CITIZEN}, Note, _resubmit),
    Action.ASSESS: _t({S.ASSESSING}, S.APPROVING, {R.ASSESSOR}, Assessment, _assess),
    Action.SEND_BACK: _t({S.APPROVING}, S.ASSESSING, {R.APPROVER}, Reason),
    Action.APPROVE: _t({S.APPROVING}, S.SIGNING, {R.APPROVER}, Decision, _approve),
    Action.SIGNED: _t({S.SIGNING}, S.RESULT_READY, {SYSTEM}, Note),
    Action.RETURN: _t({S.RESULT_READY}, S.RETURNED, {R.RECEIVER}, Note, _return),
    Action.WITHDRAW: _t(
        {S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ASSESSING}, S.WITHDRAWN, {R.CITIZEN}, Note, _close
    ),
}
# The actions clients may call through the API and the pages; ``signed`` is the worker's.
PUBLIC_ACTIONS = tuple(action for action, t in TRANSITIONS.items() if SYSTEM not in t.roles)


def action_of(name: str) -> Action:
    """The action named ``name``; NotFound ``unknown_action`` for a name the workflow does not have."""
    try:
        return Action(name)
    except ValueError:
        raise NotFound(f"There is no action {name!r}.", code="unknown_action") from None


def input_for(name: str, data: Mapping[str, object] | object) -> Note:
    """The input of public action ``name`` parsed from a request's body (the API's edge).

    NotFound ``unknown_action`` for a name that is not a public action; a DRF ``ValidationError`` for a body that
    does not validate (the API answers 400 with the field errors).
    """
    action = action_of(name)
    if action not in PUBLIC_ACTIONS:
        raise NotFound(f"There is no action {name!r}.", code="unknown_action")
    return TRANSITIONS[action].input.parse(data)


def allowed_actions(dossier: Dossier, user: Any) -> list[Action]:
    """The actions ``user`` could take on ``dossier`` now, for the pages' buttons."""
    if not may(user, Ask.VIEW, dossier):
        return []
    return [
        action
        for action in PUBLIC_ACTIONS
        if dossier.state in TRANSITIONS[action].sources
        and may_act(user, dossier, action=action, roles=TRANSITIONS[action].roles)
    ]


# --- Other apps' rules and effects, so that dossiers knows nothing of them ---------------------------------

# A guard returns a reason to refuse the action (409 ``blocked``) or None (payments gates reception on the fee).
Guard = Callable[[Dossier], str | None]
GUARDS: dict[Action, Hook[Guard]] = {action: Hook(f"the guards of {action}") for action in Action}
# Run after the action changed the dossier, in the same transaction: ``function(dossier, actor)``.
InTransaction = Callable[[Dossier, Actor], None]
IN_TRANSACTION: dict[Action, Hook[InTransaction]] = {
    action: Hook(f"what runs in the transaction of {action}") for action in Action
}
# Run after the action is committed, with the dossier's id (signing, messages).
OnCommit = Callable[[int], None]
ON_COMMIT: dict[Action, Hook[OnCommit]] = {action: Hook(f"what runs after {action}") for action in Action}


def apply(
    *,
    dossier_id: int,
    action: Action | str,
    actor: Actor,
    input: Note | None = None,  # noqa: A002 - the action's input, as the table names it
    now: datetime | None = None,
) -> Dossier:
    """Apply ``action`` to the dossier as ``actor`` (``None`` for the portal itself); returns the dossier.

    ``input`` is of the action's ``Transition.input`` type; left out, the action's input with no values.
    """
    action = action_of(action)
    transition = TRANSITIONS[action]
    given = transition.input() if input is None else input
    if not isinstance(given, transition.input):
        raise TypeError(f"{action} takes a {transition.input.__name__}, not a {type(given).__name__}.")
    # Who may see the dossier is first asked without the lock: a counter of another agency that could see a
    # dossier waiting for reception, and loses the race to receive it, is told so (409), not "no such dossier".
    seen = (
        Dossier.objects.filter(pk=dossier_id)
        .only("state", "agency", "received_at_agency", "applicant", "created_by", "channel")
        .first()
    )
    if seen is None or (actor is not None and not may(actor, Ask.VIEW, seen)):
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
        missing = given.missing(action)
        if missing is not None:
            raise missing
        now = now or timezone.now()
        for check in GUARDS[action]:
            reason = check(dossier)
            if reason:
                raise InvalidState(reason, code="blocked")
        from_state, to_state = dossier.state, transition.target_for(dossier)
        fields = transition.effect(dossier, actor, now, given) if transition.effect else []
        dossier.state = to_state
        history_write(
            dossier=dossier,
            action=action,
            actor=actor,
            at=now,
            from_state=from_state,
            to_state=to_state,
            comment=given.comment,
            data=given.data(),
        )
        dossier.save(update_fields=[*dict.fromkeys(fields), "state", "updated_at"])
        for effect in IN_TRANSACTION[action]:
            effect(dossier, actor)
        for function in ON_COMMIT[action]:
            transaction.on_commit(partial(function, dossier.pk))
    return dossier
