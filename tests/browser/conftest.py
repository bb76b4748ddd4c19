"""Browser tests: Playwright driving Debian's Chromium against the app on a local port.

Never `playwright install`: it downloads its own browsers, which cannot be fetched here.
axe-core comes from npm (vendored by `make assets`) and is served to the page from its own
origin, so the page's Content-Security-Policy stays on during the checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    sync_playwright,
)

from tests.support.served import threaded_serving

CHROMIUM = "/usr/bin/chromium"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_URL = "/__test__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(item.path).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium package (make test does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session", autouse=True)
def _clicks_wait_for_the_page_to_load() -> Iterator[None]:
    """A click or tick waits until the page has loaded, as a person does.

    A page's text can be on screen before its scripts have run. The notification banner takes
    focus when they do, which scrolls it into view: a click aimed at a link lower down the
    page just before that lands on whatever the scroll moved there, and is lost (seen under
    a loaded run, after a save that redirects to a long page). On a loaded page this waits
    for nothing.
    """

    def waiting(action: Any) -> Any:
        def act(self: Locator, *args: Any, **kwargs: Any) -> Any:
            self.page.wait_for_load_state("load")
            return action(self, *args, **kwargs)

        return act

    with pytest.MonkeyPatch.context() as patch:
        for name in ("click", "check"):
            patch.setattr(Locator, name, waiting(getattr(Locator, name)))
        yield


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free local port for the length of one test."""
    with threaded_serving(app, extra_files={AXE_URL: AXE_SCRIPT}) as base_url:
        yield base_url


def open_context(browser: Browser, live_server: str, **options: Any) -> BrowserContext:
    """A browser context on the live server (which serves axe-core from the same origin)."""
    return browser.new_context(base_url=live_server, **options)


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    browser_context = open_context(browser, live_server)
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any script error or console error (CSP reports included)."""
    browser_page = context.new_page()
    problems: list[str] = []

    def note_console_error(message: ConsoleMessage) -> None:
        # Chromium reports every 4xx answer as a failed load. A refused form (400 CSRF, 401,
        # 403, 409 conflict, 422, 429) is the app working; a missing script or style is not.
        if message.type != "error":
            return
        url = message.location.get("url", "")
        expected = re.search(r"status of (400|401|403|409|422|429)\b", message.text)
        if (
            message.text.startswith("Failed to load resource")
            and expected
            and "/static/" not in url
        ):
            return
        problems.append(f"console error: {message.text} ({message.location.get('url')})")

    browser_page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    browser_page.on("console", note_console_error)
    yield browser_page
    assert problems == []


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.2 A/AA violations on the page as it stands."""
    # A heading can be on screen before the stylesheets are; axe judges target size and
    # contrast from the styles, so it waits for them.
    page.wait_for_load_state("load")
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']]}"
        for violation in result["violations"]
    ]
    assert violations == [], "\n".join(violations)
