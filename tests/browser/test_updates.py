"""The lead's journey: update in place, conflicts, drafts, and the page without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible, open_context
from tests.browser.test_sign_in_and_plan import sign_in
from tracker.plans.demo_content import DEMO_PASSWORD

AMBER_ACTION = "Deliver the partnership's duties under the serious violence duty with the violence reduction unit"


def card(page: Page, title: str):
    return page.locator("li.app-action-card").filter(has=page.get_by_role("heading", name=title))


def count(page: Page, key: str) -> int:
    return int(page.locator(f'[data-count="{key}"]').inner_text())


def fill_update(scope, rag: str, progress: str, mitigation: str = "") -> None:
    scope.get_by_role("radio", name=re.compile(f"^{rag}")).check()
    scope.get_by_role("textbox", name="Progress").fill(progress)
    if mitigation:
        scope.get_by_role("textbox", name="If red: what is being done about it").fill(mitigation)


def test_lead_turns_an_action_from_amber_to_red_in_place(page: Page, demo_plan):
    sign_in(page, "lead.police@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    red, amber, due = count(page, "red"), count(page, "amber"), count(page, "due")
    url = page.url

    target = card(page, AMBER_ACTION)
    expect(target.get_by_text("Amber", exact=True)).to_be_visible()
    target.get_by_role("link", name=re.compile("^Add update")).click()
    form = card(page, AMBER_ACTION)
    expect(form.get_by_role("button", name="Save update")).to_be_visible()
    expect(form.get_by_role("heading", name=f"Update: {AMBER_ACTION}")).to_be_focused()
    assert_accessible(page)

    fill_update(
        form,
        "Red",
        "Bridging funding was refused at the January board.",
        "Partners are pooling budgets; decision due in February.",
    )
    form.get_by_role("button", name="Save update").click()

    done = card(page, AMBER_ACTION)
    expect(done.get_by_text("Update saved.")).to_be_visible()
    expect(done.locator(".app-saved")).to_be_focused()
    expect(done.get_by_text("Red", exact=True)).to_be_visible()
    expect(page.locator('[data-count="red"]')).to_have_text(str(red + 1))
    expect(page.locator('[data-count="amber"]')).to_have_text(str(amber - 1))
    expect(page.locator('[data-count="due"]')).to_have_text(
        str(due)
    )  # it was already updated this period
    assert page.url == url, "updated in place, no page load"
    assert_accessible(page)


def test_second_person_gets_the_conflict_with_their_text_kept(
    browser: Browser, live_server: str, page: Page, demo_plan
):
    other_context = open_context(browser, live_server)
    other = other_context.new_page()
    try:
        sign_in(page, "lead.police@example.org")
        sign_in(other, "coordinator@example.org")
        other.goto("/my-actions")
        for each in (page, other):
            card(each, AMBER_ACTION).get_by_role("link", name=re.compile("^Add update")).click()
            expect(
                card(each, AMBER_ACTION).get_by_role("button", name="Save update")
            ).to_be_visible()

        fill_update(
            card(page, AMBER_ACTION), "Green", "Funding confirmed for another year by the board."
        )
        card(page, AMBER_ACTION).get_by_role("button", name="Save update").click()
        expect(card(page, AMBER_ACTION).get_by_text("Update saved.")).to_be_visible()

        mine = "Coordinator's view: funding still uncertain for April."
        fill_update(card(other, AMBER_ACTION), "Amber", mine)
        card(other, AMBER_ACTION).get_by_role("button", name="Save update").click()
        conflict = card(other, AMBER_ACTION)
        expect(conflict.get_by_role("alert")).to_contain_text(
            "Someone else updated this action while you were writing"
        )
        expect(conflict.get_by_role("alert")).to_contain_text(
            "Funding confirmed for another year by the board."
        )
        expect(conflict.get_by_role("textbox", name="Progress")).to_have_value(mine)
        assert_accessible(other)

        conflict.get_by_role("button", name="Save update").click()
        expect(card(other, AMBER_ACTION).get_by_text("Update saved.")).to_be_visible()
    finally:
        other_context.close()


def test_typed_text_survives_an_expired_session(page: Page, context, demo_plan):
    sign_in(page, "lead.police@example.org")
    card(page, AMBER_ACTION).get_by_role("link", name=re.compile("^Add update")).click()
    words = "Half-written note that must not be lost when the session ends."
    card(page, AMBER_ACTION).get_by_role("textbox", name="Progress").fill(words)
    context.clear_cookies()  # the session has expired
    card(page, AMBER_ACTION).get_by_role("radio", name=re.compile("^Amber")).check()
    card(page, AMBER_ACTION).get_by_role("button", name="Save update").click()

    expect(page).to_have_url(re.compile(r"/login\?next=/plans/\d+/my-actions"))
    page.get_by_label("Email address").fill("lead.police@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/my-actions$"))
    page.wait_for_load_state()  # htmx has started: the link opens the form in the card
    card(page, AMBER_ACTION).get_by_role("link", name=re.compile("^Add update")).click()
    expect(card(page, AMBER_ACTION).get_by_role("textbox", name="Progress")).to_have_value(words)
    expect(card(page, AMBER_ACTION).get_by_text("text you typed earlier")).to_be_visible()

    card(page, AMBER_ACTION).get_by_role("radio", name=re.compile("^Amber")).check()
    card(page, AMBER_ACTION).get_by_role("button", name="Save update").click()
    expect(card(page, AMBER_ACTION).get_by_text("Update saved.")).to_be_visible()
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tracker-draft:'))")
    assert drafts == [], "a saved update leaves no draft behind"


def test_filters_update_the_list_and_the_address(page: Page, demo_plan):
    sign_in(page, "lead.police@example.org")
    page.get_by_label("Status", exact=True).select_option("red")
    expect(page).to_have_url(re.compile(r"rag=red"))
    expect(page.locator("li.app-action-card")).to_have_count(2)
    page.get_by_label("Needs an update").check()
    expect(page).to_have_url(re.compile(r"due=yes"))
    page.reload()
    expect(page.get_by_label("Needs an update")).to_be_checked()
    assert_accessible(page)


def test_the_same_update_works_without_javascript(browser: Browser, live_server: str, demo_plan):
    context = open_context(browser, live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "lead.police@example.org")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
        card(page, AMBER_ACTION).get_by_role("link", name=re.compile("^Add update")).click()
        expect(page.get_by_role("heading", name="Add an update")).to_be_visible()
        fill_update(page, "Red", "Short of money for the April start.")
        page.get_by_role("button", name="Save update").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Enter what is being done about the red status"
        )
        expect(page.get_by_role("textbox", name="Progress")).to_have_value(
            "Short of money for the April start."
        )
        page.get_by_role("textbox", name="If red: what is being done about it").fill(
            "Bid to the commissioner's fund this month."
        )
        page.get_by_role("button", name="Save update").click()
        # Back where the lead came from (at their next action, if one still owes an update).
        expect(page).to_have_url(re.compile(r"/my-actions(#action-\d+)?$"))
        expect(page.get_by_text("Update saved.")).to_be_visible()
        card(page, AMBER_ACTION).get_by_role("link", name=AMBER_ACTION, exact=True).click()
        expect(page.get_by_text("Bid to the commissioner's fund this month.").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/periods", "/periods/outstanding"])
def test_coordinator_pages_are_accessible(page: Page, demo_plan, path):
    sign_in(page, "coordinator@example.org")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
