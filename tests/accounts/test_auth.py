"""Logging in: the API token, the browser login page, login-failure limits per account and per address, language."""

from typing import Any

import pytest
from django.conf import settings
from knox.models import AuthToken
from rest_framework.test import APIClient

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Every attempt hashes a password; a fast hasher keeps these many attempts quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code
    return body


def ask_token(username: str, password: str, address: str = "10.0.0.1") -> Any:
    return APIClient().post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_logins(username: str, times: int, address: str = "10.0.0.1") -> list[int]:
    return [ask_token(username, "wrong password", address).status_code for _ in range(times)]


# The API token


def test_a_token_from_the_right_password_authenticates_later_requests(citizen):
    response = ask_token("citizen", PASSWORD)

    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token", "expires_at"}
    # Only a digest is stored, never the token itself.
    assert AuthToken.objects.get(user=citizen).digest != token
    assert not AuthToken.objects.filter(digest=token).exists()
    citizen.refresh_from_db()
    assert citizen.last_login is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # The caller's own dossiers need a login: the token is one, a made-up token or none is not.
    assert client.get("/api/v1/dossiers/").status_code == 200
    assert APIClient().get("/api/v1/dossiers/").status_code == 401
    assert (
        APIClient().get("/api/v1/dossiers/", HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 401
    )


def test_asking_twice_gives_two_tokens_that_both_work(citizen):
    first, second = (ask_token("citizen", PASSWORD).json()["token"] for _ in range(2))

    assert first != second
    for token in (first, second):
        assert APIClient().get("/api/v1/dossiers/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_a_wrong_password_is_a_bad_request_without_a_token(citizen):
    body = assert_error(ask_token("citizen", "wrong password"), 400, "invalid_credentials")

    assert "token" not in body
    assert not AuthToken.objects.filter(user=citizen).exists()


def test_an_unknown_username_is_answered_like_a_wrong_password(citizen):
    wrong_password = ask_token("citizen", "wrong password").json()
    unknown_user = ask_token("nobody", "wrong password").json()

    assert wrong_password == unknown_user


def test_an_inactive_account_gets_no_token(citizen):
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])

    assert_error(ask_token("citizen", PASSWORD), 400, "invalid_credentials")


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({"password": PASSWORD}, "username"),
        ({"username": "citizen"}, "password"),
        ({}, "username"),
        ({"username": "", "password": PASSWORD}, "username"),
    ],
)
def test_a_missing_field_is_a_bad_request_that_names_it(citizen, data, missing):
    response = APIClient().post(TOKEN, data, format="json")

    body = assert_error(response, 400)
    assert missing in body["detail"]
    assert not AuthToken.objects.exists()


def test_a_token_request_that_is_not_json_or_a_form_is_refused_with_the_error_body(citizen):
    response = APIClient().post(TOKEN, "username=citizen", content_type="text/plain")

    assert_error(response, 415)


# Login-failure limits on the API


def test_the_failure_limit_is_five():
    assert settings.AXES_FAILURE_LIMIT == 5


def test_the_failure_that_reaches_the_limit_is_answered_too_many_attempts(citizen):
    statuses = fail_logins("citizen", settings.AXES_FAILURE_LIMIT)

    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_an_account_is_locked_after_too_many_failures_even_with_the_right_password(citizen):
    fail_logins("citizen", settings.AXES_FAILURE_LIMIT)

    response = ask_token("citizen", PASSWORD, address="10.0.0.2")

    body = assert_error(response, 429, "too_many_attempts")
    assert "15" in body["detail"]  # the cool-off, in minutes
    assert not AuthToken.objects.filter(user=citizen).exists()


def test_an_account_is_not_locked_one_failure_below_the_limit(citizen):
    assert fail_logins("citizen", settings.AXES_FAILURE_LIMIT - 1) == [400] * (
        settings.AXES_FAILURE_LIMIT - 1
    )

    assert ask_token("citizen", PASSWORD, address="10.0.0.2").status_code == 200


def test_a_token_below_the_limit_starts_the_count_afresh(citizen):
    fail_logins("citizen", settings.AXES_FAILURE_LIMIT - 1)
    assert ask_token("citizen", PASSWORD).status_code == 200

    fail_logins("citizen", settings.AXES_FAILURE_LIMIT - 1)

    assert ask_token("citizen", PASSWORD).status_code == 200


def test_locking_one_account_leaves_another_account_alone(citizen, citizen2):
    fail_logins("citizen", settings.AXES_FAILURE_LIMIT)

    assert ask_token("citizen", PASSWORD, address="10.0.0.3").status_code == 429
    assert ask_token("citizen2", PASSWORD, address="10.0.0.3").status_code == 200


def test_an_address_that_fails_for_many_accounts_is_locked_for_all_of_them(
    citizen, citizen2, receiver, settings
):
    # Below the token endpoint's rate limit, which would otherwise answer first.
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    # One failure for each of several usernames: no single account reaches the limit, the address does.
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        fail_logins(f"guess{i}", 1, address="10.0.0.9")

    body = assert_error(ask_token("citizen2", PASSWORD, address="10.0.0.9"), 429, "too_many_attempts")

    assert body["detail"]
    # Another address still logs in, and the accounts themselves are not locked.
    assert ask_token("citizen2", PASSWORD, address="10.0.0.10").status_code == 200
    assert ask_token("receiver", PASSWORD, address="10.0.0.10").status_code == 200


# The browser login page


def browser_login(client: Any, username: str, password: str, address: str = "10.0.0.1", **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def test_the_login_page_is_in_vietnamese_by_default(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert "Mật khẩu" in response.content.decode()  # Django's own label for the password field


def test_logging_in_redirects_home_with_a_session(client, citizen):
    response = browser_login(client, "citizen", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == citizen.pk


@pytest.mark.parametrize(
    ("who", "home"),
    [
        ("receiver", "/console/"),
        ("assessor", "/console/"),
        ("approver", "/console/"),
        ("province_admin", "/manage/procedures/"),
        ("leader", "/dashboard/"),  # the stats app registers it on accounts.landing.LANDING
    ],
)
def test_each_role_lands_on_its_own_home_after_login(client, request, who, home):
    user = request.getfixturevalue(who)

    response = browser_login(client, user.username, PASSWORD)

    assert response.status_code == 302 and response["Location"] == home


def test_a_safe_next_wins_over_the_roles_home_and_an_outside_one_is_ignored(client, receiver):
    assert browser_login(client, "receiver", PASSWORD, next="/messages/")["Location"] == "/messages/"
    client.logout()
    assert (
        browser_login(client, "receiver", PASSWORD, next="https://evil.example/")["Location"] == "/console/"
    )


def test_an_app_may_name_a_roles_home_through_the_landing_hook(client, leader):
    from accounts.landing import LANDING

    def dashboard(user):
        return "/somewhere/" if user.role == "leader" else None

    with LANDING.replaced(dashboard):
        assert browser_login(client, "leader", PASSWORD)["Location"] == "/somewhere/"


def test_logging_in_goes_back_to_the_page_asked_for(client, province_admin):
    response = browser_login(client, "province_admin", PASSWORD, next="/manage/procedures/")

    assert response.status_code == 302
    assert response["Location"] == "/manage/procedures/"


def test_logging_in_never_redirects_to_another_site(client, citizen):
    response = browser_login(client, "citizen", PASSWORD, next="https://evil.example.com/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_shows_the_form_again_with_an_error(client, citizen):
    response = browser_login(client, "citizen", "wrong password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_browser_gets_a_clear_lockout_page_after_too_many_failures(client, citizen):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser_login(client, "citizen", "wrong password")

    response = browser_login(client, "citizen", PASSWORD, address="10.0.0.2")

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert 'role="alert"' in page
    assert "15" in page  # how long to wait
    assert "_auth_user_id" not in client.session


def test_failures_in_the_browser_and_on_the_api_count_together(client, citizen):
    for i in range(settings.AXES_FAILURE_LIMIT):
        if i % 2:
            browser_login(client, "citizen", "wrong password")
        else:
            ask_token("citizen", "wrong password")

    assert ask_token("citizen", PASSWORD, address="10.0.0.2").status_code == 429
    assert browser_login(client, "citizen", PASSWORD, address="10.0.0.2").status_code == 429


def test_logging_out_ends_the_session(client, citizen):
    browser_login(client, "citizen", PASSWORD)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# Language


def test_switching_to_english_shows_the_pages_in_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    page = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in page
    assert "Password" in page and "Mật khẩu" not in page
    assert f'href="{LOGIN}?next=' in page and ">Log in</a>" in page


def test_switching_back_to_vietnamese(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})

    assert '<html lang="vi">' in client.get(LOGIN).content.decode()


def test_an_unknown_language_keeps_vietnamese(client, db):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert '<html lang="vi">' in client.get("/").content.decode()


def test_the_home_page_is_in_vietnamese_by_default(client, db):
    page = client.get("/").content.decode()

    assert '<html lang="vi">' in page
    assert ">Đăng nhập</a>" in page  # "Log in"
    assert ">Log in</a>" not in page


def test_the_portals_own_words_are_in_vietnamese_by_default(client, db):
    page = client.get("/").content.decode()

    assert "Public services portal" not in page
    assert "Find an administrative procedure" not in page


def test_a_browser_login_below_the_limit_starts_the_count_afresh(client, citizen):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        browser_login(client, "citizen", "wrong password")
    assert browser_login(client, "citizen", PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        browser_login(client, "citizen", "wrong password")

    assert browser_login(client, "citizen", PASSWORD).status_code == 302
