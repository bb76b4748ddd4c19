"""What each role sees: edit controls only where they may edit; admin pages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in
from tracker.plans.demo_content import PRIORITIES


def section(page: Page, priority_name: str):
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=priority_name, exact=True)
    )


def test_lead_sees_edit_controls_only_on_their_own_priorities(page: Page, demo_plan):
    sign_in(page, "lead.police@example.org")
    page.goto("/")
    own = {"Anti-Social Behaviour", "Serious Violence and Organised Crime"}
    for priority in PRIORITIES:
        controls = section(page, priority["name"]).get_by_role(
            "link", name=re.compile("^Add update")
        )
        if priority["name"] in own:
            active = [a for a in priority["actions"] if a.get("state", "active") == "active"]
            expect(controls).to_have_count(len(active))
        else:
            expect(controls).to_have_count(0)

    section(page, "Anti-Social Behaviour").get_by_role(
        "link", name=re.compile("^Add update")
    ).first.click()
    expect(page.get_by_role("heading", name="Add an update")).to_be_visible()
    page.get_by_role("radio", name="Amber", exact=True).check()
    page.get_by_role("textbox", name="Progress").fill(
        "Two more webinars booked for the spring term."
    )
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("Update saved.")).to_be_visible()
    expect(
        page.locator("ol").get_by_text("Two more webinars booked for the spring term.")
    ).to_be_visible()
    assert_accessible(page)


def test_viewer_sees_no_edit_controls(page: Page, demo_plan):
    sign_in(page, "viewer@example.org")
    expect(page.get_by_role("link", name=re.compile("^Add update"))).to_have_count(0)
    page.get_by_role("link", name=PRIORITIES[2]["actions"][0]["title"]).click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_role("heading", name="Add an update")).to_have_count(0)
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    assert_accessible(page)


def test_anonymous_visitor_is_sent_to_sign_in_and_back(page: Page, demo_plan):
    page.goto("/admin/audit")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email address").fill("coordinator@example.org")
    page.get_by_label("Password", exact=True).fill("amber-lantern-orchard-42")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users",
        "/admin/users/new",
        "/admin/organisations",
        "/admin/audit",
        "/account",
        "/account/password",
        "/account/two-factor",
        "/account/set-up",
    ],
)
def test_admin_and_account_pages_are_accessible(page: Page, demo_plan, path):
    sign_in(page, "admin@example.org")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_admin_adds_a_user_and_sees_the_set_up_code(page: Page, demo_plan):
    sign_in(page, "admin@example.org")
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Add a user").click()
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the person's name")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Robin Hale")
    page.get_by_label("Email address").fill("robin.hale@example.org")
    page.get_by_label("Lead – updates the actions under the priorities they lead").check()
    page.get_by_label("Road Safety (Kent Community Safety Agreement)").check()
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("#setup-code")).to_have_text(re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$"))
    assert_accessible(page)
