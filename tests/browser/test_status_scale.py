"""A plan on the five-point delivery confidence scale, in the browser: the lead chooses from
its five statuses with what each means beside it, the roll-up counts them, and the
coordinator's status scale page words them. Every page is axe-clean."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in
from tests.support.factories import make_action, make_period, make_plan_version, make_priority
from tracker.models import Plan, User

LEAD = "lead.police@example.org"


@pytest.fixture
def programme(session, demo_plan):
    lead = session.scalar(select(User).where(User.email == LEAD))
    plan = Plan(name="Violence Reduction Programme", status_scale="five_point")
    version = make_plan_version(session, plan=plan, effective_from=date(2026, 4, 1))
    priority = make_priority(session, plan_version=version, name="Early Intervention")
    priority.leads.append(lead)
    make_period(
        session,
        plan_version=version,
        name="Quarter 3",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        is_open=True,
    )
    make_action(session, priority=priority, title="Mentors in A&E departments")
    session.commit()
    return version.plan_id


def test_a_five_point_plan_from_choice_to_roll_up(page: Page, programme):
    sign_in(page, LEAD)
    page.goto(f"/plans/{programme}/my-actions")
    page.get_by_role("link", name=re.compile("^Add update")).click()
    statuses = page.get_by_role("group", name="Status")
    expect(statuses.get_by_role("radio")).to_have_count(5)
    expect(statuses).to_contain_text("Delivery is in doubt: major risks or issues")
    assert_accessible(page)
    page.get_by_label("Amber/Red", exact=True).check()
    page.get_by_role("textbox", name="Progress").fill("Two of the three hospitals have mentors.")
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Update saved.")).to_be_visible()
    expect(page.locator(".app-rag--amber_red").first).to_have_text("Amber/Red")

    page.goto(f"/plans/{programme}/rollup")
    header = page.locator("table[data-rollup=priority] thead")
    expect(header).to_contain_text("Amber/Green")
    expect(
        page.locator("table[data-rollup=priority] [data-row=total] [data-status=amber_red] a")
    ).to_contain_text("1")
    page.get_by_text("What each status means in this plan").click()
    expect(page.get_by_text("Delivery looks probable")).to_be_visible()
    assert_accessible(page)


def test_the_coordinator_words_the_five_statuses(page: Page, programme):
    sign_in(page, "coordinator@example.org")
    page.goto(f"/plans/{programme}/status-scale")
    expect(page.get_by_label("Five-point delivery confidence", exact=False)).to_be_checked()
    page.get_by_role("textbox", name=re.compile("what Amber means")).fill("x" * 301)
    page.get_by_role("button", name="Save what each status means").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("300 characters or fewer")
    assert_accessible(page)
    page.get_by_role("textbox", name=re.compile("what Amber means")).fill(
        "Significant issues: the working group should discuss it."
    )
    page.get_by_role("button", name="Save what each status means").click()
    expect(page.get_by_role("alert")).to_contain_text("Saved what each status means")
    assert_accessible(page)
