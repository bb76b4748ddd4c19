"""Long lists in the browser: a drill-down and Your actions of 70 actions, and a plan page
of 110, come a page at a time, page links load in place and take the focus, and every page
is axe-clean."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from tests.support.factories import (
    TEST_PASSWORD,
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tracker.models import Plan, PlanVersion

VIEWER = "viewer@northfield.example.org"
LEAD = "lead@northfield.example.org"


@pytest.fixture
def long_plan(session):
    version = make_plan_version(session, plan=Plan(name="Northfield Safer Communities Plan"))
    period = make_period(
        session,
        plan_version=version,
        name="2026/27 Q3",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        is_open=True,
    )
    make_user(session, email=VIEWER, role="viewer", name="Val Viewer")
    lead = make_user(session, email=LEAD, role="lead", name="Lee Lead")
    priority = make_priority(session, plan_version=version, name="Violence against women")
    priority.leads.append(lead)
    for number in range(1, 71):
        action = make_action(
            session, priority=priority, title=f"Outreach step {number:02}", position=number
        )
        make_update(
            session,
            action=action,
            author=lead,
            period=period,
            rag="red",
            mitigation_text="A second outreach worker starts next month.",
        )
    session.commit()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state()


def test_a_long_drill_down_pages_in_place(page: Page, long_plan):
    sign_in(page, VIEWER)
    page.get_by_role("link", name="Roll-up", exact=True).click()
    page.get_by_role("link", name=re.compile("^70 Red in Violence against women")).click()
    drill = page.locator("#rollup-drilldown")
    heading = drill.get_by_role("heading", name=re.compile("^70 actions with status Red"))
    expect(heading).to_contain_text("Showing 1 to 50 · page 1 of 2")
    expect(drill.locator("tbody tr")).to_have_count(50)
    assert_accessible(page)

    drill.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(heading).to_contain_text("Showing 51 to 70 · page 2 of 2")
    expect(heading).to_be_focused()
    expect(drill.locator("tbody tr")).to_have_count(20)
    expect(drill.get_by_text("Outreach step 70")).to_be_visible()
    assert_accessible(page)


def test_a_lead_of_many_actions_pages_through_them(page: Page, long_plan):
    sign_in(page, LEAD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    showing = page.locator("#my-actions-showing")
    expect(showing).to_have_text(
        "Showing 1 to 50 of the 70 that match (page 1 of 2), of 70 actions in all."
    )
    expect(page.locator(".app-action-card")).to_have_count(50)
    assert_accessible(page)

    page.get_by_role("navigation", name="Pages of your actions").get_by_role(
        "link", name="Page 2"
    ).click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(showing).to_contain_text("Showing 51 to 70")
    expect(showing).to_be_focused()
    expect(page.locator(".app-action-card")).to_have_count(20)
    assert_accessible(page)


def test_a_plan_of_more_than_a_hundred_actions_pages_in_place(page: Page, long_plan, session):
    version = session.scalar(select(PlanVersion).join(Plan).where(Plan.name.like("Northfield%")))
    roads = make_priority(session, plan_version=version, name="Safer roads", position=2)
    for number in range(1, 41):
        make_action(session, priority=roads, title=f"Speed check {number:02}", position=number)
    session.commit()
    sign_in(page, VIEWER)
    page.get_by_role("link", name="Plan", exact=True).click()
    showing = page.locator("#plan-overview-showing")
    expect(showing).to_have_text("Showing 1 to 100 of the 110 listed by priority (page 1 of 2).")
    expect(page.get_by_role("heading", name="110 actions")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Pages of the plan's actions").get_by_role(
        "link", name="Next page"
    ).click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(showing).to_have_text("Showing 101 to 110 of the 110 listed by priority (page 2 of 2).")
    expect(showing).to_be_focused()
    expect(page.get_by_role("heading", name="Safer roads (continued)")).to_be_visible()
    expect(page.get_by_role("link", name="Speed check 40")).to_be_visible()
    expect(page.get_by_role("link", name="Outreach step 01")).to_have_count(0)
    assert_accessible(page)
