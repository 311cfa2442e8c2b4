"""``has_permission`` as a table: every permission, every kind of user, for their own agency and another."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.constants import Role
from accounts.permissions import PERMISSIONS, has_permission
from tests.factories import UserFactory

# Who holds each permission (written out here, not read from PERMISSIONS, so that a change to the rules shows).
HOLDERS: dict[str, set[str]] = {
    "catalogue.manage": {Role.PROVINCE_ADMIN},
    "catalogue.import": {Role.PROVINCE_ADMIN},
    "calendar.manage": {Role.PROVINCE_ADMIN},
    "staff.manage": {Role.PROVINCE_ADMIN},
    "payments.refund": {Role.PROVINCE_ADMIN, Role.LEADER},
    "payments.reconcile": {Role.PROVINCE_ADMIN, Role.LEADER},
    "console.view": {Role.RECEIVER, Role.ASSESSOR, Role.APPROVER},
    "identity.verify": {Role.RECEIVER},
    "stats.view": {Role.RECEIVER, Role.ASSESSOR, Role.APPROVER, Role.LEADER, Role.PROVINCE_ADMIN},
}
# The permissions a holder has only for their own agency.
OWN_AGENCY_ONLY = {"console.view"}

# Every kind of user: the personas, plus the users the rules single out.
SUBJECTS = [
    "anonymous",
    "citizen",
    "receiver",
    "assessor",
    "approver",
    "receiver_b",
    "province_admin",
    "leader",
    "inactive_receiver",
    "inactive_province_admin",
    "superuser",
    "receiver_without_agency",
]
# For whom the permission is asked: the user's own agency, another, or no agency in particular.
AGENCIES = ["own", "other", "none"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The personas' passwords play no part here; hash them cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def expected(subject: str, permission: str, agency: str) -> bool:
    if subject == "superuser":
        return True
    if subject == "anonymous" or subject.startswith("inactive_"):
        return False
    role = {"receiver_b": Role.RECEIVER, "receiver_without_agency": Role.RECEIVER}.get(subject, subject)
    if role not in HOLDERS[permission]:
        return False
    if permission in OWN_AGENCY_ONLY and agency != "none":
        return agency == "own" and subject != "receiver_without_agency"
    return True


@pytest.fixture
def users(request: Any, agency_a: Any) -> Any:
    def user(subject: str) -> Any:
        if subject == "anonymous":
            return AnonymousUser()
        if subject == "inactive_receiver":
            return UserFactory(username=subject, role=Role.RECEIVER, agency=agency_a, is_active=False)
        if subject == "inactive_province_admin":
            return UserFactory(username=subject, role=Role.PROVINCE_ADMIN, is_active=False)
        if subject == "superuser":
            return UserFactory(username=subject, role=Role.CITIZEN, is_superuser=True, is_staff=True)
        if subject == "receiver_without_agency":
            return UserFactory(username=subject, role=Role.RECEIVER, agency=None)
        return request.getfixturevalue(subject)

    return user


def test_the_table_covers_every_permission_the_portal_has():
    assert set(HOLDERS) == set(PERMISSIONS)
    assert {name for name, rule in PERMISSIONS.items() if rule.own_agency_only} == OWN_AGENCY_ONLY


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("permission", sorted(HOLDERS))
def test_a_permission_is_decided_by_role_and_agency(users, agency_a, agency_b, permission, subject, agency):
    user = users(subject)
    own = getattr(user, "agency", None) or agency_a
    other = agency_b if own != agency_b else agency_a
    for_agency = {"own": own, "other": other, "none": None}[agency]

    assert has_permission(user, permission, agency=for_agency) is expected(subject, permission, agency)


@pytest.mark.parametrize(("which", "allowed"), [("own", True), ("other", False)])
def test_an_agency_may_be_given_by_its_id(receiver, agency_a, agency_b, which, allowed):
    agency = agency_a if which == "own" else agency_b

    assert has_permission(receiver, "console.view", agency=agency.pk) is allowed


def test_an_unknown_permission_is_a_mistake_in_the_code_not_a_refusal(province_admin):
    with pytest.raises(KeyError):
        has_permission(province_admin, "catalogue.manages")
