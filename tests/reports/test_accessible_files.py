"""Accessible files (issue 16, point 5): the PDF is tagged PDF/UA with its title and
language, the Word file's table header rows are marked as headers, and the RAG summary is
also a chart, with a text alternative, in Word, the PDF and the print view."""

from __future__ import annotations

from io import BytesIO

from docx.oxml.ns import qn
from pypdf import PdfReader

from tests.reports.conftest import a_draft
from tests.reports.readers import docx_of, header_row_repeats
from tracker.reports.exports.chart import chart_alt_text
from tracker.reports.exports.pdf import render_pdf
from tracker.reports.exports.word import render_docx

PAPER = {
    "sections": [{"heading": "Progress", "body": "Text.\n\n- One point", "block": "rag_summary"}],
    "appendices": [{"title": "Action plan", "intro": "", "block": "action_plan"}],
}


def structure_of(reader: PdfReader) -> tuple[dict[str, int], list[str]]:
    """How many of each structure element the PDF's tag tree has, and every /Alt text."""
    kinds: dict[str, int] = {}
    alternatives: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if not hasattr(node, "keys"):
            return
        if "/S" in node:
            kinds[node["/S"]] = kinds.get(node["/S"], 0) + 1
        if "/Alt" in node:
            alternatives.append(str(node["/Alt"]))
        children = node.get("/K")
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, int):
                walk(child)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return kinds, alternatives


def test_the_pdf_is_tagged_pdf_ua_with_its_title_and_language(app, session, district):
    _report, document = a_draft(session, district, **PAPER)
    with app.test_request_context():
        reader = PdfReader(BytesIO(render_pdf(document)))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Working group update: Q2 2026/27"
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()

    kinds, alternatives = structure_of(reader)
    for kind in ("/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/L", "/LI", "/Figure"):
        assert kinds.get(kind), f"no {kind} in the tag tree"
    assert alternatives == [chart_alt_text(document["content"])]
    assert alternatives[0] == (
        "Bar chart of the actions under each priority by status in Q2 2026/27. Town centre "
        "safety: 0 red, 1 amber, 0 green, 0 no update, 0 completed; Tackling fraud: 0 red, "
        "0 amber, 1 green, 0 no update, 0 completed."
    )


def test_word_marks_header_rows_and_gives_the_chart_its_text_alternative(session, district):
    _report, document = a_draft(session, district, **PAPER)
    word = docx_of(render_docx(document))
    with_headers = [t for t in word.tables[1:]]
    assert with_headers and all(header_row_repeats(table) for table in with_headers)
    pictures = word.inline_shapes
    assert len(pictures) == 1
    properties = pictures[0]._inline.docPr
    assert properties.get("descr") == chart_alt_text(document["content"])
    assert properties.get("title") == "RAG summary chart"
    # The chart sits right after the priorities' table.
    body = list(word.element.body.iterchildren())
    first_table = next(i for i, child in enumerate(body) if child.tag == qn("w:tbl"))
    summary_table = next(
        i for i, child in enumerate(body) if child.tag == qn("w:tbl") and i > first_table
    )
    picture_at = next(i for i, child in enumerate(body) if child.findall(".//" + qn("w:drawing")))
    assert summary_table < picture_at < summary_table + 4


def test_the_print_view_shows_the_chart_with_its_alternative(app, session, district):
    from tests.conftest import client_signed_in_as

    report, document = a_draft(session, district, **PAPER)
    client = client_signed_in_as(app, district[1].email)
    html = client.get(f"/reports/{report.id}/print").get_data(as_text=True)
    assert '<img src="data:image/png;base64,' in html
    assert f'alt="{chart_alt_text(document["content"])}"' in html
