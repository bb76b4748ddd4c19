"""The Word export, opened with python-docx and checked against the database."""

from __future__ import annotations

import zipfile
from collections import Counter
from io import BytesIO

import pytest
from docx import Document
from sqlalchemy import select

from tests.reports.conftest import period_named
from tests.reports.readers import (
    cell_fill,
    docx_headings,
    docx_of,
    docx_table_rows,
    header_row_repeats,
)
from tests.support.factories import make_update
from tracker.dashboard.services import NO_UPDATE_TEXT, STATUS_LABELS, STATUSES, rollup
from tracker.models import Action, ActionState, Priority
from tracker.reports.document import PERFORMANCE_SUMMARY_TITLE, draft_document
from tracker.reports.exports import RAG_COLOURS
from tracker.reports.exports.word import NUMBERED, check_word_template, render_docx

# About how the file is laid out; the data it is made from is read on both databases by the
# other report tests.
pytestmark = pytest.mark.one_database

STATUS_OF_LABEL = {label: status for status, label in STATUS_LABELS.items()}


@pytest.fixture
def word_of_draft(demo, draft):
    document = draft_document(demo, draft)
    document["status"] = {"key": "draft", "label": "Draft", "note": "Not yet published."}
    return docx_of(render_docx(document)), document


def test_headings_use_words_heading_styles_in_the_papers_order(demo, word_of_draft):
    word, document = word_of_draft
    priorities = demo.scalars(select(Priority).order_by(Priority.position, Priority.id)).all()
    headings = docx_headings(word)
    moved = document["content"]["moved"]

    assert headings[0] == ("Title", "Action plan update")
    level_one = [text for style, text in headings if style == "Heading 1"]
    # The demo's version carries its own version-control notes, so the paper has the block.
    assert level_one == [
        "1.0 Background",
        "2.0 Annual conference",
        "3.0 Action plan progress",
        "4.0 What moved",
        "5.0 Changes to the agreement",
        "6.0 Recommendations",
        "Attachments",
        "For further information",
        f"Appendix A: {PERFORMANCE_SUMMARY_TITLE}",
    ]
    level_two = [text for style, text in headings if style == "Heading 2"]
    assert level_two == [
        f"Status changed (worst first) ({len(moved['changed'])})",
        f"Completed this period ({len(moved['completed'])})",
        f"Added this period ({len(moved['added'])})",
        f"Updated last period but not this one ({len(moved['gone_quiet'])})",
    ] + [priority.name for priority in priorities]
    assert Counter(text for style, text in headings if style == "Heading 3")["Context"] == len(
        priorities
    )


def test_the_header_block_and_numbered_paragraphs_say_what_was_written(word_of_draft):
    word, _document = word_of_draft
    header = {row[0]: row[1] for row in docx_table_rows(word.tables[0])}
    assert header == {
        "By:": "Sam Patel, Head of Community Safety\nJordan Reid, Chair of the Working Group",
        "To:": "County Community Safety Partnership – 10 December 2026",
        "Classification:": "For Decision",
        "Subject:": "Action plan update",
        "Summary:": "This paper updates the board on the action plan.\nIt asks for a decision.",
    }
    numbered = [p.text for p in word.paragraphs if p.style.name == NUMBERED]
    assert numbered == [
        "1.1\tThe partnership agreed its priorities in March.",
        "1.2\tLeads report every two months.",
        "2.1\tThe conference takes place in November.",
        "6.1\tNote the progress made.",
        "6.2\tAgree the revised road safety action.",
    ]
    numbered_style = word.styles[NUMBERED].paragraph_format
    assert numbered_style.first_line_indent < 0 < numbered_style.left_indent, "hanging indent"


def test_summary_tables_have_the_rollups_counts_and_shaded_overall_cells(demo, word_of_draft):
    word, _document = word_of_draft
    period = period_named(demo)
    summary = rollup(demo, period.plan_version, period)
    priority_table, theme_table = word.tables[1], word.tables[2]

    for table, rows, totals in [
        (priority_table, summary.priorities, summary.priority_totals),
        (theme_table, summary.themes, summary.theme_totals),
    ]:
        header, *body = docx_table_rows(table)
        assert header[1:] == ["Overall", "Updated", *(STATUS_LABELS[s] for s in STATUSES), "Total"]
        assert body == [
            [
                row.name,
                STATUS_LABELS[row.overall],
                f"{row.updated} of {row.expected}",
                *(f"{row.counts[s]} ({row.percentages[s]}%)" for s in STATUSES),
                str(row.total),
            ]
            for row in [*rows, totals]
        ]
        for word_row, row in zip(table.rows[1:], [*rows, totals], strict=True):
            assert cell_fill(word_row.cells[1]) == RAG_COLOURS[row.overall][0]


def test_every_action_is_in_its_prioritys_table_with_its_status_word_colour_and_progress(
    demo, word_of_draft
):
    word, document = word_of_draft
    action_tables = [t for t in word.tables if t.rows[0].cells[0].text == "Action"]
    priorities = document["content"]["priorities"]
    assert len(action_tables) == len(priorities) == 7

    counted = demo.scalars(select(Action).where(Action.state != ActionState.CLOSED)).all()
    seen = []
    for table, priority in zip(action_tables, priorities, strict=True):
        header, *rows = docx_table_rows(table)
        assert header == ["Action", "Owner", "Status", "Progress this period"]
        for row, cells, action in zip(rows, table.rows[1:], priority["actions"], strict=True):
            assert row == [
                action["title"],
                action["owner"] or "–",
                STATUS_LABELS[action["status"]],
                action["progress"],
            ]
            assert cell_fill(cells.cells[2]) == RAG_COLOURS[action["status"]][0]
            seen.append((priority["name"], action["title"]))
    assert Counter(seen) == Counter((a.priority.name, a.title) for a in counted)
    statuses = Counter(
        STATUS_OF_LABEL[row[2]] for t in action_tables for row in docx_table_rows(t)[1:]
    )
    period = period_named(demo)
    assert statuses == +Counter(rollup(demo, period.plan_version, period).priority_totals.counts)
    no_update = [
        row for t in action_tables for row in docx_table_rows(t)[1:] if row[3] == NO_UPDATE_TEXT
    ]
    assert len(no_update) == statuses["none"] + sum(
        1
        for p in priorities
        for a in p["actions"]
        if a["status"] == "completed" and not a["updated"]
    )


def test_every_table_with_a_header_row_repeats_it_on_each_page(word_of_draft):
    word, _document = word_of_draft
    header_block, *tables = word.tables
    assert not header_row_repeats(header_block), "the By/To block has no header row"
    assert len(tables) > 10 and all(header_row_repeats(table) for table in tables)


def test_the_default_layout_is_a4_with_classification_and_page_numbers(word_of_draft):
    word, _document = word_of_draft
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.header.paragraphs[0].text == "For Decision · Draft"
    footer_xml = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml and 'w:instr="NUMPAGES"' in footer_xml
    assert word.paragraphs[0].text == "Draft. Not yet published."
    assert word.core_properties.title == "Action plan update"


def test_pounds_accents_emoji_markup_and_very_long_text_come_out_as_typed(demo, draft):
    typed = "£4,500 for the café’s naïve 🚦 scheme <b>not bold</b> & =SUM(A1)\nsecond line"
    first, second = demo.scalars(select(Action).order_by(Action.id).limit(2)).all()
    make_update(demo, action=first, period=period_named(demo), progress_text=typed + "\x07")
    long_text = "Long update. " * 3_077  # 40,001 characters
    make_update(demo, action=second, period=period_named(demo), progress_text=long_text)
    draft.sections = [{"heading": "Über <i>costs</i>", "body": "Costs: £12 — “agreed”."}]
    demo.commit()
    document = draft_document(demo, draft)
    document["status"] = {"key": "published", "label": "Published", "note": ""}

    word = docx_of(render_docx(document))
    progress = [
        row[3]
        for table in word.tables
        if table.rows[0].cells[0].text == "Action"
        for row in docx_table_rows(table)
    ]
    assert typed in progress, "control characters dropped, everything else kept"
    assert long_text in progress, "Word has no cell limit: all of it"
    assert ("Heading 1", "1.0 Über <i>costs</i>") in docx_headings(word)
    assert "1.1\tCosts: £12 — “agreed”." in [p.text for p in word.paragraphs]


# An administrator's template


def letterhead_template(*, without_heading_styles: bool = False) -> bytes:
    """A .docx as a council might upload: letterhead in the header, its own font and text."""
    template = Document()
    template.sections[0].header.paragraphs[0].text = "Borough Council · Community Safety"
    template.styles["Normal"].font.name = "Georgia"
    template.add_paragraph("Template text that must not appear in reports.")
    if without_heading_styles:  # as Word saves a document that never used them
        styles = template.styles.element
        for style in list(styles):
            if style.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}styleId", ""
            ).startswith(("Heading", "Title", "TableGrid")):
                styles.remove(style)
        assert "Heading 1" not in template.styles
    output = BytesIO()
    template.save(output)
    return output.getvalue()


@pytest.mark.parametrize("without_heading_styles", [False, True])
def test_a_template_gives_its_letterhead_and_font_but_not_its_text(
    demo, draft, without_heading_styles
):
    template = letterhead_template(without_heading_styles=without_heading_styles)
    assert check_word_template(template) == []
    document = draft_document(demo, draft)
    document["status"] = {"key": "published", "label": "Published", "note": ""}

    word = docx_of(render_docx(document, template))
    assert word.sections[0].header.paragraphs[0].text == "Borough Council · Community Safety"
    assert word.styles["Normal"].font.name == "Georgia"
    texts = [paragraph.text for paragraph in word.paragraphs]
    assert "Template text that must not appear in reports." not in texts
    assert ("Heading 1", "1.0 Background") in docx_headings(word)
    assert docx_headings(word)[0] == ("Title", "Action plan update")
    assert all(header_row_repeats(table) for table in word.tables[1:])


def zip_with(name: str, data: bytes) -> bytes:
    output = BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return output.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"Just some text", "The file must be a Word document (.docx)"),
        (zip_with("notes.txt", b"not a document"), "The file must be a Word document (.docx)"),
        (b"x" * (5 * 1024 * 1024 + 1), "The Word template must be 5 MB or smaller"),
        (
            zip_with("word/document.xml", b"\0" * (51 * 1024 * 1024)),
            "The Word template unpacks to more than 50 MB",
        ),
    ],
    ids=["text", "other-zip", "too-big", "zip-bomb"],
)
def test_a_file_that_is_not_a_usable_word_document_is_refused_with_the_reason(upload, message):
    problems = check_word_template(upload)
    assert len(problems) == 1 and problems[0].startswith(message)
