"""Defects found when today's files were read back as a council officer would (issue 16): the
line breaks of browser-typed text, the files' language, the Excel About sheet's meeting line,
and download names cut through a word. Each test fails on the code before its fix."""

from __future__ import annotations

import math
import re
from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from fontTools.ttLib import TTFont
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import run_cli
from tests.reports.conftest import a_draft, period_named
from tests.reports.readers import docx_headings, docx_of, pdf_text
from tests.support.factories import make_action, make_priority, make_update
from tracker.models import Action, Priority, PriorityNarrative, User
from tracker.reports.document import draft_document, export_filename
from tracker.reports.exports.pdf import laid_out, render_pdf
from tracker.reports.exports.spreadsheets import render_xlsx
from tracker.reports.exports.word import check_word_template, render_docx

# About how the file is laid out; the data it is made from is read on both databases by the
# other report tests.
pytestmark = pytest.mark.one_database


def paper(demo, draft):
    document = draft_document(demo, draft)
    document["status"] = {"key": "draft", "label": "Draft", "note": "Not yet published."}
    return document


def test_text_typed_in_the_browser_keeps_single_line_breaks_in_word(demo, draft):
    # A browser posts a textarea's line ends as CR LF; the update keeps them as typed.
    action = demo.scalar(select(Action).where(Action.state == "active").order_by(Action.id))
    lead = demo.scalar(select(User).where(User.email == "lead.police@example.org"))
    make_update(
        demo,
        action=action,
        author=lead,
        period=period_named(demo),
        rag="green",
        progress_text="Venues visited in May.\r\nTraining booked for June.",
    )
    demo.commit()
    word = docx_of(render_docx(paper(demo, draft)))
    cell = next(
        cell
        for table in word.tables
        for row in table.rows
        for cell in row.cells
        if "Venues visited in May." in cell.text
    )
    paragraph = next(p for p in cell.paragraphs if "Venues visited" in p.text)
    assert paragraph.text == "Venues visited in May.\nTraining booked for June."
    assert len(paragraph._p.findall(".//" + qn("w:br"))) == 1


def test_word_and_pdf_say_they_are_british_english(demo, draft):
    document = paper(demo, draft)
    word = docx_of(render_docx(document))
    assert word.core_properties.language == "en-GB"
    defaults = word.styles.element.find(qn("w:docDefaults"))
    languages = {lang.get(qn("w:val")) for lang in word.styles.element.iter(qn("w:lang"))}
    assert defaults is not None and languages == {"en-GB"}
    assert PdfReader(BytesIO(render_pdf(document))).trailer["/Root"]["/Lang"] == "en-GB"


def test_the_excel_about_sheet_separates_the_meeting_from_its_date(demo, draft):
    workbook = load_workbook(BytesIO(render_xlsx(paper(demo, draft))))
    facts = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert facts["Meeting"] == "County Community Safety Partnership, 10 December 2026"


def test_download_names_are_never_cut_through_a_word():
    document = {
        "header": {
            "subject": "Quarterly update on the community safety agreement for the partnership "
            "boards, working groups and members"
        },
        "content": {"period": {"name": "October to November 2026"}},
    }
    name = export_filename(document, "docx")
    stem = name.removesuffix(".docx")
    assert len(stem) <= 80
    assert stem == "quarterly-update-on-the-community-safety-agreement-for-the-partnership-boards"
    short = export_filename(
        {"header": {"subject": "Update"}, "content": {"period": {"name": "Q3"}}}, "pdf"
    )
    assert short == "update-q3.pdf"


def test_captions_meant_for_screen_readers_stay_out_of_the_pdf_text(demo, draft):
    text = pdf_text(render_pdf(paper(demo, draft)))
    assert "Actions under" not in text and "Indicators for" not in text
    assert "Road Safety" in text  # the tables themselves are there


# Layout defects, on a plan the tests build (the `district` fixture in conftest.py)

LIBERATION_SANS_BOLD = "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"
WORD_CELL_MARGINS = Cm(0.19) * 2  # Word's default left and right cell margins
CELL_POINTS = 9.5


def text_width(text: str, points: float = CELL_POINTS) -> int:
    """How wide the text sets in bold Arial (Liberation Sans has the same metrics), in EMU."""
    with TTFont(LIBERATION_SANS_BOLD) as font:
        widths, cmap = font["hmtx"].metrics, font.getBestCmap()
        units = sum(widths[cmap[ord(character)]][0] for character in text)
        return int(units / font["head"].unitsPerEm * Pt(points))


def column_widths(table) -> list[int]:
    return [int(column.width) for column in table.columns]


def sized_template(left_and_right: Cm) -> bytes:
    template = Document()
    section = template.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = left_and_right
    output = BytesIO()
    template.save(output)
    return output.getvalue()


@pytest.mark.parametrize("margins", [None, Cm(3.17)])
def test_word_columns_are_sized_from_their_content(session, district, margins):
    period, _coordinator = district
    long_name = "Serious violence, organised crime and exploitation"
    priority = make_priority(session, plan_version=period.plan_version, name=long_name)
    action = make_action(
        session, priority=priority, title="Close the county lines referral gap", state="completed"
    )
    make_update(session, action=action, period=period, rag="green", completes_action=True)
    session.commit()
    _report, document = a_draft(
        session,
        district,
        sections=[{"heading": "Progress", "body": "", "block": "rag_summary"}],
        appendices=[{"title": "Action plan", "intro": "", "block": "action_plan"}],
    )
    template = sized_template(margins) if margins else None
    if template:
        assert check_word_template(template) == [], "an A4 template with 3.17 cm margins is fine"
    word = docx_of(render_docx(document, template))
    page = word.sections[0]
    text_area = page.page_width - page.left_margin - page.right_margin
    for table in word.tables:
        widths = column_widths(table)
        # Word keeps widths in twentieths of a point: allow a twip of rounding per column.
        assert all(width > 0 for width in widths)
        assert sum(widths) <= text_area + len(widths) * 635

    actions = next(
        t for t in word.tables if "Close the county lines referral gap" in t.rows[-1].cells[0].text
    )
    status_column = column_widths(actions)[2]
    assert "Completed" in [row.cells[2].text for row in actions.rows]
    assert status_column - WORD_CELL_MARGINS >= text_width("Completed"), "never breaks mid-word"

    summary = word.tables[1]
    name_column = column_widths(summary)[0] - WORD_CELL_MARGINS
    assert long_name in [row.cells[0].text for row in summary.rows]
    size = summary.rows[1].cells[0].paragraphs[0].style.font.size.pt
    lines = math.ceil(text_width(long_name, size) / name_column)
    # Two lines on the default page; three on a page 3 cm narrower, with a column per status.
    assert lines <= (3 if margins else 2), f"the name takes {lines} lines"
    for column, width in zip(summary.columns, column_widths(summary), strict=True):
        longest_word = max(
            (word for cell in column.cells for word in cell.text.split()),
            key=lambda word: text_width(word, size),
        )
        assert width - WORD_CELL_MARGINS >= text_width(longest_word, size), longest_word


def test_a_letterhead_keeps_its_own_text_and_gains_the_classification_and_page_numbers(
    session, district
):
    template = Document()
    template.sections[0].header.is_linked_to_previous = False
    template.sections[0].header.paragraphs[0].text = "Riverside District Council"
    template.sections[0].footer.is_linked_to_previous = False
    template.sections[0].footer.paragraphs[0].text = "Town Hall, Riverside"
    output = BytesIO()
    template.save(output)
    _report, document = a_draft(
        session,
        district,
        sections=[{"heading": "Background", "body": "Text.", "block": ""}],
        appendices=[],
        classification="For Decision",
    )
    word = docx_of(render_docx(document, output.getvalue()))
    header = [p.text for p in word.sections[0].header.paragraphs]
    footer_xml = word.sections[0].footer._element.xml
    assert header == ["Riverside District Council", "For Decision · Draft"]
    assert "Town Hall, Riverside" in footer_xml
    assert 'w:instr="PAGE"' in footer_xml and 'w:instr="NUMPAGES"' in footer_xml


def test_a_citation_never_wraps_onto_a_line_of_its_own_in_the_pdf(app, session, district):
    period, coordinator = district
    priority = session.scalar(select(Priority).where(Priority.name == "Town centre safety"))
    # Paragraphs of every length, so some citation falls at a line's end whatever the font.
    body = "\n\n".join(
        "Incidents are down " + "on last year " * count + "in eleven of the twelve towns [1]."
        for count in range(4, 34)
    )
    session.add(
        PriorityNarrative(
            priority=priority, period=period, body=body, sources="Police data", author=coordinator
        )
    )
    session.commit()
    _report, document = a_draft(
        session,
        district,
        sections=[],
        appendices=[{"title": "Action plan", "intro": "", "block": "action_plan"}],
    )
    with app.test_request_context():
        pages = PdfReader(BytesIO(render_pdf(document))).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert text.count("[1]") == 30
    assert not re.search(r"\n\s*\[1\]", text), "a citation stays with the words before it"


def test_priorities_follow_on_instead_of_each_starting_a_nearly_empty_page(app, session, district):
    period, _coordinator = district
    for number in range(1, 7):
        priority = make_priority(
            session, plan_version=period.plan_version, name=f"Local priority {number}"
        )
        action = make_action(session, priority=priority, title=f"Local action {number}")
        make_update(session, action=action, period=period, rag="amber")
    session.commit()
    _report, document = a_draft(
        session,
        district,
        sections=[{"heading": "Action plan", "body": "", "block": "action_plan"}],
        appendices=[],
    )
    with app.test_request_context():
        pages = laid_out(document).pages
    # Eight short priorities after the paper's first page: a couple of pages, not one each.
    assert len(pages) <= 4


def test_export_period_writes_the_performance_summary_on_its_own(app, session, district, tmp_path):
    period, _coordinator = district
    for fmt in ("docx", "pdf"):
        output = tmp_path / f"summary.{fmt}"
        result = run_cli(
            app, ["export", "--period", str(period.id), "--format", fmt, "--output", str(output)]
        )
        assert result.exit_code == 0, result.output
        if fmt == "docx":
            word = docx_of(output.read_bytes())
            texts = [p.text for p in word.paragraphs]
            headings = docx_headings(word)
            assert headings[0] == (
                "Title",
                "Riverside Community Safety Plan: action plan and performance summary",
            )
            assert [text for style, text in headings if style == "Heading 1"] == [
                "Action plan progress",
                "What moved",
                "Priorities",
            ]
            assert not any(
                text.startswith(("By:", "Recommendations", "None yet")) for text in texts
            )
            assert word.tables[0].rows[0].cells[0].text == "Priority", "no By/To header block"
        else:
            text = pdf_text(output.read_bytes())
            for missing in ("By:", "Recommendations", "None yet", "Summary –"):
                assert missing not in text
            for present in (
                "Priorities: actions by status",
                "Town centre safety",
                "Tackling fraud",
            ):
                assert present in text


def header_rows_left_alone(pages) -> list[int]:
    """The pages on which a table's header row stands without any of the table's rows."""
    from weasyprint.formatting_structure import boxes

    alone = []
    for number, page in enumerate(pages, start=1):
        tables = [page._page_box]
        while tables:
            box = tables.pop()
            if isinstance(box, boxes.TableBox):
                groups = [g for g in box.children if isinstance(g, boxes.TableRowGroupBox)]
                rows = sum(len(g.children) for g in groups if not (g.is_header or g.is_footer))
                if any(g.is_header for g in groups) and rows == 0:
                    alone.append(number)
            tables.extend(getattr(box, "children", []))
    return alone


def test_no_table_header_row_is_left_alone_at_the_foot_of_a_page(app, session, district):
    # Tables starting at every height of a page, with rows of every length.
    period, _coordinator = district
    for number in range(14):
        priority = make_priority(
            session, plan_version=period.plan_version, name=f"Local priority {number}"
        )
        for second in (0, 1):
            action = make_action(session, priority=priority, title=f"Action {number}.{second}")
            words = "Progress made with partners. " * (20 + 9 * number + 5 * second)
            make_update(session, action=action, period=period, rag="amber", progress_text=words)
    session.commit()
    _report, document = a_draft(
        session,
        district,
        sections=[],
        appendices=[{"title": "Action plan", "intro": "Notes. " * 40, "block": "action_plan"}],
    )
    with app.test_request_context():
        pages = laid_out(document).pages
    assert len(pages) > 10
    assert header_rows_left_alone(pages) == []
