"""The whole board paper as plain data: the one thing every view and export renders.

A document is the report's written parts around the generated content of
`report_content()`, numbered the way the council's papers are: section headings 1.0, 2.0, …
with their paragraphs 1.1, 1.2, …, then the recommendations, the attachments list, the
contacts and the appendices (A, B, …). The coordinator places each generated block (the RAG
summary, what moved, changes to the agreement, the action plan and performance summary) in a
section or an appendix, or leaves it out. Publishing stores the document (`Report.snapshot`);
a draft's document is built afresh from the live data each time.

Shape (all values JSON-ready)::

    {"format": 2,
     "kind": "paper" (or "performance_summary": a period's data alone, no written parts),
     "rag_chart": whether the RAG summary is also drawn as a chart (not in older papers),
     "header": {"authors": [{"name", "role"}], "meeting", "meeting_date" (ISO or None),
                "meeting_date_text", "classification", "subject", "summary": [paragraph]},
     "sections": [part],   # the last is the recommendations
     "attachments": [line],
     "contacts": [{"name", "role", "organisation", "email", "telephone"}],
     "appendices": [part],
     "content": report_content(…),
     "status": {"key", "label", "note", "published_at", "published_by", "withdrawn_at",
                "withdrawn_reason"}}

    part = {"number": "2" or "B", "heading": "2.0 Grant update" or "Appendix B: Action plan",
            "body": [item]}
    item = {"kind": "paragraph", "number": "2.1" or None, "text"}
         | {"kind": "subheading", "text"} | {"kind": "bullets", "points": [text]}
         | {"kind": "block", "block": a key of GENERATED_BLOCKS}

Papers published in the first format (sections "1.", one fixed progress section and one
appendix) are read through `in_current_format`, keeping their numbers as they were sent.
"status" is not frozen: a published report can be withdrawn later, and its exports say so.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.extensions import DbSession
from tracker.models import Classification, Report, ReportingPeriod, ReportStatus
from tracker.reports.content import action_table_content, period_facts, report_content

DOCUMENT_FORMAT = 2
PROGRESS_HEADING = "Action plan progress"
RECOMMENDATIONS_HEADING = "Recommendations"
PERFORMANCE_SUMMARY_TITLE = "Action plan and performance summary"


@dataclass(frozen=True)
class GeneratedBlock:
    key: str
    label: str  # how the composer names it
    heading: str  # the heading a new draft gives its section or appendix


GENERATED_BLOCKS = {
    block.key: block
    for block in (
        GeneratedBlock("rag_summary", "RAG summary (priorities and themes)", PROGRESS_HEADING),
        GeneratedBlock("what_moved", "What moved since the previous period", "What moved"),
        GeneratedBlock(
            "agreement_changes",
            "Changes to the agreement (shown once a refresh made this version)",
            "Changes to the agreement",
        ),
        GeneratedBlock(
            "grant_update",
            "Grant update (the year's grants, their projects and what remains)",
            "Grant update",
        ),
        GeneratedBlock(
            "action_plan",
            "Action plan and performance summary (each priority's context, indicators and actions)",
            PERFORMANCE_SUMMARY_TITLE,
        ),
    )
}

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# The composer's few marks: "## " starts a sub-heading, "- " (or "* ", "• ") a bullet, and
# a paragraph starting "> " is left unnumbered (a note under the numbered one above it).
_SUBHEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^[-*\u2022]\s+")
_UNNUMBERED = re.compile(r"^>\s?")


def paragraphs_of(text: str) -> list[str]:
    """Text split into paragraphs at blank lines; line breaks inside a paragraph are kept."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not normalised:
        return []
    return [part.strip() for part in _PARAGRAPH_BREAK.split(normalised) if part.strip()]


def written_items(text: str, section_number: str | None) -> list[dict[str, Any]]:
    """A section's typed text as the paper's items. Paragraphs are numbered within their
    section (2.1, 2.2, …) unless marked "> ", or the part is not numbered (an appendix)."""
    items: list[dict[str, Any]] = []
    numbered = 0

    def paragraph(lines: list[str], *, unnumbered: bool = False) -> None:
        nonlocal numbered
        body = "\n".join(lines).strip()
        if not body:
            return
        number = None
        if section_number is not None and not unnumbered:
            numbered += 1
            number = f"{section_number}.{numbered}"
        items.append({"kind": "paragraph", "number": number, "text": body})

    for chunk in paragraphs_of(text):
        lines = chunk.split("\n")
        if _UNNUMBERED.match(lines[0]):
            paragraph([_UNNUMBERED.sub("", line, count=1) for line in lines], unnumbered=True)
            continue
        pending: list[str] = []
        bullets: list[str] = []
        for line in lines:
            if _SUBHEADING.match(line):
                paragraph(pending)
                pending = []
                _end_list(items, bullets)
                items.append({"kind": "subheading", "text": _SUBHEADING.sub("", line).strip()})
            elif _BULLET.match(line):
                if pending:  # "So far we have funded:" then the list
                    paragraph(pending)
                    pending = []
                bullets.append(_BULLET.sub("", line).strip())
            elif bullets:  # a bullet's text running on to the next line
                bullets[-1] = f"{bullets[-1]}\n{line.strip()}"
            else:
                pending.append(line)
        paragraph(pending)
        _end_list(items, bullets)
    return items


def _end_list(items: list[dict[str, Any]], bullets: list[str]) -> None:
    if bullets:
        items.append({"kind": "bullets", "points": list(bullets)})
        bullets.clear()


def long_date(value: date | None) -> str:
    """A date as board papers write it: 10 December 2026."""
    return f"{value.day} {value:%B %Y}" if value else ""


def appendix_letter(index: int) -> str:
    """A, B, … Z, then AA, AB, …: appendices are lettered in order."""
    letters = string.ascii_uppercase
    return (
        letters[index] if index < len(letters) else letters[index // 26 - 1] + letters[index % 26]
    )


CONTACT_FIELDS = ("name", "role", "organisation", "email", "telephone")


def build_document(
    *,
    authors: list[dict[str, str]],
    meeting: str,
    meeting_date: date | None,
    classification: str,
    subject: str,
    summary: str,
    sections: list[dict[str, str]],
    recommendations: str,
    attachments: str,
    contacts: list[dict[str, str]],
    appendices: list[dict[str, str]],
    content: dict[str, Any],
) -> dict[str, Any]:
    """The written parts numbered around the generated content, each generated block where
    the coordinator placed it. A section or appendix made only of a block with nothing to
    show (no refresh made this version) is left out rather than left empty."""
    numbered_sections: list[dict[str, Any]] = []
    for section in _written_sections(sections, content):
        number = str(len(numbered_sections) + 1)
        items = written_items(section.get("body", ""), number)
        if section.get("block"):
            items.append({"kind": "block", "block": section["block"]})
        heading = section.get("heading", "").strip()
        numbered_sections.append(
            {"number": number, "heading": f"{number}.0 {heading}", "body": items}
        )
    number = str(len(numbered_sections) + 1)
    numbered_sections.append(
        {
            "number": number,
            "heading": f"{number}.0 {RECOMMENDATIONS_HEADING}",
            "body": written_items(recommendations, number)
            or [{"kind": "paragraph", "number": None, "text": "None yet."}],
        }
    )
    lettered: list[dict[str, Any]] = []
    for appendix in _written_sections(appendices, content, heading="title"):
        letter = appendix_letter(len(lettered))
        items = written_items(appendix.get("intro", ""), None)
        if appendix.get("block"):
            items.append({"kind": "block", "block": appendix["block"]})
        title = appendix.get("title", "").strip()
        lettered.append({"number": letter, "heading": f"Appendix {letter}: {title}", "body": items})
    return {
        "format": DOCUMENT_FORMAT,
        "kind": "paper",
        "rag_chart": True,
        "header": {
            "authors": [
                {"name": person["name"].strip(), "role": person.get("role", "").strip()}
                for person in authors
                if person.get("name", "").strip()
            ],
            "meeting": meeting.strip(),
            "meeting_date": meeting_date.isoformat() if meeting_date else None,
            "meeting_date_text": long_date(meeting_date),
            "classification": classification,
            "subject": subject.strip(),
            "summary": paragraphs_of(summary),
        },
        "sections": numbered_sections,
        # The appendices are attached by being in the paper; anything else typed is listed too.
        "attachments": [appendix["heading"] for appendix in lettered]
        + [line.strip() for line in attachments.splitlines() if line.strip()],
        "contacts": [
            {field: (person.get(field) or "").strip() for field in CONTACT_FIELDS}
            for person in contacts
            if (person.get("name") or "").strip()
        ],
        "appendices": lettered,
        "content": content,
    }


def _written_sections(
    parts: list[dict[str, str]], content: dict[str, Any], heading: str = "heading"
) -> list[dict[str, str]]:
    """The parts that say something: an empty one left on the form is not a part, nor is one
    holding only a block that has nothing to show."""
    kept = []
    for part in parts:
        written = any((part.get(field) or "").strip() for field in ("body", "intro")) or bool(
            part.get(heading, "").strip() and not part.get("block")
        )
        block = part.get("block") or ""
        if written or (block and block_has_content(block, content)):
            kept.append(part)
    return kept


def block_has_content(block: str, content: dict[str, Any]) -> bool:
    if block == "agreement_changes":
        return bool(content.get("agreement_changes"))
    if block == "grant_update":
        return bool(content.get("grants"))  # absent from papers published before grants
    return block in GENERATED_BLOCKS


def in_current_format(document: dict[str, Any]) -> dict[str, Any]:
    """A document of any format in this one's shape. A paper published in the first format
    keeps its numbers ("1. Background") and its fixed progress section and appendix."""
    if document.get("format", 1) >= DOCUMENT_FORMAT:
        return document
    upgraded = dict(document)
    sections = [
        {
            "number": section["number"],
            "heading": f"{section['number']}. {section['heading']}",
            "body": [
                {"kind": "paragraph", "number": paragraph["number"], "text": paragraph["text"]}
                for paragraph in section["paragraphs"]
            ],
        }
        for section in document["sections"]
    ]
    sections.append(
        {
            "number": document["progress_number"],
            "heading": f"{document['progress_number']}. {PROGRESS_HEADING}",
            "body": [
                {"kind": "block", "block": "rag_summary"},
                {"kind": "block", "block": "what_moved"},
                {"kind": "block", "block": "agreement_changes"},
            ],
        }
    )
    recommendations = document["recommendations"]
    sections.append(
        {
            "number": recommendations["number"],
            "heading": f"{recommendations['number']}. {RECOMMENDATIONS_HEADING}",
            "body": [
                {"kind": "paragraph", "number": paragraph["number"], "text": paragraph["text"]}
                for paragraph in recommendations["paragraphs"]
            ]
            or [{"kind": "paragraph", "number": None, "text": "None yet."}],
        }
    )
    upgraded.update(
        format=DOCUMENT_FORMAT,
        kind="paper",
        rag_chart=False,  # drawn only in papers published since the chart came
        sections=sections,
        attachments=[],
        contacts=[
            dict.fromkeys(CONTACT_FIELDS, "") | {"name": line} for line in document["contacts"]
        ],
        appendices=[
            {
                "number": "A",
                "heading": f"Appendix A: {PERFORMANCE_SUMMARY_TITLE}",
                "body": [{"kind": "block", "block": "action_plan"}],
            }
        ],
    )
    upgraded.pop("progress_number", None)
    upgraded.pop("recommendations", None)
    return upgraded


def document_for_report(session: DbSession, report: Report) -> dict[str, Any]:
    """A published (or withdrawn) report's frozen document; a draft's, built from live data."""
    if report.snapshot is not None:
        document = in_current_format(dict(report.snapshot))
    else:
        document = draft_document(session, report)
    document["status"] = _status(report)
    return document


def live_action_table(session: DbSession, report: Report) -> dict[str, Any]:
    """As much of a live draft's document as its action table (the CSV) needs, drawn from
    live data without the rest of the paper, which at thousands of actions costs more than
    the table itself. A published report's CSV comes from its frozen copy instead."""
    outline = draft_outline(report)
    outline["content"] = action_table_content(session, report.period)
    return outline


def draft_outline(report: Report) -> dict[str, Any]:
    """A live draft's subject, period and status without its content: enough to name its
    download (export_filename)."""
    return {
        "header": {"subject": report.subject.strip()},
        "content": {"period": period_facts(report.period)},
        "status": _status(report),
    }


def draft_document(session: DbSession, report: Report) -> dict[str, Any]:
    """What the report would say if it were published now."""
    return build_document(
        authors=report.authors or [],
        meeting=report.meeting,
        meeting_date=report.meeting_date,
        classification=report.classification,
        subject=report.subject,
        summary=report.summary,
        sections=report.sections or [],
        recommendations=report.recommendations,
        attachments=report.attachments,
        contacts=report.contact_people or [],
        appendices=report.appendices or [],
        content=report_content(session, report.period),
    )


def document_for_period(session: DbSession, period: ReportingPeriod) -> dict[str, Any]:
    """A period's action plan and performance summary on its own, straight from its data:
    no header, sections or recommendations, as nobody wrote any."""
    version = period.plan_version
    content = report_content(session, period)
    parts = [
        (block.heading, block.key)
        for block in GENERATED_BLOCKS.values()
        if block_has_content(block.key, content)
    ]
    return {
        "format": DOCUMENT_FORMAT,
        "kind": "performance_summary",
        "rag_chart": True,
        "header": {
            "authors": [],
            "meeting": "",
            "meeting_date": None,
            "meeting_date_text": "",
            "classification": Classification.FOR_INFORMATION.value,
            "subject": f"{version.plan.name}: {PERFORMANCE_SUMMARY_TITLE.lower()}",
            "summary": [],
        },
        "sections": [
            {
                "number": "",
                "heading": "Priorities" if key == "action_plan" else heading,
                "body": [{"kind": "block", "block": key}],
            }
            for heading, key in parts
        ],
        "attachments": [],
        "contacts": [],
        "appendices": [],
        "content": content,
        "status": {
            "key": "generated",
            "label": "Generated from live data",
            "note": f"For {period.name}; not a published report.",
            "published_at": None,
            "published_by": None,
            "withdrawn_at": None,
            "withdrawn_reason": "",
        },
    }


STATUS_NOTES = {
    ReportStatus.DRAFT: "Not yet published: the figures are live and may change.",
    ReportStatus.PUBLISHED: "",
}


def _status(report: Report) -> dict[str, Any]:
    status = report.report_status
    withdrawn = status is ReportStatus.WITHDRAWN
    return {
        "key": status.value,
        "label": status.label,
        # What every copy says under its title, besides the plain word: why it was withdrawn.
        "note": report.withdrawn_reason if withdrawn else STATUS_NOTES[status],
        "published_at": report.published_at.isoformat() if report.published_at else None,
        "published_by": report.published_by.name if report.published_by else None,
        "withdrawn_at": report.withdrawn_at.isoformat() if report.withdrawn_at else None,
        "withdrawn_reason": report.withdrawn_reason if withdrawn else "",
    }


def export_filename(document: dict[str, Any], extension: str) -> str:
    """A download name from the subject and period, safe on every operating system."""
    words = f"{document['header']['subject']} {document['content']['period']['name']}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", words).strip("-").lower()
    if len(slug) > MAX_FILENAME_STEM:
        # Cut at the last whole word that fits, never through one.
        cut = slug[: MAX_FILENAME_STEM + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:MAX_FILENAME_STEM]
    return f"{slug or 'report'}.{extension}"


MAX_FILENAME_STEM = 80
