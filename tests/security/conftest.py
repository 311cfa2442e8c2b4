"""Fixtures of the security tests: dossiers of agency A and B in each state, built without the workflow, the
personas beyond conftest's (a superuser, inactive users), and the signing tests' demo PKI and approved dossiers
(agency A's procedure signs real results)."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from accounts.constants import Role
from dossiers.models import Dossier
from tests.factories import DossierFactory, ProcedureVersionFactory, UserFactory
from tests.signing.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    assessed,
    demo_pki,
    eager,
    session_pki,
    signing_agency,
    version_a,
)

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every kind of user the door walk and the policy table try, by fixture name; "anonymous_user" is no one.
PERSONAS = (
    "citizen",
    "citizen2",
    "receiver",
    "assessor",
    "approver",
    "receiver_b",
    "assessor_b",
    "approver_b",
    "province_admin",
    "leader",
    "superuser",
    "inactive_receiver",
    "anonymous_user",
)


def persona_user(request: pytest.FixtureRequest, name: str) -> Any:
    """The user a persona's name stands for."""
    return AnonymousUser() if name == "anonymous_user" else request.getfixturevalue(name)


# A state of the lifecycle → the factory trait that puts a dossier in it.
TRAITS: dict[str, dict[str, bool]] = {
    "draft": {},
    "submitted": {"submitted": True},
    "assessing": {"received": True},
    "approving": {"assessed": True},
    "signing": {"approved": True},
    "result_ready": {"result_ready": True},
    "returned": {"returned": True},
    "supplement_requested": {"supplement_requested": True},
    "rejected": {"rejected": True},
    "withdrawn": {"withdrawn": True},
}
# States in which no counter has taken the dossier in yet.
NOT_RECEIVED = frozenset({"draft", "submitted", "withdrawn"})


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def version_b(agency_b: Any) -> Any:
    return ProcedureVersionFactory(published=True, agency=agency_b)


@pytest.fixture
def superuser(db: Any) -> Any:
    """A superuser as ``createsuperuser`` makes one: the default role (citizen), no agency."""
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def inactive_receiver(agency_a: Any) -> Any:
    """A receiver of agency A whose account was switched off."""
    return UserFactory(username="receiver_gone", role=Role.RECEIVER, agency=agency_a, is_active=False)


@pytest.fixture
def make_dossier(version_a: Any, version_b: Any, citizen: Any, receiver: Any, agency_a: Any) -> Any:  # noqa: F811
    """``make_dossier(kind, state)``; ``kind`` is one of

    - ``online_a``: the citizen's online dossier of agency A, taken in by agency A's counter;
    - ``online_b``: the citizen's online dossier of agency B, taken in by agency A's counter (no boundaries);
    - ``walk_in_b``: a walk-in for agency B entered by agency A's receiver, no account joined yet;
    - ``walk_in_joined``: the same, joined to the citizen's account (a verified ID number).
    """

    def make(kind: str, state: str) -> Dossier:
        received_at = None if state in NOT_RECEIVED else agency_a
        fields: dict[str, Any] = {"received_at_agency": received_at, **TRAITS[state]}
        if kind == "online_a":
            fields.update(version=version_a, applicant=citizen)
        elif kind == "online_b":
            fields.update(version=version_b, applicant=citizen)
        elif kind == "walk_in_b":
            fields.update(version=version_b, applicant=None, created_by=receiver, channel="counter")
        elif kind == "walk_in_joined":
            fields.update(version=version_b, applicant=citizen, created_by=receiver, channel="counter")
        else:
            raise ValueError(kind)
        return DossierFactory(**fields)

    return make


@pytest.fixture
def browser(citizen: Any) -> Client:
    """The citizen, logged in to the pages."""
    client = Client()
    client.force_login(citizen)
    return client
