"""A second plan: created in the browser, then switched to and from, each page axe-clean."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in


def test_a_coordinator_creates_a_plan_and_switches_between_plans(page: Page, demo_plan):  # noqa: F811
    sign_in(page, "coordinator@example.org")
    page.goto("/plans")
    expect(page.get_by_role("heading", name="Plans")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Create a plan").click()
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the plan's name")
    assert_accessible(page)

    page.get_by_label("Name of the plan").fill("Riverside District Plan")
    page.get_by_label("Year or label of this version").fill("2027/28")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside District Plan")
    expect(page.get_by_text("This plan has no priorities yet.")).to_be_visible()
    expect(page.get_by_text("Plan: Riverside District Plan")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Roll-up", exact=True).click()
    expect(page).to_have_url(re.compile(r"/plans/\d+/rollup$"))
    expect(page.get_by_text("This plan has no reporting periods yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Switch plan")).click()
    expect(page.get_by_role("heading", name="Plans")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Kent Community Safety Agreement").click()
    expect(page.get_by_text("Plan: Kent Community Safety Agreement")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Roll-up")
    assert_accessible(page)


def test_a_coordinator_keeps_the_structure_right_and_every_page_passes_axe(page: Page, demo_plan):  # noqa: F811
    sign_in(page, "coordinator@example.org")
    page.get_by_role("link", name="Change the plan's priorities, themes and indicators").click()
    expect(page.get_by_role("heading", name="Plan structure")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a priority").click()
    page.get_by_role("button", name="Save priority").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the priority's name")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Fraud and Scams")
    page.get_by_label("Lead role (optional)").fill("Trading Standards Manager")
    page.get_by_role("button", name="Save priority").click()
    expect(page.get_by_text("Added the priority Fraud and Scams.")).to_be_visible()
    page.get_by_role("button", name="Move up Fraud and Scams").click()
    expect(page.get_by_text("Moved Fraud and Scams up.")).to_be_visible()
    page.get_by_role("link", name="Change Fraud and Scams").click()
    expect(page.get_by_role("heading", name="Change the priority Fraud and Scams")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the plan structure").click()

    page.get_by_role("link", name="Retire Road Safety").click()
    expect(page.get_by_role("heading", name="Retire the priority Road Safety")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Retire priority").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose what happens to the")
    page.get_by_label("Move them to another priority").check()
    page.get_by_label("If moved: the priority they move to").select_option(label="Fraud and Scams")
    page.get_by_role("button", name="Retire priority").click()
    expect(page.get_by_text("Retired the priority Road Safety.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a cross-cutting theme").click()
    expect(page.get_by_role("heading", name="Add a cross-cutting theme")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Reduce fear of crime")
    page.get_by_role("button", name="Save theme").click()
    page.get_by_role("link", name="Retire Reduce fear of crime").click()
    expect(
        page.get_by_role("heading", name="Retire the theme Reduce fear of crime")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Retire theme").click()
    expect(page.get_by_text("Retired the theme Reduce fear of crime.")).to_be_visible()

    page.get_by_role("link", name="Add an indicator").click()
    page.get_by_label("Name", exact=True).fill("Reports of scams")
    page.get_by_label("Priority").select_option(label="Fraud and Scams")
    page.get_by_role("button", name="Save indicator").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose whether a rise or a fall is better")
    assert_accessible(page)
    page.get_by_label(re.compile("A rise is better")).check()
    page.get_by_role("button", name="Save indicator").click()
    page.get_by_role("link", name="Retire Reports of scams").click()
    expect(
        page.get_by_role("heading", name="Retire the indicator Reports of scams")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Retire indicator").click()
    expect(page.get_by_text("Retired the indicator Reports of scams.")).to_be_visible()

    page.get_by_role("link", name="Roll-up", exact=True).click()
    expect(page.get_by_role("link", name="Fraud and Scams", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Road Safety", exact=True)).to_have_count(0)


def test_an_admin_renames_an_organisation(page: Page, demo_plan):  # noqa: F811
    sign_in(page, "admin@example.org")
    page.get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Change Kent Fire and Rescue Service").click()
    expect(page.get_by_label("Organisation name")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Organisation name").fill("Kent Fire and Rescue")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text("Saved Kent Fire and Rescue.")).to_be_visible()
