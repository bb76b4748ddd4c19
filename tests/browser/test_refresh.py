"""A whole refresh in the browser, on a plan built here rather than the demo: rename one
priority, retire one, add one, decide the actions, publish, then read last year's roll-up.
Every step is axe-clean."""

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
    make_theme,
    make_update,
)
from tracker.models import Plan, User


@pytest.fixture
def riverside(session, demo_plan):
    """The demo's people (for signing in) and a district's own plan to refresh."""
    lead = session.scalar(select(User).where(User.role == "lead"))
    version = make_plan_version(
        session, plan=Plan(name="Riverside District Plan"), effective_from=date(2026, 4, 1)
    )
    organised = make_priority(
        session, plan_version=version, name="Serious and Organised Crime", position=1
    )
    acquisitive = make_priority(session, plan_version=version, name="Acquisitive Crime", position=2)
    early = make_theme(session, plan_version=version, name="Early intervention")
    period = make_period(
        session,
        plan_version=version,
        name="2026/27 Q4",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31),
        is_open=True,
    )
    lines = make_action(session, priority=organised, title="Disrupt county lines", themes=[early])
    make_update(session, action=lines, author=lead, rag="amber", period=period)
    patrols = make_action(session, priority=acquisitive, title="Burglary patrols")
    make_update(
        session, action=patrols, author=lead, rag="red", period=period, mitigation_text="Escalated"
    )
    session.commit()
    return version.plan_id, patrols.id


def test_a_coordinator_refreshes_the_plan_and_last_year_stays_readable(page: Page, riverside):
    plan_id, patrols_id = riverside
    sign_in(page, "coordinator@example.org")
    page.goto(f"/plans/{plan_id}")
    page.get_by_role("link", name="Refresh the plan for next year").click()
    expect(page.get_by_role("heading", name="Start the refresh")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the refresh").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date the new version takes effect")
    assert_accessible(page)
    page.get_by_label("Year or label of the new version").fill("2027/28")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_label("Agreement version number (optional)").fill("2.0")
    page.get_by_role("button", name="Start the refresh").click()
    expect(page.get_by_role("heading", name="Refresh: 2027/28")).to_be_visible()
    assert_accessible(page)

    # Rename one priority, retire one, add one: in the draft's own structure page.
    page.get_by_role("link", name="Change the structure of 2027/28").click()
    expect(page.get_by_text("This is the draft refresh.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change Serious and Organised Crime").click()
    expect(page.get_by_role("group", name="Continues, from 2026/27")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Serious Violence and Organised Crime")
    page.get_by_role("button", name="Save priority").click()
    expect(page.get_by_text("Continues Serious and Organised Crime")).to_be_visible()
    page.get_by_role("link", name="Retire Acquisitive Crime").click()
    page.get_by_role("button", name="Retire priority").click()
    expect(page.get_by_text("Retired the priority Acquisitive Crime.")).to_be_visible()
    page.get_by_role("link", name="Add a priority").click()
    page.get_by_label("Name", exact=True).fill("Preventing Extremism and Hate")
    page.get_by_role("button", name="Save priority").click()
    expect(page.get_by_text("Added the priority Preventing Extremism and Hate.")).to_be_visible()
    assert_accessible(page)

    # Decide the actions: the renamed priority's is proposed, the retired one's needs a choice.
    page.get_by_role("link", name="Back to the refresh").click()
    page.get_by_role("link", name="Decide the actions").click()
    expect(page.locator("#decision-counts")).to_contain_text("1 of 2 still to decide")
    assert_accessible(page)
    row = page.locator(f"#decision-{patrols_id}")
    expect(row).to_contain_text("To decide")
    row.get_by_label("Complete").check()
    row.get_by_role("button", name=re.compile("^Save decision")).click()
    expect(page.locator(f"#decision-{patrols_id}")).to_contain_text("Decided")
    expect(page.locator("#decision-counts")).to_contain_text("0 of 2 still to decide")
    assert_accessible(page)
    page.get_by_role("button", name="Accept the 1 proposed decision").click()
    expect(page.get_by_text("Accepted 1 proposed decision.")).to_be_visible()

    # Publish, with a note for the version-control table.
    page.get_by_role("link", name="Back to the refresh").click()
    expect(page.get_by_text("Priority renamed: Serious and Organised Crime is now")).to_be_visible()
    page.get_by_label("Other changes to the agreement (optional)").fill("Chapter 6 updated.")
    page.get_by_role("button", name="Publish the new version").click()
    expect(page.get_by_text("Published 2027/28")).to_be_visible()
    expect(page.get_by_role("heading", name="Version control")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Chapter 6 updated."))).to_be_visible()
    assert_accessible(page)

    # Last year, read with the version picker: its roll-up shows its own names.
    page.get_by_label("Version of the plan").select_option(label="2026/27 (superseded)")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("You are looking at 2026/27, replaced by 2027/28")).to_be_visible()
    page.get_by_role("link", name="Roll-up", exact=True).click()
    expect(page).to_have_url(re.compile(r"/rollup\?version=1$"))
    main = page.get_by_role("main")
    expect(main).to_contain_text("Acquisitive Crime")
    expect(main).to_contain_text("Serious and Organised Crime")
    assert_accessible(page)
