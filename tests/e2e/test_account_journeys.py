"""Getting in, in Chromium: the national e-ID login through a real OpenID provider on this machine (tests/eid.py),
sign-up with the code sent by SMS, the password reset by the e-mailed link; axe-core on each page.

Pages are Vietnamese by default: elements are found by role, id or the catalogue's words under Vietnamese.
"""

import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from accounts.models import Profile
from tests.e2e.test_accessibility import _violations
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def _on_the_provider_choose(page: Page, sub: str) -> None:
    """The provider's own page: the citizen confirms who they are (its page asks for the subject)."""
    page.locator("input[name=sub]").fill(sub)
    page.locator("input[name=sub]").press("Enter")


@pytest.fixture(autouse=True)
def _the_providers_page_offline(phone_page: Page) -> None:
    # The stand-in provider's page asks for a stylesheet from a CDN (not reached from here) and a /favicon.ico it
    # does not have: neither is the portal's error, both are answered empty.
    phone_page.route("https://cdn.jsdelivr.net/**", lambda route: route.fulfill(status=200, body=""))
    phone_page.route("**/favicon.ico", lambda route: route.fulfill(status=204))


def _vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def test_a_citizen_logs_in_with_vneid_on_a_phone_and_lands_home_verified(
    phone_page: Page, eid: Any, screenshot: Any
) -> None:
    sub = eid.person("vneid-phone", name="Trần Thị Bình", id_number="001190012345", birthdate="1990-03-08")
    page = phone_page

    page.goto(reverse("accounts:login"))
    assert _violations(page) == []
    screenshot(page, "login")
    page.get_by_role("link", name=_vi("Log in with VNeID")).click()
    _on_the_provider_choose(page, sub)

    expect(page.locator("header .who")).to_contain_text("Trần Thị Bình")
    assert urlsplit(page.url).path == "/"
    screenshot(page, "home")
    profile = Profile.objects.get(eid_subject=sub)
    assert profile.id_verified and profile.id_number == "001190012345"


def test_a_refused_vneid_login_says_why_on_the_login_page(
    phone_page: Page, eid: Any, screenshot: Any
) -> None:
    page = phone_page
    page.goto(reverse("accounts:login"))
    page.get_by_role("link", name=_vi("Log in with VNeID")).click()
    # A person the provider knows nothing about: no ID number, no birth date.
    _on_the_provider_choose(page, "someone-unknown")

    expect(
        page.get_by_text(_vi("The national e-ID did not give a name and a date of birth."))
    ).to_be_visible()
    expect(page.locator("header .who")).to_have_count(0)
    assert _violations(page) == []
    screenshot(page, "refused")


def test_a_citizen_signs_up_on_a_phone_with_the_sms_code(
    phone_page: Page, settings: Any, tmp_path: Any, screenshot: Any
) -> None:
    settings.SMS_BACKEND = "folder"
    settings.SMS_FOLDER = str(tmp_path / "sms")
    page = phone_page
    page.goto(reverse("accounts:login"))
    page.get_by_role("link", name=_vi("No account yet? Create one")).click()
    assert _violations(page) == []
    screenshot(page, "contact")
    page.get_by_label(_vi("Mobile number or e-mail address")).fill("0912 345 678")
    page.get_by_role("button", name=_vi("Send me a code")).click()

    # The wrong code first: the error summary is announced and leads to the field.
    page.get_by_label(_vi("The code we sent")).fill("000000")
    page.get_by_label(_vi("Full name")).fill("Nguyễn Thị Lan")
    page.locator("#id_password1").fill("lua-nep-cai-hoa-vang-2026")
    page.locator("#id_password2").fill("lua-nep-cai-hoa-vang-2026")
    page.get_by_role("button", name=_vi("Create my account")).click()
    expect(page.get_by_role("alert")).to_contain_text(_vi("The code is not the one we sent."))
    assert _violations(page) == []
    screenshot(page, "wrong-code")

    (sms,) = (tmp_path / "sms").glob("*.json")
    code = re.search(r"\b(\d{6})\b", json.loads(sms.read_text())["text"])
    assert code is not None
    page.get_by_label(_vi("The code we sent")).fill(code.group(1))
    page.locator("#id_password1").fill("lua-nep-cai-hoa-vang-2026")
    page.locator("#id_password2").fill("lua-nep-cai-hoa-vang-2026")
    page.get_by_role("button", name=_vi("Create my account")).click()

    expect(page.locator("header .who")).to_contain_text("Nguyễn Thị Lan")
    screenshot(page, "signed-up")


def test_a_citizen_resets_a_forgotten_password_from_the_e_mailed_link(
    desktop_page: Page, settings: Any, live_server: Any, screenshot: Any
) -> None:
    from django.core import mail

    settings.PUBLIC_BASE_URL = live_server.url
    UserFactory(username="mai", email="mai@example.vn", first_name="Mai", last_name="Lý Thị")
    page = desktop_page
    page.goto(reverse("accounts:login"))
    page.get_by_role("link", name=_vi("Forgot your password?")).click()
    assert _violations(page) == []
    page.locator("#id_email").fill("mai@example.vn")
    page.get_by_role("button", name=_vi("Send me a link")).click()
    expect(page.get_by_role("heading", name=_vi("Check your e-mail"))).to_be_visible()

    link = re.search(r"(http://\S+/accounts/reset/\S+)", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(1))
    page.locator("#id_new_password1").fill("mat-khau-moi-cua-mai-2026")
    page.locator("#id_new_password2").fill("mat-khau-moi-cua-mai-2026")
    assert _violations(page) == []
    screenshot(page, "new-password")
    page.get_by_role("button", name=_vi("Save the new password")).click()
    expect(page.get_by_role("heading", name=_vi("Your password is changed"))).to_be_visible()

    page.get_by_role("link", name=_vi("Log in")).last.click()
    page.locator("#id_username").fill("mai")
    page.locator("#id_password").fill("mat-khau-moi-cua-mai-2026")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .who")).to_contain_text("Lý Thị Mai")


def test_a_clerk_turns_on_the_second_factor_and_the_next_login_asks_for_it(
    desktop_page: Page, receiver: Any, screenshot: Any
) -> None:
    from django_otp.oath import hotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def step_now() -> int:
        return int(time.time() // 30)

    def code(device: Any, step: int) -> str:
        return f"{hotp(device.bin_key, step, digits=device.digits):06d}"

    page = desktop_page
    _password_log_in(page, "receiver")
    page.get_by_role("link", name=_vi("Second factor")).click()
    expect(page.locator("img.otp-qr")).to_be_visible()
    assert _violations(page) == []
    screenshot(page, "setup")
    device = TOTPDevice.objects.get(user=receiver, confirmed=False)
    used = step_now()
    page.get_by_label(_vi("Code from the app")).fill(code(device, used))
    page.get_by_role("button", name=_vi("Turn the second factor on")).click()
    expect(
        page.get_by_text(_vi("The second factor is on: each login now asks for the app's code."))
    ).to_be_visible()

    page.context.clear_cookies()
    _password_log_in(page, "receiver")
    expect(page.get_by_role("heading", name=_vi("Second factor"))).to_be_visible()
    assert _violations(page) == []
    screenshot(page, "verify")
    # The next code the app shows after the one used (a code is taken once), inside the device's window.
    page.get_by_label(_vi("Code from the app")).fill(code(device, max(used + 1, step_now())))
    page.get_by_role("button", name=_vi("Continue")).click()
    expect(page).to_have_url(re.compile(r"/console/queue/"))


def _password_log_in(page: Page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("correct horse battery")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .who")).to_be_visible()
