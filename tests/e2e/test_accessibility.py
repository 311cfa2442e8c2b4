"""axe-core over the portal's main page states in Chromium: no WCAG 2.2 A or AA violation.

axe-core's script comes with the ``axe-playwright-python`` package (nothing is downloaded while the tests run);
it is evaluated in the page through the DevTools protocol, which the portal's CSP does not govern. Each state is
checked on a phone and on a desktop, and a screenshot of it is kept in var/screenshots/.
"""

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from dossiers.models import Dossier
from tests.e2e.conftest import log_in
from tests.factories import DossierFactory, ProcedureVersionFactory, SectorFactory

pytestmark = pytest.mark.e2e

WCAG_22_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}
}
AXE = Axe()


def _violations(page: Page) -> list[str]:
    results = AXE.run(page, options=WCAG_22_AA)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


@pytest.fixture
def portal(agency_a: Any, citizen: Any, receiver: Any) -> dict[str, Any]:
    """A small catalogue and a citizen's draft and submitted dossiers of agency A."""
    version = ProcedureVersionFactory(
        published=True,
        agency=agency_a,
        name="Cấp Phiếu lý lịch tư pháp",
        sector=SectorFactory(name="Tư pháp"),
    )
    ProcedureVersionFactory(published=True, agency=agency_a, name="Đăng ký khai sinh")
    draft = DossierFactory(version=version, applicant=citizen)
    submitted = DossierFactory(version=version, applicant=citizen, submitted=True)
    return {"version": version, "draft": draft, "submitted": submitted}


def _states(portal: dict[str, Any]) -> list[tuple[str, str | None, Callable[[], str]]]:
    """(name, who is logged in, the address) of each state to check."""
    code = portal["version"].procedure.code
    draft: Dossier = portal["draft"]
    submitted: Dossier = portal["submitted"]
    return [
        ("home", None, lambda: reverse("home")),
        ("search", None, lambda: reverse("procedures:search") + "?q=khai+sinh"),
        ("procedure", None, lambda: reverse("procedures:detail", args=[code])),
        ("login", None, lambda: reverse("accounts:login")),
        ("service-index", None, lambda: reverse("service-index")),
        ("verify", None, lambda: reverse("verify")),
        ("verify-unknown-code", None, lambda: reverse("verify") + "?code=H12.01-261123-9999&key=x"),
        ("draft", "citizen", lambda: reverse("dossiers:edit", args=[draft.pk])),
        ("review", "citizen", lambda: reverse("dossiers:review", args=[draft.pk])),
        ("dossier", "citizen", lambda: reverse("dossiers:detail", args=[submitted.pk])),
        ("my-dossiers", "citizen", lambda: reverse("dossiers:mine")),
        ("console-queue", "receiver", lambda: reverse("console:queue", args=["receive"])),
        ("console-dossier", "receiver", lambda: reverse("console:dossier", args=[submitted.pk])),
    ]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_main_pages_have_no_wcag_22_aa_violation(
    viewport: str, live_server: Any, request: pytest.FixtureRequest, portal: dict[str, Any], screenshot: Any
) -> None:
    page: Page = request.getfixturevalue(f"{viewport}_page")
    found: dict[str, list[str]] = {}
    logged_in: str | None = None
    for name, who, address in _states(portal):
        if who != logged_in:
            if who is None:
                page.context.clear_cookies()
            else:
                log_in(page, who)
            logged_in = who
        response = page.goto(address())
        assert response is not None and response.status < 400, f"{name}: {response and response.status}"
        screenshot(page, name)
        if violations := _violations(page):
            found[name] = violations
    # A page with a flash message: the draft saved.
    log_in(page, "citizen")
    page.goto(reverse("dossiers:edit", args=[portal["draft"].pk]))
    page.locator("button[name=save]").first.click()
    expect(page.locator("main [role=status] > ul.messages > li")).to_have_count(1)
    screenshot(page, "message")
    if violations := _violations(page):
        found["message"] = violations

    assert found == {}
