"""Fail closed (DESIGN.md "Trust", API.md "Running it"): the demo's public secrets hold only on a local address.

Start-up is tested in fresh processes, since settings are read once; the rest in process.
"""

import os
import re
import secrets
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from payments.models import Invoice
from portal import deployment
from tests.factories import ProcedureVersionFactory
from tests.payments.conftest import notice_fields, signed, submit_dossier
from tests.portal.test_settings import PORTAL_VARIABLES

REAL_HOST = "dichvucong.example.gov.vn"
# Every variable this part reads, cleared like tests/portal/test_settings.py clears its own.
VARIABLES = [
    *PORTAL_VARIABLES,
    "PAYMENT_PROVIDERS",
    "PAYMENT_SANDBOX_SECRET",
    "PAYMENT_VNPAY_TMN_CODE",
    "PAYMENT_VNPAY_SECRET",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]


def production(**changes: str) -> dict[str, str]:
    """A real deployment's environment: a real host, its own secret key and every provider's secrets."""
    variables = {
        "ALLOWED_HOSTS": REAL_HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{REAL_HOST}",
        "PUBLIC_BASE_URL": f"https://{REAL_HOST}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PAYMENT_PROVIDERS": "sandbox,vnpay,counter",
        "PAYMENT_SANDBOX_SECRET": secrets.token_urlsafe(32),
        "PAYMENT_VNPAY_TMN_CODE": "HBX00001",
        "PAYMENT_VNPAY_SECRET": secrets.token_urlsafe(32),
    }
    variables.update(changes)
    return {key: value for key, value in variables.items() if value is not None}


# Set in this process by the browser tests' worker (Playwright's sync API), never by a deployment.
TEST_ONLY = frozenset({"DJANGO_ALLOW_ASYNC_UNSAFE"})


def manage(tmp_path: Any, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in VARIABLES
        and key not in TEST_ONLY
        and not key.endswith("_FILE")
        and not key.startswith("PYTEST")
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "portal.settings", "MEDIA_ROOT": str(tmp_path / "media"), **variables}
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured"), result.stderr
    return last_line


def test_a_real_host_without_a_secret_key_refuses_to_start_naming_it(tmp_path):
    message = refusal(manage(tmp_path, "check", **production(SECRET_KEY=None)))

    assert "SECRET_KEY" in message
    assert REAL_HOST in message


def test_a_real_host_without_payment_secrets_refuses_to_start_naming_each_in_one_message(tmp_path):
    result = manage(
        tmp_path,
        "check",
        **production(
            SECRET_KEY=None,
            PAYMENT_SANDBOX_SECRET=None,
            PAYMENT_VNPAY_TMN_CODE=None,
            PAYMENT_VNPAY_SECRET=None,
        ),
    )

    message = refusal(result)
    for name in ("SECRET_KEY", "PAYMENT_SANDBOX_SECRET", "PAYMENT_VNPAY_TMN_CODE", "PAYMENT_VNPAY_SECRET"):
        assert name in message
    assert result.stderr.count("ImproperlyConfigured:") == 1


def test_a_real_host_with_only_a_host_set_asks_for_vnpay_which_is_listed_by_default(tmp_path):
    message = refusal(manage(tmp_path, "check", ALLOWED_HOSTS=REAL_HOST))

    assert "SECRET_KEY" in message
    assert "PAYMENT_VNPAY_SECRET" in message
    assert "PAYMENT_SANDBOX_SECRET" not in message  # the sandbox is not listed off a local address


def test_portal_demo_on_a_real_host_still_refuses_the_public_secrets(tmp_path):
    result = manage(
        tmp_path,
        "check",
        **production(
            PORTAL_DEMO="1",
            SECRET_KEY=deployment.PUBLIC_SECRET_KEY,
            PAYMENT_SANDBOX_SECRET=deployment.PUBLIC_SANDBOX_SECRET,
        ),
    )

    message = refusal(result)
    assert "SECRET_KEY" in message
    assert "PAYMENT_SANDBOX_SECRET" in message


def test_portal_demo_off_on_localhost_asks_for_a_secret_key(tmp_path):
    message = refusal(manage(tmp_path, "check", PORTAL_DEMO="0", PAYMENT_PROVIDERS="counter"))

    assert "PORTAL_DEMO=0" in message
    assert "SECRET_KEY" in message


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_passes_behind_a_tls_terminating_proxy(tmp_path):
    variables = production(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", PAYMENT_PROVIDERS="counter")
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **variables)

    assert result.returncode == 0, result.stderr


def test_on_a_local_address_with_nothing_set_the_demo_starts(tmp_path):
    result = manage(tmp_path, "check", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr


def test_an_anonymous_notice_signed_with_the_public_secret_is_refused_off_a_local_address(
    settings, agency_a, citizen
):
    settings.ALLOWED_HOSTS = [REAL_HOST]
    settings.PAYMENT_PROVIDERS = ["sandbox", "counter"]
    settings.PAYMENT_SANDBOX_SECRET = (
        deployment.PUBLIC_SANDBOX_SECRET
    )  # as if the settings had let it through
    dossier = submit_dossier(ProcedureVersionFactory(published=True, agency=agency_a), citizen)
    invoice = Invoice.objects.get(dossier=dossier)
    notice = signed(notice_fields(invoice), deployment.PUBLIC_SANDBOX_SECRET)

    response = Client(HTTP_HOST=REAL_HOST).get("/api/v1/payments/sandbox/callback/", notice)

    assert response.status_code == 200  # answered in VNPay's format
    assert response.json()["RspCode"] == "97"  # the signature does not match
    assert Invoice.objects.get(pk=invoice.pk).status == "open"


def test_on_a_local_address_the_demo_secret_still_pays_and_the_pages_say_it_is_a_demo(
    settings, agency_a, citizen, client
):
    assert settings.PORTAL_DEMO is True
    assert settings.PAYMENT_SANDBOX_SECRET == deployment.PUBLIC_SANDBOX_SECRET
    settings.PAYMENT_PROVIDERS = ["sandbox", "counter"]
    dossier = submit_dossier(ProcedureVersionFactory(published=True, agency=agency_a), citizen)
    invoice = Invoice.objects.get(dossier=dossier)

    response = client.get("/api/v1/payments/sandbox/callback/", signed(notice_fields(invoice)))

    assert response.json()["RspCode"] == "00"
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert 'id="demo-banner"' in client.get("/").content.decode()


def test_off_demo_mode_no_banner_is_shown(settings, client, db):
    settings.PORTAL_DEMO = False

    assert 'id="demo-banner"' not in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/", "/procedures/", "/accounts/login/", "/api/schema/ui/"])
def test_the_content_security_policy_allows_nothing_inline(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "style-src 'self'" in policy
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "an inline script"
    assert "<style" not in body
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"\son[a-z]+=", body)


@pytest.mark.parametrize("path", ["/api/schema/ui/"])
def test_the_schema_ui_pages_load_their_assets_from_static(client, db, path):
    body = client.get(path).content.decode()

    assets = re.findall(r'<(?:script|link)[^>]*\b(?:src|href)="([^"]+)"', body)
    assert assets
    for asset in assets:
        assert asset.startswith(("/static/", path)), asset
    assert "cdn." not in body
    assert "fonts.googleapis" not in body


def test_the_swagger_ui_initializer_is_a_script_of_its_own(client, db):
    response = client.get("/api/schema/ui/?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
