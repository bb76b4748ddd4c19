"""A coordinator records a grant-funded project, then composes a working-group update that
leads with the grant update and has no RAG content at all, publishes it and downloads the
Word file and the PDF (issue 16, point 6)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_reports import download
from tests.browser.test_sign_in_and_plan import sign_in
from tests.reports.readers import docx_headings, docx_of, docx_table_rows, pdf_text


def test_a_working_group_update_with_a_grant_update_and_no_rag_section(page: Page, demo_plan):
    sign_in(page, "coordinator@example.org")
    page.get_by_role("link", name="Grants", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grants")
    assert_accessible(page)

    page.get_by_role("link", name="Change the grant from Police and Crime Commissioner").click()
    expect(page.get_by_label("Amount")).to_have_value("39,661")
    page.get_by_label("Amount").fill("39,661.005")
    page.get_by_role("button", name="Save grant").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the amount in pounds")
    assert_accessible(page)
    page.get_by_role("link", name="Back to grants").click()

    # The demo grant has £19,000 allocated of £39,661: £25,000 more goes over, so a reason.
    page.get_by_role("link", name="Add a project to the 2026/27 grant").click()
    assert_accessible(page)
    page.get_by_label("Project name").fill("Community safety roadshow")
    page.get_by_label("Amount awarded").fill("25,000")
    page.get_by_label("Approved").check()
    page.get_by_label("Anti-Social Behaviour").check()
    page.get_by_role("button", name="Save project").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("This allocates £4,339 more than the £39,661 grant")
    assert_accessible(page)
    page.get_by_label("Why allocate more than the grant?").fill(
        "The working group agreed to meet the shortfall from the second bidding round."
    )
    page.get_by_role("button", name="Save project").click()
    expect(page.get_by_text("Project Community safety roadshow saved.")).to_be_visible()
    expect(page.get_by_text("by £4,339")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Start a new report").click()
    page.get_by_label("Subject").fill("Working group update")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compose the report")

    page.get_by_label("Role of person 1").fill("Chair of the Working Group")
    page.get_by_label("Meeting", exact=True).fill("County Community Safety Partnership")
    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Summary").fill("What the working group has done since July.")
    page.get_by_label("Heading of section 1").fill("Grant update")
    page.get_by_label("Text of section 1").fill(
        "The commissioner's grant pays for county-wide projects.\n\n"
        "Projects funded so far:\n- Theatre show\n- Scam leaflets\n\n"
        "> Amounts are subject to audit."
    )
    page.get_by_label("Generated content in section 1").select_option("grant_update")
    # No RAG content at all: the other generated sections (the grant update among them, now
    # in section 1) and the appendix are emptied.
    for number in (2, 3, 4, 5):
        page.get_by_label(f"Heading of section {number}").fill("")
        page.get_by_label(f"Generated content in section {number}").select_option("")
    page.get_by_label("Title of appendix 1").fill("")
    page.get_by_label("Generated content in appendix 1").select_option("")
    page.get_by_label("Recommendations").fill("Note the grant update.")
    page.get_by_label("Attachments").fill("Grant criteria 2026/27")
    page.get_by_label("Name of contact 1").fill("Sam Patel")
    page.get_by_label("Email address of contact 1").fill("sam.patel@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    page.get_by_role("button", name="Publish").click()
    # With no RAG or action plan content in it, the paper has nothing missing to list.
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the report?")
    expect(page.get_by_text("Nothing is missing")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the report").click()
    expect(page.get_by_text("Report published. This copy will not change.")).to_be_visible()
    assert_accessible(page)

    word = docx_of(download(page, "Download: Word document"))
    level_one = [text for style, text in docx_headings(word) if style == "Heading 1"]
    assert level_one == [
        "1.0 Grant update",
        "2.0 Recommendations",
        "Attachments",
        "For further information",
    ]
    project_table = next(t for t in word.tables if t.rows[0].cells[0].text == "Project")
    rows = docx_table_rows(project_table)
    assert any(row[0].startswith("Community safety roadshow") for row in rows)
    assert rows[-1] == ["Remaining of the £39,661 grant"] * 3 + ["-£4,339"]
    assert not any(t.rows[0].cells[0].text in ("Priority", "Action") for t in word.tables)

    text = pdf_text(download(page, "Download: PDF"))
    assert "1.0 Grant update 1.1 The commissioner's grant pays for county-wide projects." in text
    assert "that is £4,339 more than the grant." in text
    assert "Attachments Grant criteria 2026/27" in text
    for rag_content in ("Priorities: actions by status", "Status changed (worst first)"):
        assert rag_content not in text
