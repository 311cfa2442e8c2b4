"""The leaders' dashboard in Chromium: a leader logs in and lands on it, its charts are drawn by the vendored
Chart.js under the strict CSP, a filter narrows it, and axe-core finds no WCAG 2.2 A/AA violation (phone, desktop)."""

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from stats import services
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import _violations
from tests.factories import DossierFactory, ProcedureVersionFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def months_of_dossiers(agency_a: Any, agency_b: Any, citizen: Any, leader: Any, receiver: Any) -> None:
    """Four months of dossiers of two agencies, some late, some filed at a counter, then rolled up."""
    now = timezone.now()
    versions = [
        ProcedureVersionFactory(published=True, agency=agency_a, name="Cấp Phiếu lý lịch tư pháp"),
        ProcedureVersionFactory(published=True, agency=agency_b, name="Cấp giấy phép xây dựng"),
    ]
    for n in range(24):
        at = now - datetime.timedelta(days=30 * (n % 4) + 1)
        DossierFactory(
            version=versions[n % 2],
            applicant=citizen,
            returned=True,
            channel="online" if n % 3 else "counter",
            submitted_at=at,
            received_at=at,
            returned_at=at + datetime.timedelta(days=2),
            due_at=at + datetime.timedelta(days=1 if n % 5 == 0 else 7),
        )
    DossierFactory(
        version=versions[0], applicant=citizen, received=True, due_at=now - datetime.timedelta(days=2)
    )
    services.rebuild()


def _charts_drawn(page: Page) -> int:
    return page.evaluate(
        "[...document.querySelectorAll('canvas[data-rate]')].filter(c => window.Chart.getChart(c)).length"
    )


def test_a_leader_lands_on_the_dashboard_and_sees_its_charts(
    desktop_page: Page, months_of_dossiers: None, screenshot: Any
) -> None:
    page = desktop_page
    log_in(page, "leader")

    expect(page).to_have_url(f"{page.url.split('/dashboard/')[0]}/dashboard/")
    expect(page.locator("h1")).to_have_text("Bảng điều hành chỉ số phục vụ")
    page.wait_for_function("window.Chart && document.querySelectorAll('canvas[data-rate]').length === 6")
    assert _charts_drawn(page) == 6
    expect(page.locator("#h-league + .scroll-x tbody tr")).to_have_count(2)
    expect(page.locator("#h-overdue + .scroll-x tbody a")).to_have_count(1)
    screenshot(page, "dashboard")

    page.locator("#f-channel").select_option("counter")
    page.locator(".dashboard-go button").click()
    expect(page.locator("#f-channel")).to_have_value("counter")
    assert _charts_drawn(page) == 6
    assert _violations(page) == []


def test_the_dashboard_on_a_phone_has_no_accessibility_violation(
    phone_page: Page, months_of_dossiers: None, screenshot: Any
) -> None:
    log_in(phone_page, "leader")
    phone_page.wait_for_function(
        "window.Chart && document.querySelectorAll('canvas[data-rate]').length === 6"
    )
    screenshot(phone_page, "dashboard-phone")

    assert _violations(phone_page) == []
