"""The whole board paper as plain data: the one thing every view and export renders.

A document is the report's written parts (header, numbered sections, recommendations,
contacts) around the generated content of `report_content()`, numbered the way board papers
are: sections 1, 2, … with paragraphs 1.1, 1.2, …, then the action plan progress section,
the recommendations, further information and the appendix. Publishing stores the document
(`Report.snapshot`); a draft's document is built afresh from the live data each time.

Shape (all values JSON-ready)::

    {"format": 1,
     "header": {"authors": [{"name", "role"}], "meeting", "meeting_date" (ISO or None),
                "meeting_date_text", "classification", "subject", "summary": [paragraph]},
     "sections": [{"number": "1", "heading", "paragraphs": [{"number": "1.1", "text"}]}],
     "progress_number": "3",
     "recommendations": {"number": "4", "paragraphs": [{"number": "4.1", "text"}]},
     "contacts": [line],
     "content": report_content(…),
     "status": {"key", "label", "note", "published_at", "published_by", "withdrawn_at",
                "withdrawn_reason"}}

"status" is not frozen: a published report can be withdrawn later, and its exports say so.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tracker.extensions import DbSession
from tracker.models import Classification, Report, ReportingPeriod, ReportStatus
from tracker.reports.content import report_content

DOCUMENT_FORMAT = 1
PROGRESS_HEADING = "Action plan progress"
APPENDIX_TITLE = "Appendix A: Action plan and performance summary"

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def paragraphs_of(text: str) -> list[str]:
    """Text split into paragraphs at blank lines; line breaks inside a paragraph are kept."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not normalised:
        return []
    return [part.strip() for part in _PARAGRAPH_BREAK.split(normalised) if part.strip()]


def long_date(value: date | None) -> str:
    """A date as board papers write it: 10 December 2026."""
    return f"{value.day} {value:%B %Y}" if value else ""


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
    contacts: str,
    content: dict[str, Any],
) -> dict[str, Any]:
    """The written parts numbered around the generated content."""
    numbered_sections = []
    for number, section in enumerate(_written_sections(sections), start=1):
        numbered_sections.append(
            {
                "number": str(number),
                "heading": section["heading"].strip(),
                "paragraphs": _numbered(number, paragraphs_of(section.get("body", ""))),
            }
        )
    progress_number = len(numbered_sections) + 1
    recommendations_number = progress_number + 1
    return {
        "format": DOCUMENT_FORMAT,
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
        "progress_number": str(progress_number),
        "recommendations": {
            "number": str(recommendations_number),
            "paragraphs": _numbered(recommendations_number, paragraphs_of(recommendations)),
        },
        "contacts": [line.strip() for line in contacts.splitlines() if line.strip()],
        "content": content,
    }


def _written_sections(sections: list[dict[str, str]]) -> list[dict[str, str]]:
    """Sections with a heading or some text; an empty one left on the form is not a section."""
    return [
        section
        for section in sections
        if section.get("heading", "").strip() or section.get("body", "").strip()
    ]


def _numbered(section_number: int, texts: list[str]) -> list[dict[str, str]]:
    return [
        {"number": f"{section_number}.{index}", "text": text}
        for index, text in enumerate(texts, start=1)
    ]


def document_for_report(session: DbSession, report: Report) -> dict[str, Any]:
    """A published (or withdrawn) report's frozen document; a draft's, built from live data."""
    if report.snapshot is not None:
        document = dict(report.snapshot)
    else:
        document = draft_document(session, report)
    document["status"] = _status(report)
    return document


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
        contacts=report.contacts,
        content=report_content(session, report.period),
    )


def document_for_period(session: DbSession, period: ReportingPeriod) -> dict[str, Any]:
    """A report with no written parts, for exporting a period straight from its data."""
    version = period.plan_version
    document = build_document(
        authors=[],
        meeting="",
        meeting_date=None,
        classification=Classification.FOR_INFORMATION.value,
        subject=f"{version.plan.name}: action plan update",
        summary="",
        sections=[],
        recommendations="",
        contacts="",
        content=report_content(session, period),
    )
    document["status"] = {
        "key": "generated",
        "label": "Generated from live data",
        "note": f"For {period.name}; not a published report.",
        "published_at": None,
        "published_by": None,
        "withdrawn_at": None,
        "withdrawn_reason": "",
    }
    return document


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
