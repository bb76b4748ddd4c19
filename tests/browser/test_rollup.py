"""The working group's roll-up in the browser: counts drill down in place; axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in
from tracker.plans.demo import load_demo_plan


@pytest.fixture
def demo_plan(session):
    load_demo_plan(session)


def test_count_drills_down_in_place_and_filters_combine(page: Page, demo_plan):
    sign_in(page, "viewer@example.org")
    page.get_by_role("link", name="Roll-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roll-up for Oct–Nov 2026")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Red in Road Safety, show them")).click()
    expect(page).to_have_url(re.compile(r"/rollup/actions\?.*status=red"))
    drill = page.locator("#rollup-drilldown")
    expect(
        drill.get_by_role("heading", name=re.compile("^1 action with status Red"))
    ).to_be_visible()
    expect(drill.get_by_text("Pilot average speed cameras on two rural routes")).to_be_visible()

    drill.get_by_label("Priority").select_option("")
    expect(page).to_have_url(re.compile(r"priority=&"))
    expect(
        drill.get_by_role("heading", name=re.compile(r"^\d+ actions with status Red"))
    ).to_be_visible()
    assert_accessible(page)

    page.reload()  # the drill-down address works as a page of its own
    expect(page.get_by_role("heading", name="Actions in the roll-up")).to_be_visible()
    assert_accessible(page)
