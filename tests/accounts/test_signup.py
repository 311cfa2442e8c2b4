"""Sign-up with a phone number or an e-mail address proved by a one-time code (sent through the SMS folder back end
and Django's mail), and the password reset by e-mail: the codes' limits, a used or guessed code, an address that
has an account already."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from accounts.constants import Role
from accounts.models import OneTimeCode, User
from accounts.services import CODE_MAX_TRIES, contact_parse
from portal.errors import ServiceError
from tests.english import in_english
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
VERIFY = "/accounts/signup/verify/"
RESET = "/accounts/password_reset/"
PASSWORD = "lua-nep-cai-hoa-vang-2026"


@pytest.fixture(autouse=True)
def _sms_to_a_folder(settings: Any, tmp_path: Path) -> Path:
    settings.SMS_BACKEND = "folder"
    settings.SMS_FOLDER = str(tmp_path / "sms")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path / "sms"


def sms_code(folder: Path, to: str) -> str:
    texts = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]
    mine = [text["text"] for text in texts if text["to"] == to]
    assert mine, texts
    found = re.search(r"\b(\d{6})\b", mine[-1])
    assert found is not None
    return found.group(1)


def mail_code(to: str) -> str:
    mine = [message for message in mail.outbox if to in message.to]
    assert mine
    found = re.search(r"^(\d{6})$", mine[-1].body, re.MULTILINE)
    assert found is not None
    return found.group(1)


def finish(client: Client, code: str, **fields: str) -> Any:
    data = {
        "code": code,
        "full_name": "Nguyễn Thị Lan",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | fields
    return client.post(VERIFY, data)


def logged_in(client: Client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912 345 678", ("sms", "0912345678")),
        ("+84 912-345-678", ("sms", "0912345678")),
        ("84912345678", ("sms", "0912345678")),
        ("Lan.Nguyen@Example.VN", ("email", "Lan.Nguyen@example.vn")),
    ],
)
def test_a_phone_number_or_an_e_mail_address_is_read_as_people_type_it(typed, expected):
    assert contact_parse(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "12345", "0123456789", "091234567890", "lan@", "@example.vn", "x" * 300]
)
def test_anything_else_is_refused_with_a_reason(typed):
    with pytest.raises(ServiceError) as refusal:
        contact_parse(typed)
    assert refusal.value.code == "invalid_contact"


def test_a_citizen_signs_up_with_a_phone_number_and_the_sms_code(client, _sms_to_a_folder):
    response = client.post(SIGNUP, {"contact": "0912 345 678"})
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "091*****78" in client.get(VERIFY).content.decode()

    response = finish(client, sms_code(_sms_to_a_folder, "0912345678"))

    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in(client)
    assert user is not None and user.username == "0912345678" and user.role == Role.CITIZEN
    assert user.get_full_name() == "Nguyễn Thị Lan" and user.check_password(PASSWORD)
    assert user.profile.phone == "0912345678" and not user.profile.id_verified
    # The code is kept only as a digest.
    assert not OneTimeCode.objects.filter(digest__contains=sms_code(_sms_to_a_folder, "0912345678")).exists()


def test_a_citizen_signs_up_with_an_e_mail_address_and_logs_in_with_it_later(client):
    client.post(SIGNUP, {"contact": "lan@example.vn"})

    finish(client, mail_code("lan@example.vn"))

    user = User.objects.get(username="lan@example.vn")
    assert user.email == "lan@example.vn" and user.profile.email == "lan@example.vn"
    other = Client()
    other.post("/accounts/login/", {"username": "lan@example.vn", "password": PASSWORD})
    assert logged_in(other) == user


def test_a_wrong_code_is_told_and_after_a_few_tries_the_code_is_dead(client, _sms_to_a_folder):
    in_english(client).post(SIGNUP, {"contact": "0987654321"})
    right = sms_code(_sms_to_a_folder, "0987654321")
    wrong = f"{(int(right) + 1) % 10**6:06d}"

    first = finish(client, wrong)
    assert first.status_code == 200 and "not the one we sent" in first.content.decode()
    for _ in range(CODE_MAX_TRIES - 1):
        finish(client, wrong)
    dead = finish(client, right)

    assert "expired or was tried too often" in dead.content.decode()
    assert not User.objects.filter(username="0987654321").exists()


def test_a_used_code_does_not_make_a_second_account(client, _sms_to_a_folder):
    client.post(SIGNUP, {"contact": "0911111111"})
    code = sms_code(_sms_to_a_folder, "0911111111")
    pending = client.session["signup_pending"]
    finish(client, code)

    replay = Client()
    session = replay.session
    session["signup_pending"] = pending
    session.save()
    response = finish(replay, code, full_name="Kẻ Khác")

    assert response.status_code == 200 and logged_in(replay) is None
    assert User.objects.filter(username="0911111111").count() == 1


def test_an_address_with_an_account_is_told_to_log_in_or_reset_after_the_code(client, _sms_to_a_folder):
    UserFactory(username="0922222222")
    in_english(client).post(SIGNUP, {"contact": "0922222222"})

    response = finish(client, sms_code(_sms_to_a_folder, "0922222222"))

    assert response.status_code == 200 and "exists already" in response.content.decode()
    assert User.objects.filter(username="0922222222").count() == 1


def test_passwords_that_differ_or_are_weak_are_refused_and_make_no_account(client, _sms_to_a_folder):
    in_english(client).post(SIGNUP, {"contact": "0933333333"})
    code = sms_code(_sms_to_a_folder, "0933333333")

    differ = finish(client, code, password2="something-else-entirely")
    weak = finish(client, code, password1="12345678", password2="12345678")

    assert "The two passwords differ." in differ.content.decode()
    assert weak.status_code == 200 and 'role="alert"' in weak.content.decode()
    assert not User.objects.filter(username="0933333333").exists()
    assert OneTimeCode.objects.get(address="0933333333").attempts == 0  # the code was not even tried


def test_a_phone_gets_a_few_codes_an_hour_whoever_asks(client, _sms_to_a_folder):
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        Client(REMOTE_ADDR=address).post(SIGNUP, {"contact": "0944444444"})

    response = in_english(Client(REMOTE_ADDR="10.0.0.4")).post(SIGNUP, {"contact": "0944444444"})

    assert response.status_code == 200 and "Try again later" in response.content.decode()
    assert len(list(_sms_to_a_folder.glob("*.json"))) == 3


def test_one_address_asking_for_codes_is_limited(client, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.THROTTLE_RATES | {"account_code": "2/hour"}
    }
    statuses = [client.post(SIGNUP, {"contact": f"09555555{i:02d}"}).status_code for i in range(3)]

    assert statuses == [302, 302, 429]
    assert client.get(SIGNUP).status_code == 200  # looking at the page is not asking


def test_the_verify_step_without_a_code_asked_goes_back_to_the_first_step(client):
    assert client.get(VERIFY)["Location"] == SIGNUP
    assert client.post(VERIFY, {"code": "123456"})["Location"] == SIGNUP


def test_a_failed_delivery_is_told_and_nothing_goes_on(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.SMS_FOLDER = str(blocker)

    response = in_english(client).post(SIGNUP, {"contact": "0966666666"})

    assert response.status_code == 200 and "could not be sent" in response.content.decode()
    assert "signup_pending" not in client.session


def test_a_forgotten_password_is_reset_through_the_e_mailed_link(client, settings):
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"
    user = UserFactory(username="mai", email="mai@example.vn")

    response = client.post(RESET, {"email": "mai@example.vn"})
    assert response["Location"] == "/accounts/password_reset/done/"
    (message,) = [m for m in mail.outbox if "mai@example.vn" in m.to]
    link = re.search(r"https://dichvucong\.example\.gov\.vn(/accounts/reset/\S+)", message.body)
    assert link is not None, message.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )

    assert done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # The link works once.
    again = client.get(link.group(1), follow=True).content.decode()
    assert 'name="new_password1"' not in again


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post(RESET, {"email": "nobody@example.vn"})

    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_the_pages_are_vietnamese_and_linked_from_the_login_page(client):
    login = client.get("/accounts/login/").content.decode()

    assert 'href="/accounts/signup/"' in login and 'href="/accounts/password_reset/"' in login
    assert "Đăng ký tài khoản" in client.get(SIGNUP).content.decode()
    assert "Quên mật khẩu" in client.get(RESET).content.decode()
