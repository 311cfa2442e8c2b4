"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's ``live_server``.

One browser per test session (per xdist worker), a fresh context and page per test. Playwright's sync API runs an
asyncio loop in this thread, so Django's guard against database calls from async code is switched off once the
driver starts.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, expect, sync_playwright
from pytest_django import live_server_helper

from tests.factories import PASSWORD

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# A live server on a loaded CI machine can take a while to answer the first request.
expect.set_options(timeout=15_000)


class _LiveServer(live_server_helper.LiveServer):
    """pytest-django's live server without its static files handler: whitenoise serves the collected, hashed and
    compressed files as in production (the handler would look the hashed names up in the apps and not find them)."""

    def __init__(self, addr: str) -> None:
        super().__init__(addr, start=False)
        self.thread.static_handler = _served_by_whitenoise
        self.start()


def _served_by_whitenoise(handler: WSGIHandler) -> WSGIHandler:
    return handler


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[_LiveServer]:
    server = _LiveServer(
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    yield server
    server.stop()


def _chromium() -> str:
    for path in CHROMIUM_PATHS:
        if Path(path).exists():
            return path
    message = "Debian's Chromium is not installed (apt-get install chromium); browser tests need it"
    if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    # From here on this thread has a running event loop until the session ends, so every later test (browser
    # or not) would trip Django's SynchronousOnlyOperation guard; none of them is async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(
        executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _open_page(
    browser: Browser, live_server: Any, *, viewport: dict[str, int], mobile: bool
) -> Iterator[Page]:
    # A browser in Vietnam asks for Vietnamese, the portal's default language.
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        is_mobile=mobile,
        has_touch=mobile,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(
                f"console: {message.text} at {message.location.get('url')}:{message.location.get('lineNumber')}"
            )

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    context.close()
    if problems:
        pytest.fail("The browser reported errors:\n" + "\n".join(problems))


@pytest.fixture
def phone_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A page in a phone-size viewport (390×844), as most citizens see the portal."""
    yield from _open_page(browser, live_server, viewport=PHONE, mobile=True)


@pytest.fixture
def desktop_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    yield from _open_page(browser, live_server, viewport=DESKTOP, mobile=False)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Any:
    """``screenshot(page, step)`` saves ``var/screenshots/<test>-<step>.png``, the whole page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page: Page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page: Page, username: str) -> None:
    """Log ``username`` in through the login page, as its only session in this browser context."""
    page.context.clear_cookies()
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .who")).to_be_visible()
