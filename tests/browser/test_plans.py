"""A second plan: created in the browser, then switched to and from, each page axe-clean."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_roles import demo_plan  # noqa: F401  (fixture)
from tests.browser.test_sign_in_and_plan import sign_in


def test_a_coordinator_creates_a_plan_and_switches_between_plans(page: Page, demo_plan):  # noqa: F811
    sign_in(page, "coordinator@example.org")
    page.goto("/plans")
    assert_accessible(page)
    page.get_by_role("link", name="Create a plan").click()
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the name of the plan")
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

    page.get_by_role("link", name="Roll-up").click()
    expect(page).to_have_url(re.compile(r"/plans/\d+/rollup$"))
    page.get_by_role("link", name=re.compile("^Switch plan")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Kent Community Safety Agreement").click()
    expect(page.get_by_text("Plan: Kent Community Safety Agreement")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Roll-up")
    assert_accessible(page)
