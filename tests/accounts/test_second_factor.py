"""A second factor (TOTP, django-otp) for staff and admins: asked after the password once set up, required of
staff by the province's setting, never asked of citizens."""

import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.english import in_english

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
SETUP = "/accounts/second-factor/"
VERIFY = "/accounts/second-factor/verify/"


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(username: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    return client


def code(device: TOTPDevice) -> str:
    """The code an app shows now that the device takes next: after the last one used (no replay), in the window
    around the device's measured drift, so that a step boundary between two logins changes nothing."""
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    return f"{hotp(device.bin_key, max(device.last_t + 1, now + device.drift), digits=device.digits):06d}"


def set_up(client: Client, user: Any) -> TOTPDevice:
    page = client.get(SETUP)
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_clerk_sets_up_the_app_and_each_later_login_asks_for_its_code(receiver):
    device = set_up(log_in("receiver"), receiver)

    clerk = log_in("receiver")
    to_console = clerk.get("/console/")
    assert to_console.status_code == 302 and to_console["Location"].startswith(VERIFY)
    assert clerk.get(to_console["Location"]).status_code == 200

    response = clerk.post(VERIFY, {"token": code(device), "next": "/console/"})
    assert response["Location"] == "/console/"
    assert (
        clerk.get("/console/")["Location"] == "/console/queue/receive/"
    )  # into the console, its first queue


def test_a_wrong_code_keeps_the_clerk_out(receiver):
    device = set_up(log_in("receiver"), receiver)
    clerk = in_english(log_in("receiver"))
    wrong = f"{(int(code(device)) + 1) % 10**6:06d}"

    response = clerk.post(VERIFY, {"token": wrong, "next": "/console/"})

    assert response.status_code == 200 and "not right" in response.content.decode()
    assert clerk.get("/console/")["Location"].startswith(VERIFY)


def test_the_next_address_after_the_code_stays_on_the_portal(receiver):
    device = set_up(log_in("receiver"), receiver)
    clerk = log_in("receiver")

    response = clerk.post(VERIFY, {"token": code(device), "next": "https://evil.example/"})

    assert response["Location"] == "/console/"


def test_the_setup_is_confirmed_only_by_a_right_code(receiver):
    clerk = log_in("receiver")
    clerk.get(SETUP)

    clerk.post(SETUP, {"token": "000000"})
    clerk.post(SETUP, {"token": "abc"})

    assert not TOTPDevice.objects.filter(user=receiver, confirmed=True).exists()
    assert (
        clerk.get("/console/")["Location"] == "/console/queue/receive/"
    )  # not required: the clerk works on without one


def test_the_province_can_require_it_of_staff_but_never_of_citizens(
    settings, receiver, province_admin, citizen
):
    settings.SECOND_FACTOR_REQUIRED = True

    assert log_in("receiver").get("/console/")["Location"] == SETUP
    assert log_in("province_admin").get("/manage/procedures/")["Location"] == SETUP
    assert log_in("citizen").get("/dossiers/").status_code == 200


def test_the_province_admin_removes_a_lost_second_factor_with_a_history_row(receiver, province_admin):
    set_up(log_in("receiver"), receiver)
    admin = Client()
    admin.force_login(province_admin)

    admin.post(f"/manage/staff/{receiver.pk}/second-factor/")

    assert not TOTPDevice.objects.filter(user=receiver).exists()
    assert receiver.staff_changes.filter(action="second_factor_reset", actor=province_admin).exists()
    assert log_in("receiver").get("/console/")["Location"] == "/console/queue/receive/"
