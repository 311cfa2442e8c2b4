"""The workflow as a table, against an oracle written from DESIGN.md: each action's source states, target, roles,
required input and effects, through the API.

The oracle below is deliberately independent of ``dossiers.workflow.TRANSITIONS``: it restates DESIGN.md's table of
actions and the order in which a request is refused: 401 without a login; 404 when the actor cannot see the dossier;
403 for a role the action is not for; 409 from a state the action does not start from; 400 when a reason (refuse,
request_supplement, send_back) or an outcome (assess) is missing. Who sees a dossier in which state is the policy's
(``tests/security/test_policy_table.py`` spells it out cell by cell); here every persona is tried only from the
states an action starts from, and the other states only by the persona whose action it is.

The dossier is of agency A, filed online by ``citizen``, complete (every required paper is there), and was
received, if it was, at agency A's counter.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.constants import Role
from dossiers import workflow
from dossiers.constants import State
from dossiers.models import Dossier
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
from tests.dossiers.conftest import FAST_HASHERS, attach_required_papers
from tests.factories import AgencyFactory, DossierFactory, ProcedureVersionFactory, UserFactory

# --- The oracle: DESIGN.md's table of actions ---------------------------------------------------------------

PORTAL = "portal"  # the signing worker: workflow.apply(actor=None)
BACK = "back"  # resubmit returns to the state the supplement was asked from

# action: (from states, to state, roles)
DESIGN_TABLE: dict[str, tuple[set[str], str, set[str]]] = {
    "submit": ({"draft"}, "submitted", {Role.CITIZEN}),
    "receive": ({"submitted"}, "assessing", {Role.RECEIVER}),
    "refuse": ({"submitted"}, "rejected", {Role.RECEIVER}),
    "request_supplement": (
        {"submitted", "assessing"},
        "supplement_requested",
        {Role.RECEIVER, Role.ASSESSOR},
    ),
    "resubmit": ({"supplement_requested"}, BACK, {Role.CITIZEN}),
    "assess": ({"assessing"}, "approving", {Role.ASSESSOR}),
    "send_back": ({"approving"}, "assessing", {Role.APPROVER}),
    "approve": ({"approving"}, "signing", {Role.APPROVER}),
    "signed": ({"signing"}, "result_ready", {PORTAL}),
    "return": ({"result_ready"}, "returned", {Role.RECEIVER}),
    "withdraw": ({"draft", "submitted", "supplement_requested", "assessing"}, "withdrawn", {Role.CITIZEN}),
}
NEEDS_COMMENT = {"refuse", "request_supplement", "send_back"}
NEEDS_OUTCOME = {"assess"}
# What each action sets besides the state (the dates of the clock among it), from DESIGN.md.
SETS: dict[str, set[str]] = {
    "submit": {"code", "submitted_at"},
    "receive": {"received_at", "received_at_agency", "due_at"},
    "refuse": {"closed_at", "received_at_agency"},
    "request_supplement": {"state_before_supplement"},
    "resubmit": set(),
    "assess": {"proposed_outcome"},
    "send_back": set(),
    "approve": {"outcome", "decided_at", "signing_queued_at"},
    "signed": set(),
    "return": {"returned_at", "closed_at"},
    "withdraw": {"closed_at"},
}
# What each action clears.
CLEARS: dict[str, set[str]] = {"resubmit": {"paused_at", "state_before_supplement"}}

PUBLIC_ACTIONS = [action for action, (_, _, roles) in DESIGN_TABLE.items() if PORTAL not in roles]
STATES = [state.value for state in State]
# Where a supplement of the dossier in ``supplement_requested`` was asked from.
ASKED_FROM = "assessing"
INPUT = {"comment": "Lý do: thiếu bản sao", "outcome": "grant"}


@dataclass(frozen=True)
class Persona:
    name: str
    role: str | None  # None: anonymous
    agency: str | None  # "A" (the competent agency), "B" (another agency), "province" or None


PERSONAS = {
    persona.name: persona
    for persona in [
        Persona("citizen", Role.CITIZEN, None),  # the applicant
        Persona("citizen2", Role.CITIZEN, None),
        Persona("receiver", Role.RECEIVER, "A"),
        Persona("assessor", Role.ASSESSOR, "A"),
        Persona("approver", Role.APPROVER, "A"),
        Persona("receiver_b", Role.RECEIVER, "B"),
        Persona("assessor_b", Role.ASSESSOR, "B"),
        Persona("approver_b", Role.APPROVER, "B"),
        Persona("province_admin", Role.PROVINCE_ADMIN, "province"),
        Persona("leader", Role.LEADER, "province"),
        Persona("anonymous", None, None),
    ]
}
# The persona of agency A (or the applicant) whose role takes each action.
ACTOR = {
    action: next(p.name for p in PERSONAS.values() if p.role in roles and p.agency in ("A", None))
    for action, (_, _, roles) in DESIGN_TABLE.items()
    if PORTAL not in roles
}


def can_see(persona: Persona, state: str) -> bool:
    """The policy, as far as this table needs it (the policy's own table has it all)."""
    if persona.role == Role.CITIZEN:
        return persona.name == "citizen"
    if state == "draft":
        return False
    if persona.role in (Role.LEADER, Role.PROVINCE_ADMIN) or persona.agency == "A":
        return True
    # No administrative boundaries: any receiver of the province takes in a dossier waiting for reception.
    return persona.role == Role.RECEIVER and state == "submitted"


def expected_status(action: str, state: str, persona: Persona, *, with_input: bool = True) -> int:
    sources, _target, roles = DESIGN_TABLE[action]
    if persona.role is None:
        return 401
    if not can_see(persona, state):
        return 404
    if persona.role not in roles:
        return 403
    if state not in sources:
        return 409
    if not with_input and (action in NEEDS_COMMENT or action in NEEDS_OUTCOME):
        return 400
    return 200


def expected_target(action: str) -> str:
    target = DESIGN_TABLE[action][1]
    return ASKED_FROM if target == BACK else target


# --- The world: agencies, personas and a procedure, built once for the module -----------------------------


@dataclass
class World:
    users: dict[str, Any]
    version: Any
    # One client for the module: building a client's middleware chain costs more than a request here.
    client: APIClient = field(default_factory=APIClient)

    def dossier_in(self, state: str) -> Dossier:
        """A complete dossier of agency A, filed online by ``citizen``, put in ``state`` by the factory's traits."""
        traits = {} if state == "draft" else {_TRAIT[state]: True}
        extra: dict[str, Any] = {}
        if state not in ("draft", "submitted", "rejected", "withdrawn"):
            extra["received_at_agency"] = self.version.agency
        dossier = DossierFactory(version=self.version, applicant=self.users["citizen"], **traits, **extra)
        attach_required_papers(dossier)
        return dossier

    def post(self, name: str, dossier: Dossier, action: str, body: Any = None) -> Any:
        persona = PERSONAS[name]
        self.client.force_authenticate(self.users[persona.name] if persona.role is not None else None)
        return self.client.post(f"/api/v1/dossiers/{dossier.pk}/actions/{action}/", body or {}, format="json")


# The factory's trait for each state.
_TRAIT = {
    "submitted": "submitted",
    "assessing": "received",
    "approving": "assessed",
    "signing": "approved",
    "result_ready": "result_ready",
    "returned": "returned",
    "supplement_requested": "supplement_requested",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """Built once inside a transaction that is rolled back after the module; each test runs in a savepoint."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            agencies = {
                "A": AgencyFactory(code="H12.01", name="Sở Tư pháp"),
                "B": AgencyFactory(code="H12.02", name="Sở Xây dựng"),
                "province": AgencyFactory(code="H12", name="Ủy ban nhân dân tỉnh", level="province"),
            }
            users = {
                persona.name: UserFactory(
                    username=persona.name,
                    role=persona.role,
                    agency=agencies[persona.agency] if persona.agency else None,
                )
                for persona in PERSONAS.values()
                if persona.role is not None
            }
            version = ProcedureVersionFactory(published=True, agency=agencies["A"], processing_days=5)
            yield World(users=users, version=version)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def snapshot(dossier: Dossier) -> tuple[str, int]:
    dossier.refresh_from_db()
    return dossier.state, dossier.events.count()


def refused_and_unchanged(world: World, name: str, state: str, action: str, body: Any, expected: int) -> str:
    """Post ``action`` as ``name`` on a fresh dossier in ``state``; a mismatch as text, or "" when as expected."""
    dossier = world.dossier_in(state)
    before = snapshot(dossier)
    response = world.post(name, dossier, action, body)
    if response.status_code != expected:
        return f"{action} from {state} by {name}: {response.status_code}, expected {expected}"
    if expected != 200 and (not isinstance(response.json().get("code"), str) or snapshot(dossier) != before):
        return f"{action} from {state} by {name}: refused without a code, or changed the dossier"
    return ""


# --- Each action, by the role it is for, from each state it starts from -----------------------------------

MOVES = [
    pytest.param(action, source, id=f"{action}-from-{source}")
    for action in PUBLIC_ACTIONS
    for source in sorted(DESIGN_TABLE[action][0])
]


@pytest.mark.parametrize(("action", "source"), MOVES)
def test_each_action_takes_a_dossier_from_each_of_its_states_to_its_target_with_its_effects_and_a_history_row(
    world: World, db: Any, action: str, source: str
) -> None:
    dossier = world.dossier_in(source)
    _state, events = snapshot(dossier)

    response = world.post(ACTOR[action], dossier, action, INPUT)

    assert response.status_code == 200, response.content
    target = expected_target(action)
    assert response.json()["state"] == target
    assert snapshot(dossier) == (target, events + 1)
    unset = sorted(name for name in SETS[action] if not getattr(dossier, name))
    assert not unset, f"{action} left unset: {unset}"
    uncleared = sorted(name for name in CLEARS.get(action, ()) if getattr(dossier, name))
    assert not uncleared, f"{action} left set: {uncleared}"
    event = dossier.events.order_by("-id").first()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        action,
        source,
        target,
        world.users[ACTOR[action]],
    )


@pytest.mark.parametrize("action", PUBLIC_ACTIONS)
def test_every_persona_is_answered_as_designed_from_each_state_an_action_starts_from(
    world: World, db: Any, action: str
) -> None:
    mismatches = [
        refused_and_unchanged(world, name, state, action, INPUT, expected_status(action, state, persona))
        for state in sorted(DESIGN_TABLE[action][0])
        for name, persona in PERSONAS.items()
    ]
    assert not [m for m in mismatches if m], "\n".join(m for m in mismatches if m)


@pytest.mark.parametrize("action", PUBLIC_ACTIONS)
def test_an_action_from_a_state_it_does_not_start_from_is_a_conflict_that_changes_nothing(
    world: World, db: Any, action: str
) -> None:
    persona = PERSONAS[ACTOR[action]]
    others = [s for s in STATES if s not in DESIGN_TABLE[action][0] and can_see(persona, s)]
    mismatches = [refused_and_unchanged(world, persona.name, state, action, INPUT, 409) for state in others]
    assert others and not [m for m in mismatches if m], "\n".join(m for m in mismatches if m)


def test_a_wrong_role_is_refused_before_a_wrong_state_and_an_unseen_dossier_before_both(
    world: World, db: Any
) -> None:
    assert refused_and_unchanged(world, "assessor", "result_ready", "receive", INPUT, 403) == ""
    assert refused_and_unchanged(world, "citizen2", "result_ready", "withdraw", INPUT, 404) == ""
    assert refused_and_unchanged(world, "anonymous", "draft", "submit", INPUT, 401) == ""


# --- The input an action needs --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(NEEDS_COMMENT | NEEDS_OUTCOME))
def test_an_action_missing_its_reason_or_outcome_is_refused_only_after_every_other_check(
    world: World, db: Any, action: str
) -> None:
    source = sorted(DESIGN_TABLE[action][0])[0]
    wrong_state = next(s for s in STATES if s not in DESIGN_TABLE[action][0] and s != "draft")
    roles = DESIGN_TABLE[action][2]
    wrong_role = next(n for n, p in PERSONAS.items() if p.agency == "A" and p.role not in roles)
    cases = [
        (ACTOR[action], source, 400),
        (ACTOR[action], wrong_state, 409),
        (wrong_role, source, 403),
        ("citizen2", source, 404),
    ]
    mismatches = [
        refused_and_unchanged(world, name, state, action, {}, status) for name, state, status in cases
    ]
    assert not [m for m in mismatches if m], "\n".join(m for m in mismatches if m)
    dossier = world.dossier_in(source)
    code = "outcome_required" if action in NEEDS_OUTCOME else "comment_required"
    assert world.post(ACTOR[action], dossier, action, {}).json()["code"] == code


@pytest.mark.parametrize("comment", ["", "   "])
@pytest.mark.parametrize(("action", "state"), [("refuse", "submitted"), ("send_back", "approving")])
def test_a_blank_reason_counts_as_no_reason(
    world: World, db: Any, action: str, state: str, comment: str
) -> None:
    dossier = world.dossier_in(state)

    response = world.post(ACTOR[action], dossier, action, {"comment": comment})

    assert response.status_code == 400
    assert response.json()["code"] == "comment_required"
    assert snapshot(dossier) == (state, 0)


@pytest.mark.parametrize(
    ("action", "state", "body", "bad_field"),
    [
        ("assess", "assessing", {"outcome": "maybe"}, "outcome"),
        ("approve", "approving", {"outcome": ["grant"]}, "outcome"),
        ("refuse", "submitted", {"comment": "x" * 5001}, "comment"),
        ("withdraw", "draft", {"comment": {"text": "no"}}, "comment"),
    ],
)
def test_an_input_that_does_not_validate_is_bad_input_with_its_field_errors_and_changes_nothing(
    world: World, db: Any, action: str, state: str, body: dict[str, Any], bad_field: str
) -> None:
    dossier = world.dossier_in(state)

    response = world.post(ACTOR[action], dossier, action, body)

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {bad_field}
    assert isinstance(response.json()["code"], str)
    assert snapshot(dossier) == (state, 0)


def test_an_unknown_action_is_not_found_before_its_input_is_read(world: World, db: Any) -> None:
    dossier = world.dossier_in("draft")

    response = world.post("citizen", dossier, "publish", {"outcome": "maybe"})

    assert (response.status_code, response.json()["code"]) == (404, "unknown_action")


def test_the_approvers_decision_without_an_outcome_is_the_assessors_proposal(world: World, db: Any) -> None:
    dossier = world.dossier_in("approving")
    Dossier.objects.filter(pk=dossier.pk).update(proposed_outcome="deny")

    response = world.post("approver", dossier, "approve", {})

    assert response.status_code == 200, response.content
    dossier.refresh_from_db()
    assert (dossier.outcome, dossier.events.get(action="approve").data) == ("deny", {})


def test_an_action_given_another_actions_input_is_a_programming_error(world: World, db: Any) -> None:
    dossier = world.dossier_in("assessing")

    with pytest.raises(TypeError):
        workflow.apply(
            dossier_id=dossier.pk,
            action="assess",
            actor=world.users["assessor"],
            input=workflow.Reason(comment="x"),
        )
    assert snapshot(dossier) == ("assessing", 0)


# --- Where a resubmitted dossier goes, and who returns a result -------------------------------------------


def test_a_supplement_asked_at_reception_is_resubmitted_back_to_reception(world: World, db: Any) -> None:
    dossier = world.dossier_in("supplement_requested")
    Dossier.objects.filter(pk=dossier.pk).update(state_before_supplement="submitted", paused_at=None)

    response = world.post("citizen", dossier, "resubmit")

    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


def test_a_supplement_asked_during_assessment_pauses_the_clock_and_one_asked_at_reception_does_not(
    world: World, db: Any
) -> None:
    assessing, submitted = world.dossier_in("assessing"), world.dossier_in("submitted")

    world.post("assessor", assessing, "request_supplement", INPUT)
    world.post("receiver", submitted, "request_supplement", INPUT)

    assessing.refresh_from_db()
    submitted.refresh_from_db()
    assert (assessing.state_before_supplement, assessing.paused_at is not None) == ("assessing", True)
    assert (submitted.state_before_supplement, submitted.paused_at) == ("submitted", None)


def test_a_resubmission_moves_the_due_date_by_the_pause(world: World, db: Any) -> None:
    dossier = world.dossier_in("supplement_requested")
    due_at = dossier.due_at
    # Two weeks waiting for the citizen: ten working days whatever the day of the week.
    Dossier.objects.filter(pk=dossier.pk).update(paused_at=timezone.now() - timedelta(days=14))

    world.post("citizen", dossier, "resubmit")

    dossier.refresh_from_db()
    assert dossier.due_at - due_at > timedelta(days=10)


def test_the_counter_that_received_a_dossier_returns_its_result(world: World, db: Any) -> None:
    dossier = world.dossier_in("result_ready")
    Dossier.objects.filter(pk=dossier.pk).update(received_at_agency=world.users["receiver_b"].agency)

    response = world.post("receiver_b", dossier, "return")

    assert response.status_code == 200
    assert response.json()["state"] == "returned"


# --- The worker's action: signed ---------------------------------------------------------------------------

STATUS_OF = {NotFound: 404, NotAllowed: 403, InvalidState: 409, ServiceError: 400}


def _status_of_apply(**kwargs: Any) -> int:
    try:
        workflow.apply(**kwargs)
    except ServiceError as error:
        return next(status for kind, status in STATUS_OF.items() if isinstance(error, kind))
    return 200


@pytest.mark.parametrize("state", STATES)
def test_only_a_dossier_being_signed_becomes_result_ready_when_the_portal_signs_it(
    world: World, db: Any, state: str
) -> None:
    dossier = world.dossier_in(state)
    before_state, before_events = snapshot(dossier)

    status = _status_of_apply(dossier_id=dossier.pk, action="signed", actor=None)

    assert status == (200 if state == "signing" else 409)
    if status == 200:
        assert snapshot(dossier) == ("result_ready", before_events + 1)
        event = dossier.events.order_by("-id").first()
        assert (event.action, event.from_state, event.to_state, event.actor) == (
            "signed",
            "signing",
            "result_ready",
            None,
        )
    else:
        assert snapshot(dossier) == (before_state, before_events)


def test_no_person_can_mark_a_result_signed_nor_ask_the_api_to(world: World, db: Any) -> None:
    mismatches = []
    for name, persona in PERSONAS.items():
        if persona.role is None:
            continue
        dossier = world.dossier_in("signing")
        status = _status_of_apply(dossier_id=dossier.pk, action="signed", actor=world.users[name])
        if status != expected_status("signed", "signing", persona):
            mismatches.append(f"workflow.apply by {name}: {status}")
        if world.post(name, dossier, "signed").status_code != 404:
            mismatches.append(f"the API's signed by {name} is not 404")
        if snapshot(dossier) != ("signing", 0):
            mismatches.append(f"{name} changed the dossier")
    assert not mismatches, "\n".join(mismatches)


def test_the_portal_itself_does_none_of_a_persons_actions(world: World, db: Any) -> None:
    mismatches = []
    for action in PUBLIC_ACTIONS:
        state = sorted(DESIGN_TABLE[action][0])[0]
        dossier = world.dossier_in(state)
        given = workflow.TRANSITIONS[action].input(comment="x")
        status = _status_of_apply(dossier_id=dossier.pk, action=action, actor=None, input=given)
        if status != 403 or snapshot(dossier) != (state, 0):
            mismatches.append(f"{action} by the portal: {status}")
    assert not mismatches, "\n".join(mismatches)


def test_the_workflow_refuses_an_action_it_does_not_have(world: World, db: Any) -> None:
    dossier = world.dossier_in("draft")

    with pytest.raises(NotFound) as refused:
        workflow.apply(dossier_id=dossier.pk, action="publish", actor=world.users["citizen"])

    assert refused.value.code == "unknown_action"


def test_the_oracle_covers_every_action_of_the_workflow() -> None:
    assert set(DESIGN_TABLE) == set(workflow.TRANSITIONS)
    assert set(PUBLIC_ACTIONS) == set(workflow.PUBLIC_ACTIONS)
    needs_reason = {a for a, t in workflow.TRANSITIONS.items() if issubclass(t.input, workflow.Reason)}
    assert set(NEEDS_COMMENT) == needs_reason
