"""The first run of a real deployment, from an empty database, as the README tells it:
the first admin from the command line, then everything else in the browser."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.imports.files import simple_workbook

PASSWORDS = {
    "admin@riverside.gov.uk": "quiet-harbour-lantern-91",
    "coord@riverside.gov.uk": "copper-meadow-violin-27",
    "lead@riverside.gov.uk": "amber-tunnel-orchid-55",
}


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[email])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login?" not in url and not url.endswith("/login"))


def enrol_two_factor(page: Page) -> None:
    """Admins and coordinators set up an authenticator at first sign-in."""
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("link", name=re.compile("I have saved my codes")).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def add_user(page: Page, name: str, email: str, role_label: str, leads: str | None = None) -> str:
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label(re.compile(f"{role_label} –")).check()
    if leads:
        page.get_by_label(leads).check()
    page.get_by_role("button", name="Add user").click()
    return page.locator("#setup-code").inner_text()


def set_up_account(page: Page, email: str, code: str) -> None:
    page.goto("/account/set-up")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Set-up code").fill(code)
    page.get_by_label("New password", exact=True).fill(PASSWORDS[email])
    page.get_by_label("Confirm new password").fill(PASSWORDS[email])
    page.get_by_role("button", name="Set password").click()


def test_a_new_deployment_from_an_empty_database_to_the_first_roll_up(page: Page, app, tmp_path):
    created = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "admin@riverside.gov.uk",
            "--name",
            "Alex Admin",
            "--role",
            "admin",
            "--organisation",
            "Riverside District Council",
            "--password-stdin",
        ],
        input=PASSWORDS["admin@riverside.gov.uk"] + "\n",
    )
    assert created.exit_code == 0, created.output

    # The admin: two-factor set-up, the plan, its actions from a spreadsheet, its people.
    sign_in(page, "admin@riverside.gov.uk")
    enrol_two_factor(page)
    expect(page.get_by_role("heading", name="No plan yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Create a plan").click()
    page.get_by_label("Name of the plan").fill("Riverside Community Safety Plan")
    page.get_by_label("Year or label of this version").fill("2026/27")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year", exact=True).fill("2026")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name="Riverside Community Safety Plan")).to_be_visible()

    page.get_by_role("link", name="Import actions from a spreadsheet").click()
    expect(page.get_by_role("heading", name="Import an action plan")).to_be_visible()
    assert_accessible(page)
    spreadsheet = tmp_path / "riverside-plan.xlsx"
    spreadsheet.write_bytes(
        simple_workbook(
            [
                ["Road Safety", "Speed checks outside schools", "31/03/2027", "", ""],
                ["Road Safety", "Young driver awareness sessions", "31/12/2026", "", ""],
                ["Anti-Social Behaviour", "Youth outreach on the estates", "", "", ""],
            ]
        )
    )
    page.get_by_label("Upload a spreadsheet (.xlsx or .csv)").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Check the import")).to_be_visible()
    expect(page.get_by_text("Road Safety, Anti-Social Behaviour")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import 3 actions").click()
    expect(page.get_by_text(re.compile("^Imported 3 actions"))).to_be_visible()
    expect(page.get_by_role("link", name="Speed checks outside schools")).to_be_visible()

    coordinator_code = add_user(page, "Casey Coordinator", "coord@riverside.gov.uk", "Coordinator")
    lead_code = add_user(
        page,
        "Lee Lead",
        "lead@riverside.gov.uk",
        "Lead",
        leads="Road Safety (Riverside Community Safety Plan)",
    )
    sign_out(page)

    # The coordinator: account, two-factor, and the first reporting period, opened.
    set_up_account(page, "coord@riverside.gov.uk", coordinator_code)
    sign_in(page, "coord@riverside.gov.uk")
    enrol_two_factor(page)
    page.get_by_role("link", name="Periods").click()
    page.get_by_label("Name").fill("Oct–Nov 2026")
    page.locator("#start_date-day").fill("1")
    page.locator("#start_date-month").fill("10")
    page.locator("#start_date-year").fill("2026")
    page.locator("#end_date-day").fill("30")
    page.locator("#end_date-month").fill("11")
    page.locator("#end_date-year").fill("2026")
    page.get_by_role("button", name="Add period").click()
    expect(page.get_by_text("Added Oct–Nov 2026.", exact=False)).to_be_visible()
    page.get_by_role("button", name="Open Oct–Nov 2026").click()
    expect(page.get_by_text("Oct–Nov 2026 is open")).to_be_visible()
    sign_out(page)

    # The lead: account, then an update on one of their actions.
    set_up_account(page, "lead@riverside.gov.uk", lead_code)
    sign_in(page, "lead@riverside.gov.uk")
    expect(page.get_by_role("heading", name="Your actions")).to_be_visible()
    card = page.locator("li.app-action-card").filter(
        has=page.get_by_role("heading", name="Speed checks outside schools")
    )
    card.get_by_role("link", name=re.compile("^Add update")).click()
    card.get_by_role("radio", name=re.compile("^Green")).check()
    card.get_by_role("textbox", name="Progress").fill("Checks held at three schools this month.")
    card.get_by_role("button", name="Save update").click()
    expect(card.get_by_text("Update saved.")).to_be_visible()

    # The roll-up for the open period shows it.
    page.get_by_role("link", name="Roll-up", exact=True).click()
    expect(page.get_by_role("heading", name="Roll-up for Oct–Nov 2026")).to_be_visible()
    page.get_by_role("link", name="1 Green in Road Safety, show them").click()
    expect(page.get_by_text("Checks held at three schools this month.")).to_be_visible()
