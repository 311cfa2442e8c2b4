"""The CSP allows nothing inline, and nothing breaks for it: the main pages and the API's Swagger UI run in
Chromium with zero violations (each one is recorded by a ``securitypolicyviolation`` listener, and the page
fixtures fail on any console error besides)."""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, ProcedureVersionFactory

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def _visit(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    return [f"{url}: {violation}" for violation in _violations(page)]


def log_in(page: Page, username: str) -> list[str]:
    violations = _visit(page, reverse("accounts:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .who")).to_be_visible()
    return violations + _violations(page)


def test_swagger_ui_renders_the_operations_from_static_files_with_no_csp_violation(
    desktop_page, live_server, db
):
    page = desktop_page
    page.add_init_script(RECORD_VIOLATIONS)
    outside: list[str] = []
    own = live_server.url + "/"
    page.on("request", lambda request: None if request.url.startswith(own) else outside.append(request.url))

    page.goto(reverse("schema-ui"))

    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/procedures/").first).to_be_visible()
    assert _violations(page) == []
    assert outside == []


def test_the_main_pages_record_no_csp_violation(
    browser: Any, live_server: Any, agency_a: Any, citizen: Any, receiver: Any
):
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    violations: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        for url in (
            reverse("home"),
            reverse("procedures:search") + "?q=khai+sinh",
            reverse("procedures:detail", args=[version.procedure.code]),
            reverse("dossiers:lookup"),
            reverse("verify"),
            reverse("service-index"),
        ):
            violations += _visit(page, url)
        violations += log_in(page, citizen.username)
        violations += _visit(page, reverse("dossiers:mine"))
        context.clear_cookies()
        violations += log_in(page, receiver.username)
        violations += _visit(page, reverse("console:home"))
        violations += _visit(page, reverse("console:walk_in"))
        # htmx's search on the walk-in page swaps content in without injecting an inline style.
        page.locator("input[hx-get]").first.fill("khai")
        expect(page.locator("#procedure-results")).to_be_attached()
        page.wait_for_load_state("networkidle")
        violations += _violations(page)
    finally:
        context.close()

    assert violations == []
    assert [error for error in errors if "Content Security Policy" in error] == []
