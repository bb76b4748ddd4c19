"""The update cycle in the browser, on a district's own plan rather than the demo: two update
forms open at once, a roll-up count that brings the person
to its list, and completing an action only once confirmed. Every page is axe-clean, and the
page fixture fails on any Content-Security-Policy report."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
)
from tracker.models import Plan, User

FIRST, SECOND, THIRD = "Street lighting audit", "Taxi marshals at weekends", "Safe haven venues"


@pytest.fixture
def district(session, demo_plan):
    """The demo's people (for signing in) and a district's own plan, led by the demo lead."""
    lead = session.scalar(select(User).where(User.email == "lead.police@example.org"))
    version = make_plan_version(
        session, plan=Plan(name="Northfield District Plan"), effective_from=date(2026, 4, 1)
    )
    night = make_priority(session, plan_version=version, name="Night-time Economy", position=1)
    night.leads.append(lead)
    period = make_period(
        session,
        plan_version=version,
        name="Winter 2026",
        start_date=date(2026, 12, 1),
        end_date=date(2027, 2, 28),
        is_open=True,
    )
    first = make_action(session, priority=night, title=FIRST, position=1)
    make_action(session, priority=night, title=SECOND, position=2)
    make_action(session, priority=night, title=THIRD, position=3)
    make_update(session, action=first, author=lead, rag="red", period=period, mitigation_text="x")
    session.commit()
    return version.plan_id


def card(page: Page, title: str):
    return page.locator("li.app-action-card").filter(has=page.get_by_role("heading", name=title))


def test_two_open_update_forms_each_complete_and_count_their_own_action(page: Page, district):
    sign_in(page, "lead.police@example.org")
    page.goto(f"/plans/{district}/my-actions")
    for title in (SECOND, THIRD):
        card(page, title).get_by_role("link", name=re.compile("^Add update")).click()
        expect(card(page, title).get_by_role("button", name="Save update")).to_be_visible()
    second, third = card(page, SECOND), card(page, THIRD)

    third.get_by_label("This action is complete").check()
    expect(third.get_by_label("This action is complete")).to_be_checked()
    expect(second.get_by_label("This action is complete")).not_to_be_checked()

    third.get_by_role("textbox", name="Progress").fill("Twelve venues signed up.")
    expect(third.locator(".govuk-character-count__status")).to_have_text(
        "You have 4,976 characters remaining"
    )
    expect(second.locator(".govuk-character-count__status")).to_have_text(
        "You have 5,000 characters remaining"
    )
    assert_accessible(page)

    # A refused save swaps its form back in: its error link reaches its own field, and no
    # inline style is reported (the page fixture fails on any console error).
    second.get_by_role("button", name="Save update").click()
    summary = second.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose red, amber or green")
    summary.get_by_role("link", name="Choose red, amber or green").click()
    expect(second.get_by_role("radio", name=re.compile("^Green"))).to_be_focused()
    assert_accessible(page)


def test_a_roll_up_count_brings_the_person_to_its_list(page: Page, district):
    sign_in(page, "coordinator@example.org")
    page.goto(f"/plans/{district}/rollup")
    expect(page.get_by_text("Status in Winter 2026")).to_be_visible()
    page.get_by_role("link", name=re.compile("No update in Night-time Economy, show them")).click()
    heading = page.locator("#rollup-drilldown-heading")
    expect(heading).to_have_text(re.compile("^2 actions with status No update"))
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    assert_accessible(page)


def test_marking_an_action_complete_asks_first(page: Page, district):
    sign_in(page, "lead.police@example.org")
    page.goto(f"/plans/{district}/my-actions")
    card(page, SECOND).get_by_role("link", name=SECOND, exact=True).click()
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark this action complete?")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Cancel")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SECOND)
    expect(page.get_by_role("button", name="Mark complete")).to_be_visible()

    page.get_by_role("button", name="Mark complete").click()
    page.get_by_role("button", name="Yes, mark it complete").click()
    expect(page.get_by_text("The action is now completed.")).to_be_visible()
