"""Defects found when today's files were read back as a council officer would (issue 16): the
line breaks of browser-typed text, the files' language, the Excel About sheet's meeting line,
and download names cut through a word. Each test fails on the code before its fix."""

from __future__ import annotations

from io import BytesIO

from docx.oxml.ns import qn
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.reports.conftest import period_named
from tests.reports.readers import docx_of, pdf_text
from tests.support.factories import make_update
from tracker.models import Action, User
from tracker.reports.document import draft_document, export_filename
from tracker.reports.exports.pdf import render_pdf
from tracker.reports.exports.spreadsheets import render_xlsx
from tracker.reports.exports.word import render_docx


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
