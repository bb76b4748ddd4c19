"""A newcomer signs in as a demo user and finds the demo plan."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tracker.plans.demo_content import DEMO_PASSWORD, PRIORITIES, THEMES


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state()  # scripts (htmx, GOV.UK Frontend) have started


def test_sign_in_page_is_accessible(page: Page, demo_plan):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_shows_error_summary_linked_to_the_field(page: Page, demo_plan):
    page.goto("/login")
    page.get_by_label("Email address").fill("lead.police@example.org")
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a correct email address and password")
    assert_accessible(page)


def test_lead_signs_in_and_sees_the_demo_plan(page: Page, demo_plan):
    sign_in(page, "lead.police@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    page.get_by_role("link", name="Plan", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kent Community Safety Agreement")
    for priority in PRIORITIES:
        expect(page.get_by_role("heading", name=priority["name"], exact=True)).to_be_visible()
    first_action = PRIORITIES[0]["actions"][0]["title"]
    expect(page.get_by_role("cell", name=first_action)).to_be_visible()
    assert_accessible(page)


def test_grouping_by_theme_swaps_in_place_and_keeps_the_url(page: Page, demo_plan):
    sign_in(page, "viewer@example.org")
    page.get_by_role("link", name="By cross-cutting theme").click()

    expect(page).to_have_url(re.compile(r"\?group=themes$"))
    for theme in THEMES.values():
        expect(page.get_by_role("heading", name=theme, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="By cross-cutting theme")).to_have_attribute(
        "aria-current", "page"
    )
    assert_accessible(page)

    page.reload()  # the bookmarked view renders as a whole page
    expect(
        page.get_by_role("heading", name=next(iter(THEMES.values())), exact=True)
    ).to_be_visible()


def test_plan_reflows_at_320_pixels_without_sideways_scrolling(page: Page, demo_plan):
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, "viewer@example.org")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("load")  # widths are measured with the stylesheet applied
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    owner_cell_display = page.evaluate(
        "getComputedStyle(document.querySelector('td[data-label=\"Owner\"]')).display"
    )
    assert owner_cell_display == "block", "table rows stack as blocks on a narrow screen"


def test_sign_out_returns_to_sign_in(page: Page, demo_plan):
    sign_in(page, "viewer@example.org")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_accessibility_check_catches_a_real_violation(page: Page, demo_plan):
    """The axe harness is not vacuous: an unlabelled field on the page fails it."""
    page.goto("/login")
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
