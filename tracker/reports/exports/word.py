"""The Word export: the board paper as a .docx in the shape the board expects.

Headings use Word's own Heading 1–3 styles, so the navigation pane and a table of contents
work; the paper's paragraph numbers (1.1, 1.2, …) are the ones the document was frozen with,
set with a hanging indent; every table's header row repeats on each page; status cells are
shaded and always carry their word.

An administrator's uploaded template supplies the page set-up, headers and footers (the
letterhead), fonts and styles; its own body text is left out. Styles the template lacks are
copied from python-docx's plain default, so any .docx works as a template.
"""

from __future__ import annotations

import copy
import functools
import zipfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, cast

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.numbering import NumberingPart
from docx.shared import Cm, Emu, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tracker.reports.content import RECOVERY_LABEL, updated_of
from tracker.reports.exports import xml_text
from tracker.reports.exports.chart import chart_alt_text, chart_png
from tracker.reports.exports.word_safety import remove_external_links, unsafe_package_reason
from tracker.statuses import RAG_COLOURS, STATUS_LABELS

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
# A .docx is a zip: refuse one that would unpack to far more than any letterhead needs.
MAX_TEMPLATE_UNPACKED_BYTES = 50 * 1024 * 1024

NUMBERED = "Report Numbered Paragraph"
BULLET = "Report Bullet"
UNNUMBERED = "Report Unnumbered Paragraph"
NOTE = "Report Note"
CONTACT = "Report Contact"
CELL_TEXT = "Report Table Text"
SUMMARY_TEXT = "Report Summary Table Text"
SUMMARY_POINTS = 8
STATUS_LINE = "Report Status Line"
# Styles the export uses from Word's built-in set; a template without them gets the default's.
BUILT_IN_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Table Grid")
HANGING_INDENT = Cm(1.25)
BULLET_INDENT = Cm(0.63)


def render_docx(document: dict[str, Any], template: bytes | None = None) -> bytes:
    """The board paper as a Word file, on the uploaded template if there is one."""
    word = _start_from(template)
    _add_report_styles(word)
    _write_in_british_english(word)
    _Paper(word).write(document)
    output = BytesIO()
    word.save(output)
    return output.getvalue()


LANGUAGE = "en-GB"


def _child(parent: Any, tag: str, *, first: bool = True) -> Any:
    """The parent's child element, added (first, or last) when it has none: Word reads its
    XML in schema order, so where it goes matters."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def _write_in_british_english(word: WordDocument) -> None:
    """The document's language is British English (spelling checks and screen readers use
    it): the default for every run, every style that names its own, and the properties."""
    styles = word.styles.element
    defaults = _child(_child(_child(styles, "w:docDefaults"), "w:rPrDefault"), "w:rPr")
    _child(defaults, "w:lang", first=False)  # lang comes late among run properties
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
    word.core_properties.language = LANGUAGE


def check_word_template(data: bytes) -> list[str]:
    """Why this upload cannot be used as the Word template; empty when it can."""
    if len(data) > MAX_TEMPLATE_BYTES:
        return ["The Word template must be 5 MB or smaller"]
    not_word = "The file must be a Word document (.docx), saved from Word as “Word Document”"
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        return [not_word]
    if unpacked > MAX_TEMPLATE_UNPACKED_BYTES:
        return ["The Word template unpacks to more than 50 MB: save it without embedded media"]
    unsafe = unsafe_package_reason(data)
    if unsafe:
        return [unsafe]
    try:
        Document(BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError):
        return [not_word]
    try:
        render_docx(_sample_paper(), data)
    except Exception:  # any failure here means exports would fail: refuse the upload instead
        return ["The Word template could not be used: open it in Word, save it again and retry"]
    return []


def cleaned_word_template(data: bytes) -> bytes:
    """The template as it is kept: links to anything outside the document removed (exports
    remove them again, for templates kept before this was done)."""
    word = Document(BytesIO(data))
    remove_external_links(word)
    output = BytesIO()
    word.save(output)
    return output.getvalue()


# Setting up the document


def _start_from(template: bytes | None) -> WordDocument:
    if template is None:
        word = Document()
        _default_page_set_up(word)
        return word
    word = Document(BytesIO(template))
    remove_external_links(word)
    body = word.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # keep the page set-up, headers and footers
            body.remove(child)
    _add_missing_styles(word)
    return word


def _default_page_set_up(word: WordDocument) -> None:
    """A4 portrait with even margins; the classification and page numbers on every page."""
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    normal = word.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)


def _add_missing_styles(word: WordDocument) -> None:
    """Copy into a template the built-in styles it lacks (Word leaves unused ones out)."""
    default = Document()
    for name in BUILT_IN_STYLES:
        if name not in word.styles:
            _copy_style(default.styles[name].element, word, default)


def _copy_style(style: Any, word: WordDocument, default: WordDocument) -> None:
    """A style element, with the styles it is based on or linked to, into the document."""
    styles = word.styles.element
    if styles.get_by_id(style.styleId) is not None:
        return
    styles.append(copy.deepcopy(style))
    for relation in ("w:basedOn", "w:link", "w:next"):
        reference = style.find(qn(relation))
        if reference is None:
            continue
        related = default.styles.element.get_by_id(reference.get(qn("w:val")))
        if related is not None:
            _copy_style(related, word, default)


def _add_report_styles(word: WordDocument) -> None:
    """The paper's own paragraph styles, based on Normal so a template's font carries over."""
    styles = word.styles
    if NUMBERED not in styles:
        numbered = styles.add_style(NUMBERED, WD_STYLE_TYPE.PARAGRAPH)
        numbered.base_style = styles["Normal"]
        numbered.paragraph_format.left_indent = HANGING_INDENT
        numbered.paragraph_format.first_line_indent = -HANGING_INDENT
        numbered.paragraph_format.tab_stops.add_tab_stop(HANGING_INDENT)
        numbered.paragraph_format.space_after = Pt(8)
    if UNNUMBERED not in styles:
        unnumbered = styles.add_style(UNNUMBERED, WD_STYLE_TYPE.PARAGRAPH)
        unnumbered.base_style = styles["Normal"]
        unnumbered.paragraph_format.left_indent = HANGING_INDENT
        unnumbered.paragraph_format.space_after = Pt(8)
    if BULLET not in styles:
        bullet = styles.add_style(BULLET, WD_STYLE_TYPE.PARAGRAPH)
        bullet.base_style = styles["Normal"]
        bullet.paragraph_format.left_indent = HANGING_INDENT + BULLET_INDENT
        bullet.paragraph_format.first_line_indent = -BULLET_INDENT
        bullet.paragraph_format.space_after = Pt(4)
        _make_bulleted(word, bullet.element)
    if NOTE not in styles:
        note = styles.add_style(NOTE, WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = styles["Normal"]
        note.paragraph_format.left_indent = Cm(0.75)
        note.paragraph_format.first_line_indent = -Cm(0.75)
        note.paragraph_format.tab_stops.add_tab_stop(Cm(0.75))
        note.paragraph_format.space_after = Pt(3)
    if CONTACT not in styles:
        contact = styles.add_style(CONTACT, WD_STYLE_TYPE.PARAGRAPH)
        contact.base_style = styles["Normal"]
        contact.paragraph_format.keep_together = True
        contact.paragraph_format.space_after = Pt(10)
    if CELL_TEXT not in styles:
        cell_text = styles.add_style(CELL_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        cell_text.base_style = styles["Normal"]
        cell_text.font.size = Pt(9.5)
        cell_text.paragraph_format.space_after = Pt(0)
        cell_text.paragraph_format.space_before = Pt(0)
    if SUMMARY_TEXT not in styles:
        summary_text = styles.add_style(SUMMARY_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        summary_text.base_style = styles[CELL_TEXT]
        summary_text.font.size = Pt(SUMMARY_POINTS)
    if STATUS_LINE not in styles:
        status_line = styles.add_style(STATUS_LINE, WD_STYLE_TYPE.PARAGRAPH)
        status_line.base_style = styles["Normal"]
        status_line.font.bold = True
        status_line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _numbering_of(word: WordDocument) -> Any:
    """The document's numbering definitions, added when it has none: Word leaves the part out
    of a document that never had a list (python-docx cannot create it itself)."""
    try:
        return cast(NumberingPart, word.part.part_related_by(RT.NUMBERING)).element
    except KeyError:
        part = NumberingPart(
            PackURI("/word/numbering.xml"),
            CT.WML_NUMBERING,
            parse_xml(f"<w:numbering {nsdecls('w')}/>"),
            word.part.package,
        )
        word.part.relate_to(part, RT.NUMBERING)
        return part.element


def _make_bulleted(word: WordDocument, style: Any) -> None:
    """Give a paragraph style a real Word bullet list (a numbering definition with a bullet
    and a hanging indent), so Word, screen readers and converters all see a list."""
    numbering = _numbering_of(word)
    abstract_id = 1 + max(
        (
            int(found.get(qn("w:abstractNumId")))
            for found in numbering.iterchildren(qn("w:abstractNum"))
        ),
        default=-1,
    )
    left = int((HANGING_INDENT + BULLET_INDENT) / 635)  # twentieths of a point
    hanging = int(BULLET_INDENT / 635)
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="singleLevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        '<w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
        "</w:abstractNum>"
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is None:
        numbering.append(abstract)
    else:  # the schema puts every abstractNum before the nums
        first_num.addprevious(abstract)
    num_id = numbering.add_num(abstract_id).numId
    numbered = style.get_or_add_pPr().get_or_add_numPr()
    numbered.get_or_add_ilvl().val = 0
    numbered.get_or_add_numId().val = num_id


# The paper, top to bottom (the same order as templates/reports/document.html)


class _Paper:
    """Writes a document into a Word file. Styles are applied by id, looked up once each:
    python-docx's lookup by name scans every style, which for a 300-action table of cells
    was most of the export's time."""

    def __init__(self, word: WordDocument) -> None:
        self.word = word
        self._style_ids: dict[str, str] = {}
        self.width = _text_width(word)

    def write(self, document: dict[str, Any]) -> None:
        header = document["header"]
        content = document["content"]
        status = document["status"]
        self.content = content
        self.rag_chart = document.get("rag_chart", False)
        self._set_properties(document)
        if status["note"]:
            self._status_note(status)
        if self.word.sections[0].header.is_linked_to_previous:  # no letterhead of its own
            self._running_head_and_page_numbers(header["classification"], status)
        else:
            self._into_letterhead(header["classification"], status)

        paper = document.get("kind", "paper") == "paper"
        if paper:
            self._header_block(header)
        self.heading(header["subject"], level=0)
        self.paragraph(
            f"{content['plan']} · {content['plan_version']} · {content['period']['name']}"
        )
        for section in document["sections"]:
            self.heading(section["heading"], level=1)
            self.items(section["body"])
        if document["attachments"]:
            self.heading("Attachments", level=1)
            for line in document["attachments"]:
                self.paragraph(line)
        if document["contacts"]:
            self.heading("For further information", level=1)
            self._contacts(document["contacts"])
        for appendix in document["appendices"]:
            self.heading(appendix["heading"], level=1).paragraph_format.page_break_before = True
            self.items(appendix["body"])

    def items(self, items: list[dict[str, Any]]) -> None:
        """A section's or appendix's paragraphs, sub-headings, lists and generated blocks."""
        for item in items:
            kind = item["kind"]
            if kind == "paragraph":
                if item["number"]:
                    self.paragraph(f"{item['number']}\t{item['text']}", NUMBERED)
                else:
                    self.paragraph(item["text"], UNNUMBERED)
            elif kind == "subheading":
                self.heading(item["text"], level=2)
            elif kind == "bullets":
                for text in item["points"]:
                    self.paragraph(text, BULLET)
            elif kind == "block":
                self._generated(item["block"])

    def _generated(self, block: str) -> None:
        content = self.content
        if block == "rag_summary":
            self._summary_tables(content)
        elif block == "what_moved":
            self._what_moved(content)
        elif block == "agreement_changes":
            self._agreement_changes(content)
        elif block == "grant_update":
            self._grant_update(content)
        elif block == "action_plan":
            self._action_plan(content)

    # Parts of the paper

    def _set_properties(self, document: dict[str, Any]) -> None:
        properties = self.word.core_properties
        content = document["content"]
        authors = ", ".join(person["name"] for person in document["header"]["authors"])
        properties.title = xml_text(document["header"]["subject"])[:255]
        properties.subject = xml_text(f"{content['plan']}: {content['period']['name']}")[:255]
        properties.author = xml_text(authors or content["plan"])[:255]
        properties.comments = document["status"]["label"]

    def _status_note(self, status: dict[str, Any]) -> None:
        paragraph = self.word.add_paragraph()
        paragraph.add_run(status["label"]).bold = True
        paragraph.add_run(xml_text(f". {status['note']}"))

    def _running_head_and_page_numbers(self, classification: str, status: dict[str, Any]) -> None:
        """Classification at the top of every page, page X of Y at the bottom (the default)."""
        section = self.word.sections[0]
        head = section.header.paragraphs[0]
        self._style(head, STATUS_LINE)
        published = status["key"] == "published"
        head.add_run(
            xml_text(classification if published else f"{classification} · {status['label']}")
        )
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        foot.add_run("Page ")
        _field(foot, "PAGE")
        foot.add_run(" of ")
        _field(foot, "NUMPAGES")

    def _into_letterhead(self, classification: str, status: dict[str, Any]) -> None:
        """A letterhead's own header and footer stay, with the classification added above its
        header and page numbers below its footer unless it already has them."""
        section = self.word.sections[0]
        header_xml = section.header._element.xml
        if classification not in header_xml:
            head = section.header.add_paragraph()
            self._style(head, STATUS_LINE)
            published = status["key"] == "published"
            head.add_run(
                xml_text(classification if published else f"{classification} · {status['label']}")
            )
        if "PAGE" not in section.footer._element.xml:
            foot = section.footer.add_paragraph()
            foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            foot.add_run("Page ")
            _field(foot, "PAGE")
            foot.add_run(" of ")
            _field(foot, "NUMPAGES")

    def _contacts(self, people: list[dict[str, str]]) -> None:
        """One block per person: name in bold, then role, organisation, e-mail, telephone."""
        for person in people:
            paragraph = self.paragraph("", CONTACT)
            paragraph.add_run(xml_text(person["name"])).bold = True
            for field in ("role", "organisation", "email", "telephone"):
                if person.get(field):
                    paragraph.add_run().add_break()
                    said = f"Telephone: {person[field]}" if field == "telephone" else person[field]
                    paragraph.add_run(xml_text(said))

    def _header_block(self, header: dict[str, Any]) -> None:
        """By, To, Classification, Subject and Summary: the block board papers open with."""
        authors = [
            f"{person['name']}, {person['role']}" if person["role"] else person["name"]
            for person in header["authors"]
        ]
        meeting = header["meeting"] or "–"
        if header["meeting_date_text"]:
            meeting = f"{meeting} – {header['meeting_date_text']}"
        rows = [
            ("By:", authors or ["–"]),
            ("To:", [meeting]),
            ("Classification:", [header["classification"]]),
            ("Subject:", [header["subject"]]),
            ("Summary:", header["summary"] or ["–"]),
        ]
        label_width = min(Cm(3.5), self.width // 3)
        table = self.table([label_width, Emu(self.width - label_width)], header_row=None)
        for label, lines in rows:
            label_cell, value_cell = _add_row(table)
            self.cell_text(label_cell, label).runs[0].bold = True
            self.cell_text(value_cell, lines[0])
            for line in lines[1:]:
                self.cell_text(value_cell, line, new_paragraph=True)
        self.paragraph("")

    def _summary_tables(self, content: dict[str, Any]) -> None:
        summary = content["summary"]
        statuses = content["statuses"]
        for title, kind, rows, totals in (
            ("Priorities", "Priority", summary["priorities"], summary["priority_totals"]),
            ("Cross-cutting themes", "Theme", summary["themes"], summary["theme_totals"]),
        ):
            self.caption(f"{title}: actions by status in {content['period']['name']}")
            header_row = [kind, "Overall", "Updated", *(s["label"] for s in statuses), "Total"]
            texts = [
                [
                    row["name"],
                    STATUS_LABELS[row["overall_status"]],
                    updated_of(row),
                    *(
                        f"{row['counts'][s['key']]} ({row['percentages'][s['key']]}%)"
                        for s in statuses
                    ),
                    str(row["total"]),
                ]
                for row in [*rows, totals]
            ]
            # Smaller text, so a column per status still leaves the names room on A4.
            table = self.table(
                fitted_widths(self.width, header_row, texts, points=SUMMARY_POINTS),
                header_row=header_row,
            )
            for row in [*rows, totals]:
                cells = _add_row(table)
                self.cell_text(cells[0], row["name"])
                self.status_cell(cells[1], row["overall_status"])
                self.cell_text(cells[2], updated_of(row))
                for cell, status in zip(cells[3:-1], statuses, strict=True):
                    key = status["key"]
                    self.cell_text(cell, f"{row['counts'][key]} ({row['percentages'][key]}%)")
                self.cell_text(cells[-1], str(row["total"]))
                if row is totals:
                    for cell in (cells[0], cells[-1]):
                        cell.paragraphs[0].runs[0].bold = True
            self._style_id(SUMMARY_TEXT)
            for paragraph in table._tbl.iter(qn("w:p")):
                paragraph.style = self._style_ids[SUMMARY_TEXT]
            self.paragraph("")
            if kind == "Priority" and rows and self.rag_chart:
                self._rag_chart(content)

    def _rag_chart(self, content: dict[str, Any]) -> None:
        """The priorities' table as a chart, with its text alternative for screen readers."""
        picture = self.word.add_picture(BytesIO(chart_png(content)), width=Emu(self.width))
        properties = picture._inline.docPr
        properties.set("title", "RAG summary chart")
        properties.set("descr", xml_text(chart_alt_text(content)))
        self.paragraph("The table above as a chart: each priority's actions by status.").runs[
            0
        ].font.size = Pt(9)

    def _what_moved(self, content: dict[str, Any]) -> None:
        previous = content["previous_period"]
        self.paragraph(
            f"Compared with {previous['name'] if previous else 'the start of the plan'}:"
        )
        moved = content["moved"]
        for heading, items, show_change in (
            ("Status changed (worst first)", moved["changed"], True),
            ("Completed this period", moved["completed"], False),
            ("Added this period", moved["added"], False),
            ("Updated last period but not this one", moved["gone_quiet"], False),
        ):
            self.heading(f"{heading} ({len(items)})", level=2)
            if not items:
                self.paragraph("None.")
            for item in items:
                change = (
                    f"{STATUS_LABELS[item['before']]} → {STATUS_LABELS[item['after']]}: "
                    if show_change
                    else ""
                )
                bullet = self.paragraph(f"{change}{item['title']} ({item['priority']})", BULLET)
                if item.get("recovery"):
                    bullet.add_run().add_break()
                    bullet.add_run(f"{RECOVERY_LABEL}: ").bold = True
                    bullet.add_run(xml_text(item["recovery"]))

    def _recovery(self, cell: _Cell, text: str) -> None:
        """A red status's recovery plan, as its own paragraph under the progress."""
        paragraph = self.cell_text(cell, f"{RECOVERY_LABEL}: ", new_paragraph=True)
        paragraph.runs[0].bold = True
        paragraph.add_run(xml_text(text))

    def _agreement_changes(self, content: dict[str, Any]) -> None:
        changes = content.get("agreement_changes")  # absent from papers published before it
        if not changes:
            return
        self.paragraph(
            f"Version {changes['version']} ({changes['label']}), effective from "
            f"{changes['effective_from']}:"
        )
        for line in changes["lines"]:
            self.paragraph(line, BULLET)
        for line in changes["notes"].splitlines():
            if line.strip():
                self.paragraph(line)

    def _grant_update(self, content: dict[str, Any]) -> None:
        """Each of the year's grants: what it gave, its projects, what is allocated and left."""
        for pot in content.get("grants") or []:  # absent from papers published before grants
            projects = pot["allocated_projects"]
            said = (
                f"In {pot['financial_year']} {pot['funder']} gave the partnership {pot['grant']}. "
                f"{pot['allocated']} is allocated to {projects} "
                f"project{'' if projects == 1 else 's'}"
            )
            if pot["proposed"]:
                said += f", with {pot['proposed']} more proposed"
            said += (
                f"; that is {pot['over_by']} more than the grant."
                if pot["over_allocated"]
                else f"; {pot['remaining']} remains."
            )
            self.paragraph(said)
            if pot["notes"]:
                self.paragraph(pot["notes"])
            if not pot["projects"]:
                continue
            header_row = ["Project", "Priorities", "Status", "Amount"]
            texts = [
                [
                    "\n".join(
                        part
                        for part in (
                            project["name"],
                            project["lead_organisation"],
                            project["dates"],
                            project["achieved"],
                            f"({project['reach']})" if project["reach"] else "",
                        )
                        if part
                    ),
                    ", ".join(project["priorities"]) or "–",
                    project["status_label"],
                    project["amount"],
                ]
                for project in pot["projects"]
            ]
            totals = [("Allocated (approved and delivered)", pot["allocated"])]
            if pot["proposed"]:
                totals.append(("Proposed, not yet approved", pot["proposed"]))
            totals.append((f"Remaining of the {pot['grant']} grant", pot["remaining"]))
            table = self.table(
                fitted_widths(
                    self.width, header_row, [*texts, *([t, "", "", a] for t, a in totals)]
                ),
                header_row=header_row,
            )
            for project, row in zip(pot["projects"], texts, strict=True):
                cells = _add_row(table)
                name = self.cell_text(cells[0], project["name"])
                name.runs[0].bold = True
                for detail in row[0].split("\n")[1:]:
                    self.cell_text(cells[0], detail, new_paragraph=True)
                for cell, text in zip(cells[1:], row[1:], strict=True):
                    self.cell_text(cell, text)
                cells[3].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for label, amount in totals:
                cells = _add_row(table)
                merged = cells[0].merge(cells[2])
                self.cell_text(merged, label).runs[0].bold = True
                total = self.cell_text(cells[3], amount)
                total.runs[0].bold = True
                total.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            self.paragraph("")

    def _action_plan(self, content: dict[str, Any]) -> None:
        """Each priority in turn. A priority follows on from the last rather than starting a
        page of its own (which left pages nearly empty); its heading keeps with its text."""
        for priority in content["priorities"]:
            self.heading(priority["name"], level=2)
            self._priority_lead(priority)

            self.heading("Context", level=3)
            self._context(priority["context"], content["period"]["name"])

            self.heading("Indicators", level=3)
            if priority["indicators"]:
                self._indicators_table(priority["indicators"])
            else:
                self.paragraph("None.")

            self.heading("Actions and progress", level=3)
            self._actions_table(priority["actions"])

    def _priority_lead(self, priority: dict[str, Any]) -> None:
        lead = priority["lead_role"] or "not set"
        if priority["leads"]:
            lead = f"{lead} ({', '.join(priority['leads'])})"
        paragraph = self.word.add_paragraph()
        paragraph.add_run("Lead: ").bold = True
        paragraph.add_run(xml_text(f"{lead}. "))
        paragraph.add_run("Overall: ").bold = True
        paragraph.add_run(STATUS_LABELS[priority["overall"]])
        if "expected" in priority:
            paragraph.add_run(f" ({updated_of(priority)} updated)")

    def _context(self, context: dict[str, Any] | None, period: str) -> None:
        if context is None:
            self.paragraph(f"No context was written for {period}.")
            return
        for parts in context["paragraphs"]:
            paragraph = self.word.add_paragraph()
            for part in parts:
                if "cite" in part:
                    paragraph.add_run(f"[{part['cite']}]").font.superscript = True
                else:
                    paragraph.add_run(xml_text(part["text"]))
        for number, note in enumerate(context["notes"], start=1):
            self.paragraph(f"[{number}]\t{note}", NOTE).runs[0].font.size = Pt(9.5)

    def _indicators_table(self, indicators: list[dict[str, Any]]) -> None:
        header_row = ["Indicator", "Latest value", "Comparison", "Direction of travel"]
        texts = [[indicator["name"], *_indicator_cells(indicator)] for indicator in indicators]
        table = self.table(fitted_widths(self.width, header_row, texts), header_row=header_row)
        for row in texts:
            for cell, text in zip(_add_row(table), row, strict=True):
                self.cell_text(cell, text)
        self.paragraph("")

    def _actions_table(self, actions: list[dict[str, Any]]) -> None:
        header_row = ["Action", "Owner", "Status", "Progress this period"]
        texts = [
            [
                action["title"],
                action["owner"] or "–",
                STATUS_LABELS[action["status"]],
                f"{action['progress']}\n{RECOVERY_LABEL}: {action.get('recovery') or ''}",
            ]
            for action in actions
        ]
        table = self.table(fitted_widths(self.width, header_row, texts), header_row=header_row)
        for action in actions:
            cells = _add_row(table)
            self.cell_text(cells[0], action["title"])
            self.cell_text(cells[1], action["owner"] or "–")
            self.status_cell(cells[2], action["status"])
            self.cell_text(cells[3], action["progress"])
            if action.get("recovery"):
                self._recovery(cells[3], action["recovery"])
        if not actions:
            self.cell_text(_add_row(table)[0], "No actions.")

    # Building blocks

    def _style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self.word.styles[name].style_id
        return self._style_ids[name]

    def _style(self, paragraph: Paragraph, name: str) -> None:
        paragraph._p.style = self._style_id(name)

    def heading(self, text: str, level: int) -> Paragraph:
        """A paragraph in Word's Title (level 0) or Heading 1–3 style: what the navigation
        pane and a table of contents list."""
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def paragraph(self, text: str, style: str | None = None) -> Paragraph:
        paragraph = self.word.add_paragraph()
        if style is not None:
            self._style(paragraph, style)
        if text:
            paragraph.add_run(xml_text(text))
        return paragraph

    def numbered(self, paragraph: dict[str, str]) -> None:
        self.paragraph(f"{paragraph['number']}\t{paragraph['text']}", NUMBERED)

    def caption(self, text: str) -> None:
        paragraph = self.paragraph(text)
        paragraph.runs[0].bold = True
        paragraph.paragraph_format.keep_with_next = True

    def table(self, widths: Sequence[int], header_row: Sequence[str] | None) -> Table:
        """A fixed-width table; with a header row, that row repeats at the top of every page."""
        table = self.word.add_table(rows=0, cols=len(widths))
        if header_row is not None:
            table.style = self.word.styles["Table Grid"]
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # rows added later take their cells' widths from these
        if header_row is not None:
            cells = _add_row(table)
            for cell, text in zip(cells, header_row, strict=True):
                heading = self.cell_text(cell, text)
                heading.runs[0].bold = True
                # Word keeps the header row with the first row below it, never alone at the
                # foot of a page.
                heading.paragraph_format.keep_with_next = True
                _shade(cell, "F3F2F1")
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            table.rows[0]._tr.get_or_add_trPr().append(repeat)
        return table

    def cell_text(self, cell: _Cell, text: str, *, new_paragraph: bool = False) -> Paragraph:
        paragraph = cell.add_paragraph() if new_paragraph else cell.paragraphs[0]
        self._style(paragraph, CELL_TEXT)
        if new_paragraph:
            paragraph.paragraph_format.space_before = Pt(4)
        paragraph.add_run(xml_text(text))
        return paragraph

    def status_cell(self, cell: _Cell, status: str) -> None:
        """The status's word on its colour: the word is there for anyone who cannot see colour."""
        fill, text_colour = RAG_COLOURS[status]
        run = self.cell_text(cell, STATUS_LABELS[status]).runs[0]
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(text_colour)
        _shade(cell, fill)


# Text is measured in bold Arial's widths (Liberation Sans has the same metrics, and is
# installed for the PDF), a little generously, so a column never breaks its longest word.
MEASURING_FONT = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")
AVERAGE_EM = 0.6  # a bold character's width without the font file
CELL_PADDING = Cm(0.38) + Cm(0.04)  # Word's default cell margins, and room for rounding
LONGEST_LINE = 48  # characters: a longer text wraps, so asks for no more width than this


@functools.cache
def _em_widths() -> dict[int, float]:
    """Each character's advance in ems, from the measuring font (empty without it)."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(MEASURING_FONT) as font:
            per_em = font["head"].unitsPerEm
            advances = font["hmtx"].metrics
            return {code: advances[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    except (ImportError, OSError):
        return {}


def text_width(text: str, points: float) -> int:
    """How wide the text sets, in EMU."""
    widths = _em_widths()
    ems = sum(widths.get(ord(character), AVERAGE_EM) for character in text)
    return int(ems * Pt(points))


def fitted_widths(
    total: int, header: Sequence[str], rows: Sequence[Sequence[str]], points: float = 9.5
) -> list[int]:
    """Column widths sized from their text, filling the page's text width exactly.

    Each column gets at least its longest word (so "Completed" never breaks), then the room
    left is shared by how much more each column's longest line would like. On a page too
    narrow even for the longest words, every column shrinks in proportion; widths are never
    negative whatever the template's margins.
    """
    columns = list(zip(header, *rows, strict=True)) if rows else [(text,) for text in header]

    def width_of(text: str) -> int:
        return int(text_width(text, points) + CELL_PADDING)

    least = [
        max((width_of(word) for text in column for word in text.split()), default=int(CELL_PADDING))
        for column in columns
    ]
    wanted = [
        max(
            least[index],
            max(
                (width_of(line[:LONGEST_LINE]) for text in column for line in text.splitlines()),
                default=0,
            ),
        )
        for index, column in enumerate(columns)
    ]
    if sum(wanted) <= total:
        widths = [total * want / sum(wanted) for want in wanted]
    elif sum(least) <= total:
        spare = total - sum(least)
        extra = [want - low for want, low in zip(wanted, least, strict=True)]
        widths = [low + spare * more / sum(extra) for low, more in zip(least, extra, strict=True)]
    else:
        widths = [total * low / sum(least) for low in least]
    fitted: list[int] = [Emu(max(1, int(width))) for width in widths]
    fitted[0] = Emu(fitted[0] + total - sum(fitted))  # rounding, so the table fills the width
    return fitted


def _indicator_cells(indicator: dict[str, Any]) -> list[str]:
    """An indicator's latest value, comparison and direction of travel, as its row says them."""
    latest = indicator["latest"]
    if latest is None:
        return ["No value", "–", "–"]
    comparison = (
        f"{latest['comparison']} ({latest['comparison_label']})" if latest["comparison"] else "–"
    )
    arrow = f"{latest['arrow']} " if latest["arrow"] else ""
    return [
        f"{latest['value']} {indicator['unit']} ({latest['period']})",
        comparison,
        f"{arrow}{latest['words'][:1].upper()}{latest['words'][1:]}",
    ]


def _text_width(word: WordDocument) -> int:
    section = word.sections[-1]
    page_width = section.page_width or Mm(210)
    return int(page_width - (section.left_margin or 0) - (section.right_margin or 0))


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (page number, page count) that Word fills in when it lays out the page."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _add_row(table: Table) -> list[_Cell]:
    # table.add_row() is cheap; its .cells walks the whole table, so build the cells directly.
    row = table.add_row()
    return [_Cell(tc, table) for tc in row._tr.tc_lst]


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _sample_paper() -> dict[str, Any]:
    """The smallest whole paper, with every part an export writes: a template must carry it."""
    counts = {
        "name": "All",
        "overall_status": "green",
        "counts": dict.fromkeys(STATUS_LABELS, 0),
        "percentages": dict.fromkeys(STATUS_LABELS, 0),
        "total": 0,
    }
    return {
        "format": 2,
        "kind": "paper",
        "rag_chart": True,
        "header": {
            "authors": [{"name": "Name", "role": "Role"}],
            "meeting": "Meeting",
            "meeting_date_text": "1 January 2027",
            "classification": "For Information",
            "subject": "Subject",
            "summary": ["Summary."],
        },
        "sections": [
            {
                "number": "1",
                "heading": "1.0 Background",
                "body": [
                    {"kind": "paragraph", "number": "1.1", "text": "Text."},
                    {"kind": "paragraph", "number": None, "text": "Note."},
                    {"kind": "subheading", "text": "Sub-heading"},
                    {"kind": "bullets", "points": ["Bullet."]},
                    {"kind": "block", "block": "rag_summary"},
                    {"kind": "block", "block": "what_moved"},
                ],
            }
        ],
        "attachments": ["Appendix A: Action plan"],
        "contacts": [
            {
                "name": "Name",
                "role": "Role",
                "organisation": "Organisation",
                "email": "name@example.org",
                "telephone": "03000 000000",
            }
        ],
        "appendices": [
            {
                "number": "A",
                "heading": "Appendix A: Action plan",
                "body": [{"kind": "block", "block": "action_plan"}],
            }
        ],
        "status": {"key": "draft", "label": "Draft", "note": "Not yet published."},
        "content": {
            "plan": "Plan",
            "plan_version": "Version",
            "period": {"name": "Period"},
            "previous_period": None,
            "statuses": [{"key": key, "label": label} for key, label in STATUS_LABELS.items()],
            "summary": {
                "priorities": [counts],
                "priority_totals": counts,
                "themes": [],
                "theme_totals": counts,
            },
            "moved": {"changed": [], "completed": [], "added": [], "gone_quiet": []},
            "priorities": [
                {
                    "name": "Priority",
                    "lead_role": "Lead",
                    "leads": [],
                    "overall": "green",
                    "context": {
                        "paragraphs": [[{"text": "Context"}, {"cite": 1}]],
                        "notes": ["Note"],
                    },
                    "indicators": [{"name": "Indicator", "unit": "", "latest": None}],
                    "actions": [
                        {"title": "Action", "owner": "", "status": "red", "progress": "Text"}
                    ],
                }
            ],
        },
    }
