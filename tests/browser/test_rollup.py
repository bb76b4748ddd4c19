"""The working group's roll-up in the browser: counts drill down in place; axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in


def test_count_drills_down_in_place_and_filters_combine(page: Page, demo_plan):
    sign_in(page, "viewer@example.org")
    page.get_by_role("link", name="Roll-up", exact=True).click()
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

    drill.get_by_label("Theme").select_option(label="Reduce re-offending and support victims")
    expect(page).to_have_url(re.compile(r"theme=\d+"))
    expect(
        drill.get_by_role("heading", name=re.compile(r"^\d+ actions? with status Red"))
    ).to_be_visible()
    assert_accessible(page)

    page.reload()  # the drill-down address works as a page of its own
    expect(page.get_by_role("heading", name="Actions in the roll-up")).to_be_visible()
    expect(page.get_by_label("Theme")).to_have_value(re.compile(r"\d+"))
    assert_accessible(page)

    page.get_by_role("link", name="Back to the roll-up for Oct–Nov 2026").click()
    page.get_by_role("link", name="See the trend across all reporting periods").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trend across reporting periods")
    chart = page.get_by_role("img", name=re.compile("^All priorities: actions by status"))
    expect(chart).to_be_visible()
    expect(page.locator("#trend-overall table tbody tr")).to_have_count(4)  # one per period
    assert_accessible(page)


@pytest.mark.parametrize(
    "path", ["/rollup", "/rollup/trend", "priority", "/reports/performance-summary"]
)
def test_working_group_pages_reflow_at_320_pixels(page: Page, demo_plan, path):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, "viewer@example.org")
    if path == "priority":
        page.get_by_role("link", name="Context, indicators and trend for Road Safety").click()
        expect(page).to_have_url(re.compile(r"/priorities/\d+$"))
    else:
        page.goto(path)
    page.wait_for_load_state("load")  # widths are measured with the stylesheet applied
    # Nothing scrolls sideways (WCAG 1.4.10): tables reflow to a block per row.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    first_count = page.locator(
        "table a, [data-priority-counts] a, figure table, .app-report-table"
    ).first
    expect(first_count).to_be_visible()
    box = first_count.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert_accessible(page)


def test_roll_up_and_trend_print_without_navigation_or_controls(page: Page, demo_plan):
    sign_in(page, "viewer@example.org")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less margins, in CSS pixels
    page.emulate_media(media="print")
    for path in ("/rollup", "/rollup/trend", "/reports/performance-summary"):
        page.goto(path)
        expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
        expect(page.locator("form.app-filters")).to_be_hidden()
        expect(page.locator("table").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 718
        smallest_cell_text = page.evaluate(
            """Math.min(...[...document.querySelectorAll('td, th')]
                .map(cell => parseFloat(getComputedStyle(cell).fontSize)))"""
        )
        assert smallest_cell_text >= 12, "table text stays legible on paper (9pt and up)"
    # The chart keeps its colours on paper, beside the same numbers in the table.
    page.goto("/rollup/trend")
    segment = page.locator(".app-trend__segment--red").first
    assert segment.evaluate("s => getComputedStyle(s).fill") == "rgb(177, 14, 30)"
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_a_lead_records_an_indicator_value_and_writes_the_context(page: Page, demo_plan):
    sign_in(page, "lead.police@example.org")  # leads Anti-Social Behaviour
    page.get_by_role("link", name="Plan", exact=True).click()
    page.get_by_role("link", name="Context, indicators and trend for Anti-Social Behaviour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anti-Social Behaviour")
    assert_accessible(page)

    page.get_by_role("link", name="Change the context for Oct–Nov 2026").click()
    page.get_by_label("Context", exact=True).fill(
        "Incidents fell in most districts [1].\n\nPatrols continue at hotspots [2]."
    )
    page.get_by_label("Source notes (optional)").fill("Police incident data")
    page.get_by_role("button", name="Save context").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#body-error")).to_contain_text("The context cites [2]")
    assert_accessible(page)
    page.get_by_label("Source notes (optional)").fill("Police incident data\nPatrol logs")
    page.get_by_role("button", name="Save context").click()
    expect(page.get_by_text("Context for Oct–Nov 2026 saved.")).to_be_visible()
    expect(page.locator("#context-note-2")).to_have_text("Patrol logs")

    indicator = page.locator(".app-indicator").first
    indicator.locator("summary").click()  # "All values"
    indicator.get_by_role("link", name="Change the value for Oct–Nov 2026").click()
    page.get_by_label("Value", exact=True).fill("a lot")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#value-error")).to_contain_text("The value must be a number")
    assert_accessible(page)
    page.get_by_label("Value", exact=True).fill("1,234")
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_text("value for Oct–Nov 2026 saved.")).to_be_visible()
    latest = page.locator(".app-indicator").first.locator("[data-latest-value]")
    expect(latest).to_have_text(re.compile(r"^1,234"))
    expect(page.locator(".app-indicator").first.locator("[data-direction]")).to_have_text(
        re.compile(r"(Up|Down) \d+(\.\d)?% — (better|worse)")
    )
