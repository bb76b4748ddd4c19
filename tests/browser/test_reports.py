"""A coordinator composes the board report, publishes it and downloads the Word file and PDF."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_sign_in_and_plan import sign_in
from tests.reports.readers import docx_headings, docx_of, docx_table_rows, pdf_pages


def download(page: Page, link_name: str) -> bytes:
    with page.expect_download() as started:
        page.get_by_role("link", name=link_name).click()
    path = started.value.path()
    assert path is not None
    with open(path, "rb") as file:
        return file.read()


def test_compose_publish_and_download_the_report(page: Page, demo_plan):
    sign_in(page, "coordinator@example.org")
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    assert_accessible(page)

    page.get_by_role("link", name="Start a new report").click()
    expect(page.get_by_label("Reporting period")).to_have_value(re.compile(r"\d+"))
    assert_accessible(page)
    page.get_by_label("Subject").fill("Working group update to the board")
    page.get_by_role("button", name="Start the draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Compose the report")
    assert_accessible(page)
    expect(page.get_by_label("Name of person 1")).to_have_value("Sam Patel")
    page.get_by_label("Role of person 1").fill("Head of Community Safety")
    page.get_by_label("Meeting", exact=True).fill("County Community Safety Partnership")
    page.get_by_label("For Decision").check()
    page.get_by_label("Summary").fill("Progress on the action plan since the last meeting.")
    page.get_by_label("Text of section 1").fill("The partnership agreed its priorities in March.")

    # Typing is saved without a click: reloading shows it.
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Draft saved at", timeout=10_000)
    page.reload()
    expect(page.get_by_label("Summary")).to_have_value(
        "Progress on the action plan since the last meeting."
    )
    expect(page.get_by_label("For Decision")).to_be_checked()

    # Publishing without a meeting date or recommendation is refused, with the reasons.
    page.get_by_role("button", name="Publish").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The report cannot be published yet")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter the date of the meeting")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Recommendations").fill("Note the progress made.")
    page.get_by_role("button", name="Publish").click()

    # Publishing asks first, listing what the paper would go without.
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the report?")
    expect(page.get_by_text("Actions without an update for Oct–Nov 2026")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Tick to publish with the gaps listed")
    assert_accessible(page)
    page.get_by_label("Publish it with the gaps listed").check()
    page.get_by_role("button", name="Publish the report").click()

    expect(page.get_by_text("Report published. This copy will not change.")).to_be_visible()
    expect(page.locator(".govuk-summary-list .govuk-tag")).to_have_text("Published")
    assert_accessible(page)

    word = docx_of(download(page, "Download: Word document"))
    assert docx_headings(word)[0] == ("Title", "Working group update to the board")
    header = {row[0]: row[1] for row in docx_table_rows(word.tables[0])}
    assert header["To:"] == "County Community Safety Partnership – 10 December 2026"
    assert header["Classification:"] == "For Decision"

    pages = pdf_pages(download(page, "Download: PDF"))
    assert "Working group update to the board" in pages[0]
    assert all("For Decision" in text for text in pages)
    assert "1.1 The partnership agreed its priorities in March." in " ".join(pages)

    page.get_by_role("link", name="Print view (the whole report on one page)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Working group update to the board")
    assert_accessible(page)
