"""The workflow as a table: every action × every state × every persona, against an oracle written from DESIGN.md.

The oracle below is deliberately independent of ``dossiers.workflow.TRANSITIONS``: it restates DESIGN.md's table of
actions and the order in which a request is refused: 401 without a login; 404 when the actor cannot see the dossier
(a citizen sees only their own, staff their agency's, any receiver also a dossier waiting for reception, leaders and
province admins everything; a draft only its author); 403 for a role the action is not for; 409 from a state the action does not start
from; 400 when a reason (refuse, request_supplement, send_back) or an outcome (assess) is missing.

The dossier is of agency A, filed online by ``citizen``, complete (every required paper is there), and was
received, if it was, at agency A's counter.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import override_settings
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

PUBLIC_ACTIONS = [action for action, (_, _, roles) in DESIGN_TABLE.items() if PORTAL not in roles]
STATES = [state.value for state in State]
# Where a supplement of the dossier in ``supplement_requested`` was asked from.
ASKED_FROM = "assessing"


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


def can_see(persona: Persona, state: str) -> bool:
    if persona.role == Role.CITIZEN:
        return persona.name == "citizen"
    if state == "draft":
        # A draft is its author's until it is submitted; nobody else sees it, not even its agency or leaders.
        return False
    if persona.role in (Role.LEADER, Role.PROVINCE_ADMIN):
        return True
    if persona.role == Role.CITIZEN:
        return persona.name == "citizen"
    if persona.agency == "A":
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


def client_for(world: World, persona: Persona) -> APIClient:
    world.client.force_authenticate(world.users[persona.name] if persona.role is not None else None)
    return world.client


def snapshot(dossier: Dossier) -> tuple[str, int]:
    dossier.refresh_from_db()
    return dossier.state, dossier.events.count()


# --- Every public action through the API -------------------------------------------------------------------

CASES = [
    pytest.param(action, state, name, id=f"{action}-{state}-{name}")
    for action in PUBLIC_ACTIONS
    for state in STATES
    for name in PERSONAS
]
# The same requests without the reason or the outcome, for the actions that need one.
CASES_WITHOUT_INPUT = [
    pytest.param(action, state, name, id=f"{action}-{state}-{name}-no-input")
    for action in PUBLIC_ACTIONS
    if action in NEEDS_COMMENT | NEEDS_OUTCOME
    for state in STATES
    for name in PERSONAS
]


def _run_case(world: World, action: str, state: str, name: str, *, body: dict[str, Any]) -> None:
    persona = PERSONAS[name]
    dossier = world.dossier_in(state)
    before_state, before_events = snapshot(dossier)
    expected = expected_status(action, state, persona, with_input=bool(body))

    response = client_for(world, persona).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/{action}/", body, format="json"
    )

    assert response.status_code == expected, response.content
    assert isinstance(response.json().get("code" if expected != 200 else "state"), str)
    if expected == 200:
        target = expected_target(action)
        assert response.json()["state"] == target
        assert snapshot(dossier) == (target, before_events + 1)
        event = dossier.events.order_by("-id").first()
        assert (event.action, event.from_state, event.to_state, event.actor) == (
            action,
            before_state,
            target,
            world.users[name],
        )
    else:
        assert snapshot(dossier) == (before_state, before_events)


@pytest.mark.parametrize(("action", "state", "name"), CASES)
def test_each_action_from_each_state_by_each_persona_answers_as_designed(
    world: World, db: Any, action: str, state: str, name: str
) -> None:
    _run_case(world, action, state, name, body={"comment": "Lý do: thiếu bản sao", "outcome": "grant"})


@pytest.mark.parametrize(("action", "state", "name"), CASES_WITHOUT_INPUT)
def test_an_action_missing_its_reason_or_outcome_is_refused_only_after_every_other_check(
    world: World, db: Any, action: str, state: str, name: str
) -> None:
    _run_case(world, action, state, name, body={})


@pytest.mark.parametrize("comment", ["", "   "])
@pytest.mark.parametrize(
    ("action", "state", "name"), [("refuse", "submitted", "receiver"), ("send_back", "approving", "approver")]
)
def test_a_blank_reason_counts_as_no_reason(
    world: World, db: Any, action: str, state: str, name: str, comment: str
) -> None:
    dossier = world.dossier_in(state)

    response = client_for(world, PERSONAS[name]).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/{action}/", {"comment": comment}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "comment_required"
    assert snapshot(dossier) == (state, 0)


def test_a_supplement_asked_at_reception_is_resubmitted_back_to_reception(world: World, db: Any) -> None:
    dossier = world.dossier_in("supplement_requested")
    Dossier.objects.filter(pk=dossier.pk).update(state_before_supplement="submitted", paused_at=None)

    response = client_for(world, PERSONAS["citizen"]).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/resubmit/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


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


@pytest.mark.parametrize(
    ("state", "name"),
    [(state, name) for state in STATES for name in PERSONAS if PERSONAS[name].role is not None],
)
def test_no_person_can_mark_a_result_signed(world: World, db: Any, state: str, name: str) -> None:
    dossier = world.dossier_in(state)
    before = snapshot(dossier)

    status = _status_of_apply(dossier_id=dossier.pk, action="signed", actor=world.users[name])

    assert status == expected_status("signed", state, PERSONAS[name])
    assert snapshot(dossier) == before


@pytest.mark.parametrize("name", [name for name in PERSONAS if PERSONAS[name].role is not None])
def test_signed_is_not_an_action_of_the_api(world: World, db: Any, name: str) -> None:
    dossier = world.dossier_in("signing")

    response = client_for(world, PERSONAS[name]).post(f"/api/v1/dossiers/{dossier.pk}/actions/signed/")

    assert response.status_code == 404
    assert snapshot(dossier) == ("signing", 0)


@pytest.mark.parametrize("action", PUBLIC_ACTIONS)
def test_the_portal_itself_does_none_of_a_persons_actions(world: World, db: Any, action: str) -> None:
    state = sorted(DESIGN_TABLE[action][0])[0]
    dossier = world.dossier_in(state)

    status = _status_of_apply(dossier_id=dossier.pk, action=action, actor=None, comment="x", outcome="grant")

    assert status == 403
    assert snapshot(dossier) == (state, 0)


# --- A dossier received at another agency's counter ----------------------------------------------------------


def test_the_counter_that_received_a_dossier_returns_its_result(world: World, db: Any) -> None:
    dossier = world.dossier_in("result_ready")
    Dossier.objects.filter(pk=dossier.pk).update(received_at_agency=world.users["receiver_b"].agency)

    response = client_for(world, PERSONAS["receiver_b"]).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/return/", {}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "returned"


def test_the_oracle_covers_every_action_of_the_workflow() -> None:
    assert set(DESIGN_TABLE) == set(workflow.TRANSITIONS)
    assert set(PUBLIC_ACTIONS) == set(workflow.PUBLIC_ACTIONS)
