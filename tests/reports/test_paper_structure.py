"""The paper in the council's own shape (issue 16, point 1): numbering 1.0 / 1.1, unnumbered
notes, sub-headings and real bullet lists; the generated blocks placed where the coordinator
puts them, as a section or a lettered appendix, or left out; the attachments list and the
contacts as blocks. Every format is read back. The plan is one the tests build, not the demo."""

from __future__ import annotations

from docx.oxml.ns import qn

from tests.conftest import client_signed_in_as, csrf_token_from, form_value
from tests.reports.conftest import a_draft
from tests.reports.readers import docx_headings, docx_of, pdf_text
from tests.support.pages import field_error
from tracker.reports.document import (
    PERFORMANCE_SUMMARY_TITLE,
    document_for_report,
    in_current_format,
    written_items,
)
from tracker.reports.exports.pdf import render_pdf
from tracker.reports.exports.word import BULLET, CONTACT, NUMBERED, UNNUMBERED, render_docx
from tracker.reports.services import start_draft

GRANT_TEXT = (
    "In 2026/27 the commissioner gave the partnership a grant for county-wide projects."
    "\n\n"
    "So far the working group has funded:\n"
    "- Theatre show on road risks for young drivers\n"
    "- Leaflets on doorstep scams, handed out\n"
    "  by taxi drivers and pharmacists"
    "\n\n"
    "> Figures are subject to the commissioner's audit."
    "\n\n"
    "## Second round\n"
    "Bids for the rest of the grant close at the end of October."
)


def test_typed_text_becomes_numbered_paragraphs_notes_sub_headings_and_bullets():
    assert written_items(GRANT_TEXT, "4") == [
        {
            "kind": "paragraph",
            "number": "4.1",
            "text": "In 2026/27 the commissioner gave the partnership a grant for "
            "county-wide projects.",
        },
        {"kind": "paragraph", "number": "4.2", "text": "So far the working group has funded:"},
        {
            "kind": "bullets",
            "points": [
                "Theatre show on road risks for young drivers",
                "Leaflets on doorstep scams, handed out\nby taxi drivers and pharmacists",
            ],
        },
        {
            "kind": "paragraph",
            "number": None,
            "text": "Figures are subject to the commissioner's audit.",
        },
        {"kind": "subheading", "text": "Second round"},
        {
            "kind": "paragraph",
            "number": "4.3",
            "text": "Bids for the rest of the grant close at the end of October.",
        },
    ]
    # In an appendix nothing is numbered.
    assert all(item.get("number") is None for item in written_items(GRANT_TEXT, None))


def test_a_paper_with_no_rag_content_at_all_numbers_straight_through(session, district):
    _report, document = a_draft(
        session,
        district,
        sections=[
            {"heading": "Background", "body": "Why we meet.\n\nWho comes.", "block": ""},
            {"heading": "Grant update", "body": GRANT_TEXT, "block": ""},
        ],
        appendices=[],
        recommendations="Note the update.",
    )
    word = docx_of(render_docx(document))
    headings = docx_headings(word)
    assert [text for style, text in headings if style == "Heading 1"] == [
        "1.0 Background",
        "2.0 Grant update",
        "3.0 Recommendations",
    ]
    assert ("Heading 2", "Second round") in headings
    assert [p.text for p in word.paragraphs if p.style.name == NUMBERED] == [
        "1.1\tWhy we meet.",
        "1.2\tWho comes.",
        "2.1\tIn 2026/27 the commissioner gave the partnership a grant for county-wide projects.",
        "2.2\tSo far the working group has funded:",
        "2.3\tBids for the rest of the grant close at the end of October.",
        "3.1\tNote the update.",
    ]
    assert [p.text for p in word.paragraphs if p.style.name == UNNUMBERED] == [
        "Figures are subject to the commissioner's audit."
    ]
    # Only the header block: no summary, indicator or action tables.
    assert len(word.tables) == 1
    text = pdf_text(render_pdf(document))
    for generated in ("Priorities: actions by status", "Town centre safety", "What moved"):
        assert generated not in text
    assert "3.0 Recommendations 3.1 Note the update." in text


def test_bullets_are_a_real_word_list_with_a_hanging_indent(session, district):
    _report, document = a_draft(
        session,
        district,
        sections=[{"heading": "Grant update", "body": GRANT_TEXT, "block": ""}],
        appendices=[],
    )
    word = docx_of(render_docx(document))
    bullets = [p for p in word.paragraphs if p.style.name == BULLET]
    assert [p.text for p in bullets] == [
        "Theatre show on road risks for young drivers",
        "Leaflets on doorstep scams, handed out\nby taxi drivers and pharmacists",
    ]
    assert not any(p.text.startswith(("•", "-")) for p in bullets), "no typed bullet marks"
    # The style points at a numbering definition whose level draws a bullet, hung.
    num_id = word.styles[BULLET].element.pPr.numPr.numId.val
    numbering = word.part.numbering_part.element
    num = next(n for n in numbering.num_lst if n.numId == num_id)
    abstract = next(
        a
        for a in numbering.findall(qn("w:abstractNum"))
        if a.get(qn("w:abstractNumId")) == str(num.abstractNumId.val)
    )
    level = abstract.find(qn("w:lvl"))
    assert level.find(qn("w:numFmt")).get(qn("w:val")) == "bullet"
    indent = level.find(qn("w:pPr")).find(qn("w:ind"))
    assert int(indent.get(qn("w:hanging"))) > 0 and int(indent.get(qn("w:left"))) > 0
    # The PDF draws them as a list too: a bullet for each point.
    text = pdf_text(render_pdf(document))
    assert "Theatre show on road risks for young drivers" in text
    assert text.count("•") == 2


def test_blocks_go_where_placed_and_appendices_are_lettered_with_their_introductions(
    session, district
):
    _report, document = a_draft(
        session,
        district,
        sections=[
            {"heading": "Introduction", "body": "An update from the group.", "block": ""},
            {"heading": "How the plan is going", "body": "", "block": "what_moved"},
        ],
        appendices=[
            {"title": "Terms of reference", "intro": "Agreed in June.", "block": ""},
            {
                "title": "Progress by priority",
                "intro": "Counts of actions by status.",
                "block": "rag_summary",
            },
            {
                "title": "Action plan",
                "intro": "Notes:\n- Blank means no update.",
                "block": "action_plan",
            },
        ],
        attachments="Community Safety Agreement 2026/27",
        recommendations="Note the update.",
    )
    assert document["attachments"] == [
        "Appendix A: Terms of reference",
        "Appendix B: Progress by priority",
        "Appendix C: Action plan",
        "Community Safety Agreement 2026/27",
    ]
    word = docx_of(render_docx(document))
    level_one = [text for style, text in docx_headings(word) if style == "Heading 1"]
    assert level_one == [
        "1.0 Introduction",
        "2.0 How the plan is going",
        "3.0 Recommendations",
        "Attachments",
        "Appendix A: Terms of reference",
        "Appendix B: Progress by priority",
        "Appendix C: Action plan",
    ]
    paragraphs = [p for p in word.paragraphs]
    appendix_starts = [
        p for p in paragraphs if p.text.startswith("Appendix ") and p.style.name == "Heading 1"
    ]
    assert all(p.paragraph_format.page_break_before for p in appendix_starts)
    # The summary tables sit in Appendix B, after its introduction; the action tables in C.
    body = word.element.body
    order = [
        child.xpath("string(.)")[:40]
        for child in body.iterchildren()
        if child.tag in (qn("w:p"), qn("w:tbl"))
    ]
    # The last mention of each: the attachments list names the appendices first.
    b = len(order) - 1 - order[::-1].index("Appendix B: Progress by priority")
    c = len(order) - 1 - order[::-1].index("Appendix C: Action plan")
    assert order[b + 1] == "Counts of actions by status."
    assert any(text.startswith("Priority") for text in order[b:c]), "summary table in B"
    assert "Blank means no update." in order[c:]
    assert any(text.startswith("ActionOwnerStatus") for text in order[c:]), "actions in C"
    assert not any(text.startswith("Priority") for text in order[:b])

    text = pdf_text(render_pdf(document))
    attachments = text.index("Attachments Appendix A: Terms of reference")
    assert text.index("3.0 Recommendations") < attachments
    assert attachments < text.index("Appendix A: Terms of reference Agreed in June.")
    assert text.index("Appendix B: Progress by priority Counts of actions by status.") < text.index(
        "Priorities: actions by status"
    )


def test_contacts_are_one_block_per_person_after_the_attachments(session, district):
    people = [
        {
            "name": "Alex Morgan",
            "role": "Community Safety Manager",
            "organisation": "Riverside District Council",
            "email": "alex.morgan@example.org",
            "telephone": "01234 567890",
        },
        {"name": "Robin Shaw", "role": "", "organisation": "Police", "email": "", "telephone": ""},
    ]
    _report, document = a_draft(
        session,
        district,
        sections=[{"heading": "Background", "body": "Text.", "block": ""}],
        appendices=[],
        contact_people=people,
    )
    word = docx_of(render_docx(document))
    blocks = [p.text for p in word.paragraphs if p.style.name == CONTACT]
    assert blocks == [
        "Alex Morgan\nCommunity Safety Manager\nRiverside District Council\n"
        "alex.morgan@example.org\nTelephone: 01234 567890",
        "Robin Shaw\nPolice",
    ]
    assert word.styles[CONTACT].paragraph_format.keep_together
    text = pdf_text(render_pdf(document))
    assert (
        "For further information Alex Morgan Community Safety Manager Riverside District "
        "Council alex.morgan@example.org Telephone: 01234 567890 Robin Shaw Police"
    ) in text


def test_a_block_with_nothing_to_show_leaves_no_empty_section(session, district):
    # No refresh made this version, so there are no changes to the agreement.
    _report, document = a_draft(
        session,
        district,
        sections=[
            {"heading": "Changes to the agreement", "body": "", "block": "agreement_changes"},
            {"heading": "Progress", "body": "", "block": "rag_summary"},
        ],
        appendices=[],
    )
    assert [section["heading"] for section in document["sections"]] == [
        "1.0 Progress",
        "2.0 Recommendations",
    ]


def test_a_paper_published_in_the_first_format_reads_as_it_was_sent(session, district):
    period, _coordinator = district
    first_format = {
        "format": 1,
        "header": {
            "authors": [{"name": "Alex Morgan", "role": ""}],
            "meeting": "Board",
            "meeting_date": None,
            "meeting_date_text": "",
            "classification": "For Information",
            "subject": "Old paper",
            "summary": ["Summary."],
        },
        "sections": [
            {
                "number": "1",
                "heading": "Background",
                "paragraphs": [{"number": "1.1", "text": "Old text."}],
            }
        ],
        "progress_number": "2",
        "recommendations": {"number": "3", "paragraphs": [{"number": "3.1", "text": "Note."}]},
        "contacts": ["Alex Morgan, alex@example.org"],
        "content": document_for_report(
            session, start_draft(session, period=period, subject="x", author=_coordinator)
        )["content"],
        "status": {"key": "published", "label": "Published", "note": ""},
    }
    word = docx_of(render_docx(in_current_format(first_format)))
    assert [text for style, text in docx_headings(word) if style == "Heading 1"] == [
        "1. Background",
        "2. Action plan progress",
        "3. Recommendations",
        "For further information",
        f"Appendix A: {PERFORMANCE_SUMMARY_TITLE}",
    ]
    assert "1.1\tOld text." in [p.text for p in word.paragraphs]
    assert not word.inline_shapes, "no chart added to a paper sent without one"
    assert "Alex Morgan, alex@example.org" in [p.text for p in word.paragraphs]


# The composer


def composer_post(client, report, **changes):
    page = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "version": form_value(page, "version"),
        "period": str(report.period_id),
        "authors-0-name": "Alex Morgan",
        "classification": "For Information",
        "subject": "Working group update",
        "sections-0-heading": "Progress",
        "sections-0-block": "rag_summary",
        "save": "Save draft",
    }
    data.update(changes)
    return client.post(f"/reports/{report.id}/edit", data=data)


def test_the_composer_places_blocks_once_and_checks_titles_and_contacts(app, session, district):
    period, coordinator = district
    report = start_draft(session, period=period, subject="Working group update", author=coordinator)
    session.commit()
    client = client_signed_in_as(app, coordinator.email)

    response = composer_post(
        client,
        report,
        **{
            "appendices-0-title": "",
            "appendices-0-intro": "Some words.",
            "appendices-0-block": "rag_summary",
            "contacts-0-name": "",
            "contacts-0-email": "not an address",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "appendices-0-block") == (
        "RAG summary is already in section 1: choose one place for it"
    )
    assert field_error(html, "appendices-0-title") == "Enter a title for this appendix"
    assert field_error(html, "contacts-0-name") == "Enter the name of this contact"
    assert field_error(html, "contacts-0-email") == (
        "Enter an email address in the correct format, like name@example.org"
    )
    assert 'href="#appendices-0-block"' in html, "the error summary links to the field"
    session.expire_all()
    assert report.appendices[0]["block"] == "action_plan", "nothing saved"

    response = composer_post(
        client,
        report,
        **{
            "appendices-0-title": "Action plan",
            "appendices-0-block": "action_plan",
            "attachments": "Terms of reference",
            "contacts-0-name": "Alex Morgan",
            "contacts-0-telephone": "01234 567890",
        },
    )
    assert response.status_code == 303
    session.expire_all()
    assert report.sections == [{"heading": "Progress", "body": "", "block": "rag_summary"}]
    assert report.appendices == [{"title": "Action plan", "intro": "", "block": "action_plan"}]
    assert report.attachments == "Terms of reference"
    assert report.contact_people[0]["telephone"] == "01234 567890"
    page = client.get(f"/reports/{report.id}/print").get_data(as_text=True)
    assert "1.0 Progress" in page and "Appendix A: Action plan" in page


def test_a_template_saved_without_any_list_still_gets_real_bullets(session, district):
    """Word leaves numbering.xml out of a document that never had a list."""
    from io import BytesIO

    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE

    from tracker.reports.exports.word import check_word_template

    template = Document()
    numbering = next(
        key for key, rel in template.part.rels.items() if rel.reltype == RELATIONSHIP_TYPE.NUMBERING
    )
    template.part.rels.pop(numbering)
    saved = BytesIO()
    template.save(saved)
    assert "word/numbering.xml" not in __import__("zipfile").ZipFile(saved).namelist()
    assert check_word_template(saved.getvalue()) == []
    _report, document = a_draft(
        session,
        district,
        sections=[{"heading": "Grant update", "body": GRANT_TEXT, "block": ""}],
        appendices=[],
    )
    word = docx_of(render_docx(document, saved.getvalue()))
    bullets = [p for p in word.paragraphs if p.style.name == BULLET]
    assert len(bullets) == 2
    assert word.styles[BULLET].element.pPr.numPr.numId.val in [
        n.numId for n in word.part.numbering_part.element.num_lst
    ]
