"""An uploaded Word template cannot make board papers reach outside themselves."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from sqlalchemy import func, select

from tests.priorities.test_indicators import field_error
from tests.reports.readers import docx_of
from tests.reports.test_report_pages import admin, coordinator, upload  # noqa: F401 - fixtures
from tests.reports.test_word_export import draft_document
from tracker.models import WordTemplate
from tracker.reports.exports.word import render_docx

EVIL = "evil.example"
ATTACHED_TEMPLATE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
)


def _hyperlink(paragraph, part, url: str, text: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), part.relate_to(url, RT.HYPERLINK, is_external=True))
    run = OxmlElement("w:r")
    words = OxmlElement("w:t")
    words.text = text
    run.append(words)
    link.append(run)
    paragraph._p.append(link)


def template_reaching_out() -> bytes:
    """A letterhead whose settings attach a remote template and whose header and body link out,
    as a council's template saved from a network share might."""
    word = Document()
    header = word.sections[0].header
    header.paragraphs[0].text = "Borough Council · "
    _hyperlink(header.paragraphs[0], header.part, f"https://{EVIL}/council", "Our website")
    body = word.add_paragraph("Body text ")
    _hyperlink(body, word.part, f"https://{EVIL}/body", "a body link")
    settings_part = word.part._settings_part
    attached = OxmlElement("w:attachedTemplate")
    attached.set(
        qn("r:id"),
        settings_part.relate_to(f"http://{EVIL}/t.dotm", ATTACHED_TEMPLATE, is_external=True),
    )
    settings_part.element.append(attached)
    output = BytesIO()
    word.save(output)
    return output.getvalue()


def external_references(docx: bytes) -> list[str]:
    """Every part of the file that names something outside it."""
    found = []
    with zipfile.ZipFile(BytesIO(docx)) as archive:
        for name in archive.namelist():
            content = archive.read(name).decode("utf-8", "replace")
            if 'TargetMode="External"' in content or EVIL in content:
                found.append(name)
    return found


def test_the_sample_template_really_reaches_out():
    assert sorted(external_references(template_reaching_out())) == [
        "word/_rels/document.xml.rels",
        "word/_rels/header1.xml.rels",
        "word/_rels/settings.xml.rels",
    ]


def test_a_template_kept_before_cleaning_still_gives_papers_without_external_links(demo, draft):
    document = draft_document(demo, draft)
    document["status"] = {"key": "published", "label": "Published", "note": ""}
    paper = render_docx(document, template_reaching_out())
    assert external_references(paper) == []
    assert "Our website" in docx_of(paper).sections[0].header.paragraphs[0].text


def test_an_uploaded_template_is_kept_and_used_without_its_external_links(
    admin,  # noqa: F811
    coordinator,  # noqa: F811
    demo,
    draft,
):
    response = upload(admin, template_reaching_out())
    assert response.status_code == 303
    kept = demo.scalar(select(WordTemplate.content))
    assert external_references(kept) == [], "cleaned on upload"
    paper = coordinator.get(f"/reports/{draft.id}/download/docx").data
    assert external_references(paper) == []
    header = docx_of(paper).sections[0].header.paragraphs[0]
    assert header.text == "Borough Council · Our website", "the link's words stay"
    settings = zipfile.ZipFile(BytesIO(paper)).read("word/settings.xml").decode()
    assert "attachedTemplate" not in settings


def _with_member_replaced(docx: bytes, name: str, content: bytes) -> bytes:
    output = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(docx)) as source,
        zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            target.writestr(member, content if member.filename == name else source.read(member))
    return output.getvalue()


def _with_bad_checksum(docx: bytes) -> bytes:
    """The same file with the checksum recorded for word/styles.xml changed."""
    data = bytearray(docx)
    name = b"word/styles.xml"
    central_entry = next(
        position - 46
        for position in (match.start() for match in re.finditer(re.escape(name), docx))
        if docx[position - 46 : position - 42] == b"PK\x01\x02"
    )
    data[central_entry + 16] ^= 0xFF  # the first byte of its CRC-32
    return bytes(data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"""


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda plain: _with_bad_checksum(plain),
            "The Word template is damaged (word/styles.xml does not match its checksum)",
        ),
        (
            lambda plain: _with_member_replaced(plain, "word/document.xml", BILLION_LAUGHS),
            "The Word template contains a document type declaration in word/document.xml",
        ),
    ],
    ids=["bad-crc", "entity-expansion"],
)
def test_a_damaged_or_entity_laden_template_is_refused_next_to_the_field(
    admin,  # noqa: F811
    demo,
    make,
    message,
):
    plain = BytesIO()
    Document().save(plain)
    response = upload(admin, make(plain.getvalue()))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "template").startswith(message)
    assert demo.scalar(select(func.count()).select_from(WordTemplate)) == 0
