"""The attacker's findings against logins, tokens and rate limits, each replayed: guessing a password, spoofing
X-Forwarded-For, a logged-in caller without limits, tokens that never die.

Time is set explicitly (``timezone.now`` patched), never waited for.
"""

import datetime
import os
import subprocess
import sys
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.api.views import TokenView
from dossiers.api.results import VerifyView
from dossiers.api.views import DocumentUploadView, DossierListView, LookupView
from payments.api.views import CallbackView
from portal import env, throttling
from portal.client_ip import client_ip

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"
PASSWORD = "correct horse battery"  # the factories' password
DOSSIERS = "/api/v1/dossiers/"
LOOKUP = "/api/v1/lookup/?code=H12-0000001&key=ABCDEF"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rates(settings: Any) -> Any:
    """``rates(lookup="2/min")``: set some scopes' rates for this test (DRF rereads its settings on change)."""

    def set_rates(**overrides: str) -> None:
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest.get("DEFAULT_THROTTLE_RATES", {}), **overrides}
        settings.REST_FRAMEWORK = rest

    return set_rates


def ask_token(username: str, password: str, address: str, **extra: Any) -> Any:
    return APIClient().post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def browser_login(client: Client, username: str, password: str, address: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# Password guessing


def test_sixteen_guesses_from_rotating_addresses_with_the_attackers_own_logins_between_leave_the_account_locked(
    citizen, citizen2
):
    # citizen2 is the attacker, citizen the victim; after each guess the attacker logs into their own account.
    for i in range(16):
        address = f"10.20.0.{i + 1}"
        assert ask_token("citizen", "guess {i}", address).status_code in (400, 429)
        assert ask_token("citizen2", PASSWORD, address).status_code == 200

    response = ask_token("citizen", PASSWORD, "10.20.1.1")

    body = assert_error(response, 429, "too_many_attempts")
    assert int(response["Retry-After"]) == django_settings.AXES_COOLOFF_TIME * 3600
    assert "token" not in body
    assert not AuthToken.objects.filter(user=citizen).exists()


def test_the_same_guessing_in_the_browser_ends_on_the_lock_page_in_vietnamese(citizen, citizen2):
    for i in range(16):
        address = f"10.21.0.{i + 1}"
        browser_login(Client(), "citizen", f"guess {i}", address)
        attacker = Client()
        assert browser_login(attacker, "citizen2", PASSWORD, address).status_code == 302

    victim_page = Client()
    response = browser_login(victim_page, "citizen", PASSWORD, "10.21.1.1")

    assert response.status_code == 429
    assert response["Retry-After"]
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập sai quá nhiều lần" in page  # "Too many failed logins"
    assert "_auth_user_id" not in victim_page.session


def test_a_locked_account_does_not_lock_another_account_from_the_same_address(citizen, citizen2):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        ask_token("citizen", "wrong password", "10.22.0.1")

    assert ask_token("citizen", PASSWORD, "10.22.0.1").status_code == 429
    assert ask_token("citizen2", PASSWORD, "10.22.0.1").status_code == 200
    assert browser_login(Client(), "citizen2", PASSWORD, "10.22.0.1").status_code == 302


def test_the_address_limit_is_higher_than_the_accounts_and_settable(settings):
    assert django_settings.AXES_ADDRESS_FAILURE_LIMIT > django_settings.AXES_FAILURE_LIMIT


def test_an_address_lock_behind_a_trusted_proxy_locks_that_client_only(citizen, citizen2, settings):
    settings.TRUSTED_PROXIES = 1
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    proxy = "10.23.0.1"
    # One client behind the proxy tries many usernames; no account reaches its limit, the client's address does.
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        ask_token(f"guess{i}", "wrong password", proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")

    locked = ask_token("citizen", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    neighbour = ask_token("citizen2", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert_error(locked, 429, "too_many_attempts")
    assert neighbour.status_code == 200


def test_a_spoofed_forwarded_for_does_not_dodge_an_address_lock_without_trusted_proxies(citizen, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        ask_token(f"guess{i}", "wrong password", "10.24.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")

    response = ask_token("citizen", PASSWORD, "10.24.0.1", HTTP_X_FORWARDED_FOR="198.51.100.200")

    assert_error(response, 429, "too_many_attempts")


# The client's address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "198.51.100.1", "10.0.0.1"),  # the header is ignored unless a proxy of ours is trusted
        (1, None, "10.0.0.1"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the right-most hop is the one our proxy added
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies_only(
    rf, settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", **extra)

    assert client_ip(request) == expected


def test_drf_and_axes_read_the_same_client_address():
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "portal.client_ip.client_ip"
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.TRUSTED_PROXIES


# Rate limits


def test_rotating_forwarded_for_does_not_change_the_throttled_identity_without_trusted_proxies(db, rates):
    rates(lookup="2/min")
    client = APIClient()
    statuses = [
        client.get(LOOKUP, REMOTE_ADDR="10.30.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_with_one_trusted_proxy_the_right_most_hop_is_the_throttled_identity(db, rates, settings):
    settings.TRUSTED_PROXIES = 1
    rates(lookup="2/min")
    client = APIClient()

    def ask(forwarded: str) -> int:
        return client.get(LOOKUP, REMOTE_ADDR="10.31.0.1", HTTP_X_FORWARDED_FOR=forwarded).status_code

    # A spoofed left part changes nothing: the proxy's hop is the same client.
    assert [ask("6.6.6.1, 203.0.113.5"), ask("6.6.6.2, 203.0.113.5"), ask("6.6.6.3, 203.0.113.5")] == [
        404,
        404,
        429,
    ]
    # Another client behind the same proxy has its own budget.
    assert ask("203.0.113.6") == 404


def test_a_limited_request_gets_429_with_retry_after_and_the_error_body(db, rates):
    rates(lookup="1/min")
    client = APIClient()
    client.get(LOOKUP)

    response = client.get(LOOKUP)

    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_logged_in_user_is_limited_too_by_user_not_by_address(api, citizen, citizen2, rates):
    rates(lookup="2/min")
    client = api(citizen)
    statuses = [client.get(LOOKUP, REMOTE_ADDR=f"10.32.0.{i}").status_code for i in range(3)]

    assert statuses == [404, 404, 429]
    # Another user from the same address is counted apart.
    assert api(citizen2).get(LOOKUP, REMOTE_ADDR="10.32.0.1").status_code == 404


def test_creating_drafts_is_limited_per_citizen_and_listing_is_not(api, citizen, citizen2, rates):
    rates(dossier_create="2/min")
    client = api(citizen)
    statuses = [client.post(DOSSIERS, {"procedure": "NO-SUCH"}).status_code for _ in range(3)]

    assert 429 not in statuses[:2] and statuses[2] == 429
    assert client.get(DOSSIERS).status_code == 200
    assert api(citizen2).post(DOSSIERS, {"procedure": "NO-SUCH"}).status_code != 429


def test_the_token_endpoint_is_limited_by_its_scope(db, rates):
    rates(token="2/min")
    statuses = [ask_token(f"someone{i}", "x", "10.33.0.1").status_code for i in range(3)]

    assert statuses == [400, 400, 429]


def test_payment_callbacks_are_limited_by_their_scope(db, rates):
    rates(callback="1/min")
    client = APIClient()
    client.get("/api/v1/payments/sandbox/callback/")

    response = client.get("/api/v1/payments/sandbox/callback/")

    assert_error(response, 429, "throttled")
    assert response["Retry-After"]


def test_each_limited_endpoint_has_its_scope():
    def scopes(view: Any) -> set[str]:
        return {throttle.scope for throttle in view.throttle_classes}

    assert scopes(TokenView) == {"token"}
    assert scopes(LookupView) == {"lookup"}
    assert scopes(VerifyView) == {"verify"}
    assert scopes(DocumentUploadView) == {"upload"}
    assert scopes(CallbackView) == {"callback"}
    assert scopes(DossierListView) == {"dossier_create"}
    assert set(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) >= {
        "token",
        "lookup",
        "verify",
        "upload",
        "callback",
        "dossier_create",
    }


def test_the_verify_page_is_limited_with_the_apis_scope_and_a_clear_page(db, rates):
    rates(verify="2/min")
    client = Client()
    for _ in range(2):
        assert client.post("/verify/", {}, REMOTE_ADDR="10.34.0.1").status_code == 400

    page = client.post("/verify/", {}, REMOTE_ADDR="10.34.0.1")
    api = APIClient().post("/api/v1/verify/", {}, format="multipart", REMOTE_ADDR="10.34.0.1")

    assert page.status_code == 429
    assert page["Retry-After"]
    assert '<html lang="vi">' in page.content.decode() and "Quá nhiều yêu cầu" in page.content.decode()
    # The page and the API draw on one budget per address.
    assert_error(api, 429, "throttled")
    # The page itself, with nothing asked, is not counted.
    assert client.get("/verify/", REMOTE_ADDR="10.34.0.1").status_code == 200


def test_the_lookup_page_is_limited_by_the_lookup_scope(db, rates):
    rates(lookup="1/min")
    client = Client()
    client.get("/lookup/?code=H12-0000001&key=ABCDEF", REMOTE_ADDR="10.35.0.1")

    response = client.get("/lookup/?code=H12-0000001&key=ABCDEF", REMOTE_ADDR="10.35.0.1")

    assert response.status_code == 429
    assert response["Retry-After"]
    assert client.get("/lookup/", REMOTE_ADDR="10.35.0.1").status_code == 200


# THROTTLE_RATES


def test_throttle_rates_from_the_environment_override_the_defaults(monkeypatch):
    monkeypatch.setenv("THROTTLE_RATES", "lookup=600/min, verify=10/min")

    rates = env.throttle_rates("THROTTLE_RATES", {"lookup": "60/min", "verify": "30/min", "token": "30/min"})

    assert rates == {"lookup": "600/min", "verify": "10/min", "token": "30/min"}


@pytest.mark.parametrize(
    "value", ["lookup=ten/min", "lookup", "lookup=", "nosuch=1/min", "lookup=10/minutes", "lookup=0/min"]
)
def test_a_bad_throttle_rate_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("THROTTLE_RATES", value)

    with pytest.raises(ImproperlyConfigured, match="THROTTLE_RATES"):
        env.throttle_rates("THROTTLE_RATES", {"lookup": "60/min"})


def test_a_bad_throttle_rate_stops_start_up():
    result = subprocess.run(  # noqa: S603 - this interpreter, on this repository's manage.py
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "THROTTLE_RATES": "lookup=lots"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "THROTTLE_RATES" in result.stderr


def test_the_throttle_classes_live_in_one_module():
    assert LookupView.throttle_classes == [throttling.LookupThrottle]
    assert VerifyView.throttle_classes == [throttling.VerifyThrottle]


# Tokens


def test_a_token_expires_after_its_time_to_live(citizen, settings):
    issued = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)
    with mock.patch.object(timezone, "now", return_value=issued):
        response = ask_token("citizen", PASSWORD, "10.40.0.1")
    body = response.json()
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires_at == issued + datetime.timedelta(hours=settings.TOKEN_TTL_HOURS)
    assert settings.TOKEN_TTL_HOURS == 12
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")

    with mock.patch.object(timezone, "now", return_value=expires_at - datetime.timedelta(seconds=1)):
        assert client.get(DOSSIERS).status_code == 200
    with mock.patch.object(timezone, "now", return_value=expires_at + datetime.timedelta(seconds=1)):
        assert_error(client.get(DOSSIERS), 401, "authentication_failed")


def test_deleting_the_token_revokes_it_and_only_it(citizen):
    first = ask_token("citizen", PASSWORD, "10.41.0.1").json()["token"]
    second = ask_token("citizen", PASSWORD, "10.41.0.1").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")

    assert client.delete(TOKEN).status_code == 204

    assert_error(client.get(DOSSIERS), 401, "authentication_failed")
    assert_error(client.delete(TOKEN), 401, "authentication_failed")
    assert APIClient().get(DOSSIERS, HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_deleting_without_a_token_is_401(citizen):
    assert_error(APIClient().delete(TOKEN), 401, "not_authenticated")
    # A browser session does not revoke anything either: there is no token in it.
    client = APIClient()
    client.force_login(citizen)
    assert client.delete(TOKEN).status_code == 401


def test_a_token_header_in_a_strange_encoding_is_401_not_500(db):
    response = APIClient().get(DOSSIERS, HTTP_AUTHORIZATION="Token caf\xe9")

    assert_error(response, 401, "authentication_failed")


def test_a_token_login_goes_through_the_lockout_like_the_login_page(citizen):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        browser_login(Client(), "citizen", "wrong password", "10.42.0.1")

    assert_error(ask_token("citizen", PASSWORD, "10.42.0.2"), 429, "too_many_attempts")


def test_the_api_schema_describes_the_token_scheme_and_both_token_methods(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert {"post", "delete"} <= set(schema["paths"]["/api/v1/auth/token/"])
