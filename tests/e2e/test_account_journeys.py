"""Getting in, in Chromium: the national e-ID login through a real OpenID provider on this machine (tests/eid.py),
on a phone, with axe-core on the login page.

Pages are Vietnamese by default: elements are found by role, id or the catalogue's words under Vietnamese.
"""

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from accounts.models import Profile
from tests.e2e.test_accessibility import _violations

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
