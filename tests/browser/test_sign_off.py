"""Sign-off in the browser, on a district's own plan that asks for it: a lead's update waits,
the roll-up says so, the coordinator returns one (a reason is needed) and approves another,
and the lead sees why theirs came back. Every page is axe-clean."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible, open_context
from tests.browser.test_sign_in_and_plan import sign_in
from tests.support.factories import make_action, make_period, make_plan_version, make_priority
from tracker.models import Plan, User

LEAD = "lead.police@example.org"
LIGHTS, MARSHALS = "Street lighting audit", "Taxi marshals at weekends"


@pytest.fixture
def district(session, demo_plan):
    lead = session.scalar(select(User).where(User.email == LEAD))
    plan = Plan(name="Northfield District Plan", sign_off_required=True)
    version = make_plan_version(session, plan=plan, effective_from=date(2026, 4, 1))
    night = make_priority(session, plan_version=version, name="Night-time Economy", position=1)
    night.leads.append(lead)
    make_period(
        session,
        plan_version=version,
        name="Winter 2026",
        start_date=date(2026, 12, 1),
        end_date=date(2027, 2, 28),
        is_open=True,
    )
    make_action(session, priority=night, title=LIGHTS, position=1)
    make_action(session, priority=night, title=MARSHALS, position=2)
    session.commit()
    return version.plan_id


def card(page: Page, title: str):
    return page.locator("li.app-action-card").filter(has=page.get_by_role("heading", name=title))


def submit(page: Page, title: str, status: str, text: str) -> None:
    card(page, title).get_by_role("link", name=re.compile("^Add update")).click()
    card(page, title).get_by_label(status).check()
    card(page, title).get_by_role("textbox", name="Progress").fill(text)
    card(page, title).get_by_role("button", name="Save update").click()
    expect(card(page, title)).to_contain_text("Update saved: it counts once signed off.")


def test_updates_wait_for_sign_off_and_a_returned_one_says_why(
    page: Page, browser: Browser, live_server: str, district
):
    sign_in(page, LEAD)
    page.goto(f"/plans/{district}/my-actions")
    expect(page.get_by_text("Your updates count once a coordinator")).to_be_visible()
    submit(page, LIGHTS, "Green", "All forty lamps surveyed.")
    submit(page, MARSHALS, "Amber", "Marshals for some weekends.")
    expect(card(page, LIGHTS)).to_contain_text("Waiting for sign-off")
    assert_accessible(page)

    coordinator_context = open_context(browser, live_server)
    coordinator = coordinator_context.new_page()
    sign_in(coordinator, "coordinator@example.org")
    coordinator.goto(f"/plans/{district}/rollup")
    expect(coordinator.locator("[data-row=total] [data-waiting]").first).to_have_text(
        "2 waiting for sign-off"
    )
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="See what is waiting for sign-off").click()
    expect(coordinator.get_by_role("heading", name="Waiting for sign-off")).to_be_visible()
    assert_accessible(coordinator)

    marshals = coordinator.locator("section.app-signoff").filter(has_text=MARSHALS)
    marshals.get_by_role("button", name=re.compile("^Return to")).click()
    summary = coordinator.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say why it is returned")
    summary.get_by_role("link").click()
    expect(
        coordinator.locator("section.app-signoff")
        .filter(has_text=MARSHALS)
        .get_by_role("textbox", name=re.compile("Reason, if you return it"))
    ).to_be_focused()
    assert_accessible(coordinator)
    marshals = coordinator.locator("section.app-signoff").filter(has_text=MARSHALS)
    marshals.get_by_role("textbox", name=re.compile("Reason")).fill(
        "Say which weekends are covered and which are not."
    )
    marshals.get_by_role("button", name=re.compile("^Return to")).click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Returned the update on")
    lights = coordinator.locator("section.app-signoff").filter(has_text=LIGHTS)
    lights.get_by_role("button", name=re.compile("^Approve")).click()
    expect(coordinator.get_by_role("alert")).to_contain_text(f"Approved the update on {LIGHTS}")
    expect(coordinator.get_by_text("Nothing is waiting for your sign-off.")).to_be_visible()
    assert_accessible(coordinator)
    coordinator_context.close()

    page.reload()
    expect(card(page, MARSHALS)).to_contain_text("Update returned")
    expect(card(page, MARSHALS)).to_contain_text("Say which weekends are covered")
    expect(card(page, MARSHALS)).to_contain_text("Update due for Winter 2026")
    expect(card(page, LIGHTS)).to_contain_text("Updated for Winter 2026")
    assert_accessible(page)
