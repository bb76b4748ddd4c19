"""When a save made in place fails, the lead is told so next to the form and keeps their text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in
from tests.browser.test_updates import AMBER_ACTION, card
from tests.conftest import make_app
from tests.reliability.test_drills import write_lock_held
from tracker.extensions import db

WORDS = "Two partners have agreed to share the outreach van from March."


@pytest.fixture
def app(database_url, tmp_path):
    """The app with a short lock wait, so a held lock turns into "busy" quickly."""
    application = make_app(database_url, tmp_path / "instance", DATABASE_BUSY_SECONDS=0.3)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def lenient_page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails on script errors only: the failed loads here are the point."""
    browser_page = context.new_page()
    script_errors: list[str] = []
    browser_page.on("pageerror", lambda error: script_errors.append(str(error)))
    yield browser_page
    assert script_errors == []


def _open_update_form(page: Page):
    sign_in(page, "lead.police@example.org")
    card(page, AMBER_ACTION).get_by_role("link", name=re.compile("^Add update")).click()
    form = card(page, AMBER_ACTION)
    form.get_by_role("radio", name=re.compile("^Amber")).check()
    form.get_by_role("textbox", name="Progress").fill(WORDS)
    return form


def test_a_busy_database_is_explained_in_place_and_the_text_stays(
    lenient_page: Page, session, database_url, demo_plan
):
    form = _open_update_form(lenient_page)
    with write_lock_held(database_url):
        form.get_by_role("button", name="Save update").click()
        alert = lenient_page.get_by_role("alert").filter(has_text="The tracker is busy")
        expect(alert).to_be_visible()
        expect(alert).to_be_focused()  # scrolled into view from the button far below
        expect(alert).to_be_in_viewport()
    expect(alert).to_contain_text("Nothing was saved and what you typed is still here")
    expect(form.get_by_role("textbox", name="Progress")).to_have_value(WORDS)
    assert_accessible(lenient_page)

    form.get_by_role("button", name="Save update").click()
    expect(card(lenient_page, AMBER_ACTION).get_by_text("Update saved.")).to_be_visible()
    expect(alert).to_have_count(0)  # the message goes once the save works


def test_a_lost_connection_is_explained_in_place_and_the_text_stays(
    lenient_page: Page, session, demo_plan
):
    form = _open_update_form(lenient_page)
    lenient_page.route(re.compile(r"/actions/\d+/updates$"), lambda route: route.abort())
    form.get_by_role("button", name="Save update").click()
    alert = lenient_page.get_by_role("alert").filter(has_text="could not be reached")
    expect(alert).to_be_visible()
    expect(form.get_by_role("textbox", name="Progress")).to_have_value(WORDS)
