"""The province admin manages staff from their own pages: create (a link to choose a password is e-mailed), role
and agency, move, switch off and on, force a password reset; each change has a history row. Nobody else may."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from knox.models import AuthToken

from accounts.constants import Role
from accounts.models import StaffChange, User
from tests.english import in_english
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF = "/manage/staff/"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def can_log_in(username: str) -> bool:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return "_auth_user_id" in client.session


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_creates_a_clerk_who_chooses_a_password_from_the_e_mailed_link(
    province_admin, agency_a, django_capture_on_commit_callbacks
):
    admin = as_user(province_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            STAFF + "new/",
            {
                "username": "lan.receiver",
                "full_name": "Nguyễn Thị Lan",
                "email": "lan@soTP.example.vn",
                "role": Role.RECEIVER,
                "agency": agency_a.pk,
            },
        )

    clerk = User.objects.get(username="lan.receiver")
    assert response.status_code == 302 and response["Location"] == f"{STAFF}{clerk.pk}/"
    assert (clerk.role, clerk.agency, clerk.get_full_name()) == (Role.RECEIVER, agency_a, "Nguyễn Thị Lan")
    assert not clerk.has_usable_password()
    change = StaffChange.objects.get(user=clerk)
    assert (change.action, change.actor, change.after) == (
        "create",
        province_admin,
        {"role": "receiver", "agency": "H12.01"},
    )
    link = re.search(r"(/accounts/reset/\S+)", mail.outbox[-1].body)
    assert link is not None and mail.outbox[-1].to == ["lan@soTP.example.vn"]
    clerk_client = Client()
    form = clerk_client.get(link.group(1), follow=True)
    clerk_client.post(
        form.redirect_chain[-1][0], {"new_password1": "so-tu-phap-2026!", "new_password2": "so-tu-phap-2026!"}
    )
    clerk.refresh_from_db()
    assert clerk.check_password("so-tu-phap-2026!")


def test_counter_staff_need_an_agency_and_a_taken_user_name_is_told(province_admin, receiver):
    admin = in_english(as_user(province_admin))
    base = {"full_name": "A B", "email": "a@example.vn", "role": Role.ASSESSOR}

    no_agency = admin.post(STAFF + "new/", base | {"username": "new.one"})
    taken = admin.post(STAFF + "new/", base | {"username": "RECEIVER", "role": Role.LEADER})

    assert "choose it" in no_agency.content.decode()
    assert "taken" in taken.content.decode()
    assert not User.objects.filter(username="new.one").exists()


def test_a_clerk_moved_to_another_agency_and_role_is_recorded_from_what_to_what(
    province_admin, receiver, agency_b
):
    as_user(province_admin).post(f"{STAFF}{receiver.pk}/", {"role": Role.ASSESSOR, "agency": agency_b.pk})

    receiver.refresh_from_db()
    assert (receiver.role, receiver.agency) == (Role.ASSESSOR, agency_b)
    change = StaffChange.objects.get(user=receiver, action="role")
    assert change.before == {"role": "receiver", "agency": "H12.01"}
    assert change.after == {"role": "assessor", "agency": "H12.02"}
    page = as_user(province_admin).get(f"{STAFF}{receiver.pk}/").content.decode()
    assert "H12.01" in page and "H12.02" in page


def test_a_switched_off_clerk_cannot_log_in_and_their_tokens_stop(province_admin, receiver):
    AuthToken.objects.create(user=receiver)
    clerk = as_user(receiver)

    as_user(province_admin).post(f"{STAFF}{receiver.pk}/deactivate/")

    receiver.refresh_from_db()
    assert not receiver.is_active and not AuthToken.objects.filter(user=receiver).exists()
    assert clerk.get("/console/").status_code == 302  # the session no longer counts: to the login page
    assert not can_log_in("receiver")
    as_user(province_admin).post(f"{STAFF}{receiver.pk}/activate/")
    assert can_log_in("receiver")
    assert list(StaffChange.objects.filter(user=receiver).values_list("action", flat=True)) == [
        "reactivate",
        "deactivate",
    ]


def test_a_forced_password_reset_stops_the_old_password_and_mails_a_link(
    province_admin, receiver, django_capture_on_commit_callbacks
):
    receiver.email = "receiver@example.vn"
    receiver.save()

    with django_capture_on_commit_callbacks(execute=True):
        as_user(province_admin).post(f"{STAFF}{receiver.pk}/password-reset/")

    receiver.refresh_from_db()
    assert not receiver.check_password(PASSWORD)
    assert mail.outbox[-1].to == ["receiver@example.vn"] and "/accounts/reset/" in mail.outbox[-1].body
    assert StaffChange.objects.filter(user=receiver, action="password_reset").exists()


def test_the_admin_cannot_switch_off_themselves_or_reach_citizens_and_superusers(province_admin, citizen):
    admin = as_user(province_admin)
    root = UserFactory(username="root", role=Role.PROVINCE_ADMIN, is_superuser=True)

    admin.post(f"{STAFF}{province_admin.pk}/deactivate/")
    province_admin.refresh_from_db()

    assert province_admin.is_active
    assert admin.get(f"{STAFF}{citizen.pk}/").status_code == 404
    assert admin.post(f"{STAFF}{root.pk}/deactivate/").status_code == 404
    assert admin.post(f"{STAFF}{citizen.pk}/password-reset/").status_code == 404


@pytest.mark.parametrize("persona", ["citizen", "receiver", "leader", "approver"])
def test_nobody_but_the_province_admin_manages_staff(request, persona, receiver):
    client = as_user(request.getfixturevalue(persona))

    assert client.get(STAFF).status_code == 403
    assert client.post(f"{STAFF}{receiver.pk}/deactivate/").status_code == 403
    receiver.refresh_from_db()
    assert receiver.is_active


def test_anonymous_visitors_are_sent_to_log_in(receiver):
    assert Client().get(STAFF)["Location"].startswith("/accounts/login/")


def test_the_list_finds_by_name_and_agency(province_admin, receiver, receiver_b, citizen):
    admin = as_user(province_admin)

    by_agency = admin.get(STAFF + "?agency=H12.02").content.decode()
    by_name = admin.get(STAFF + "?q=receiver_b").content.decode()

    assert "receiver_b" in by_agency and ">receiver<" not in by_agency
    assert "receiver_b" in by_name
    assert "citizen" not in admin.get(STAFF).content.decode().split("<tbody>")[1]
