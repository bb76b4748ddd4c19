"""Reminders and locked periods in the browser, on a district's own plan: an hourly run that
fails for one address shows on the chase list and the reminders page, and "Send now" retries
it; a period closed while a lead is writing refuses the update with who can reopen it, and a
coordinator reopens it with a reason. Every page is axe-clean."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.browser.conftest import assert_accessible, open_context
from tests.browser.test_sign_in_and_plan import sign_in
from tests.conftest import run_cli
from tests.support.factories import make_action, make_period, make_plan_version, make_priority
from tracker.models import Organisation, Plan, User
from tracker.reminders.services import local_today

LEAD = "lead.police@example.org"


@pytest.fixture
def app(app_sending_mail):
    return app_sending_mail


@pytest.fixture
def district(session, demo_plan):
    """The demo's people (for signing in) and a district's own plan with a period due soon."""
    # Reminders are per plan: the demo's own are off, so only the district's go.
    session.scalar(select(Plan)).reminders_enabled = False
    lead = session.scalar(select(User).where(User.email == LEAD))
    other = User(
        email="sam.youth@district.example",
        name="Sam Youth",
        role="lead",
        organisation=Organisation(name="Northfield Youth Service"),
    )
    version = make_plan_version(
        session, plan=Plan(name="Northfield District Plan"), effective_from=date(2026, 4, 1)
    )
    night = make_priority(session, plan_version=version, name="Night-time Economy", position=1)
    night.leads.append(lead)
    youth = make_priority(session, plan_version=version, name="Young People", position=2)
    youth.leads.append(other)
    make_period(
        session,
        plan_version=version,
        name="Winter 2026",
        start_date=date(2026, 12, 1),
        end_date=date(2027, 2, 28),
        due_date=local_today() + timedelta(days=3),
        is_open=True,
    )
    make_action(session, priority=night, title="Taxi marshals at weekends")
    make_action(session, priority=youth, title="Detached youth work in the town centre")
    session.commit()
    return version.plan_id


def test_a_failed_reminder_shows_on_the_chase_list_and_send_now_retries_it(
    page: Page, app, district, relay
):
    relay.refused.add("sam.youth@district.example")
    result = run_cli(app, ["send-reminders"])
    assert "1 sent, 1 failed" in result.output
    assert [m["To"] for m in relay.messages] == ["Jordan Reid <lead.police@example.org>"]

    sign_in(page, "coordinator@example.org")
    page.goto(f"/plans/{district}/periods/outstanding")
    sam = page.locator("section").filter(has=page.get_by_role("heading", name=re.compile("Sam")))
    expect(sam).to_contain_text("Northfield Youth Service · sam.youth@district.example")
    expect(sam).to_contain_text("Reminder failed")
    expect(sam).to_contain_text("Mailbox unavailable")
    assert_accessible(page)

    page.get_by_role("link", name="E-mail reminders").click()
    expect(page.get_by_role("heading", name="E-mail reminders")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Sam Youth"))).to_contain_text("Failed")
    page.get_by_text(re.compile(r"^1 action")).last.click()
    expect(page.get_by_label("The e-mail to Sam Youth")).to_contain_text(
        "Detached youth work in the town centre (Young People)"
    )
    assert_accessible(page)

    relay.refused.clear()
    page.get_by_role("button", name="Send 1 reminder now").click()
    expect(page.get_by_role("alert")).to_contain_text("Reminders: 1 sent.")
    expect(page.get_by_role("row", name=re.compile("Sam Youth"))).to_contain_text("Sent")
    assert relay.to("sam.youth@district.example")
    assert_accessible(page)


def test_an_update_for_a_period_closed_meanwhile_is_refused_until_a_coordinator_reopens_it(
    page: Page, browser: Browser, live_server: str, district
):
    sign_in(page, LEAD)
    page.goto(f"/plans/{district}/my-actions")
    page.get_by_role("link", name=re.compile("^Add update")).first.click()
    page.get_by_label("Amber").first.check()
    page.get_by_role("textbox", name="Progress").fill("Marshals booked for every Friday.")

    coordinator_context = open_context(browser, live_server)
    coordinator = coordinator_context.new_page()
    sign_in(coordinator, "coordinator@example.org")
    coordinator.goto(f"/plans/{district}/periods")
    coordinator.get_by_role("button", name="Close Winter 2026").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Winter 2026 is closed")

    page.get_by_role("button", name="Save update").click()
    error = page.locator(".govuk-error-summary")
    expect(error).to_contain_text("Winter 2026 was closed on")
    expect(error).to_contain_text("so it takes no more updates")
    expect(error).to_contain_text("Only a coordinator (Sam Patel) can reopen it")
    assert_accessible(page)

    coordinator.get_by_role("link", name="Reopen Winter 2026").click()
    coordinator.get_by_role("button", name="Reopen the period").click()
    expect(coordinator.locator(".govuk-error-summary")).to_contain_text(
        "Say why the period is being reopened"
    )
    assert_accessible(coordinator)
    coordinator.get_by_label("Why is the period being reopened?").fill(
        "The police update was being written when the period closed."
    )
    coordinator.get_by_role("button", name="Reopen the period").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("Winter 2026 is open again")
    expect(coordinator.get_by_role("row", name=re.compile("Winter 2026"))).to_contain_text("Open")
    assert_accessible(coordinator)
    coordinator_context.close()

    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Update saved")).to_be_visible()
