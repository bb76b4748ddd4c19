"""Which files a report exports to, and turning a document into one of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tracker.extensions import DbSession
from tracker.models import WordTemplate


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    mimetype: str


FORMATS: dict[str, ExportFormat] = {
    fmt.key: fmt
    for fmt in (
        ExportFormat(
            "docx",
            "Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ExportFormat("pdf", "PDF", "application/pdf"),
        ExportFormat(
            "xlsx",
            "Excel workbook (action plan and roll-up)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ExportFormat("csv", "CSV (action plan rows)", "text/csv; charset=utf-8"),
    )
}


def current_word_template(session: DbSession) -> WordTemplate | None:
    """The most recently uploaded Word template, if an administrator has uploaded one."""
    return session.scalar(
        select(WordTemplate).order_by(WordTemplate.uploaded_at.desc(), WordTemplate.id.desc())
    )


def export_bytes(session: DbSession, document: dict[str, Any], key: str) -> bytes:
    """The document as a file of the given format. The renderers load on first use: PDF
    brings in WeasyPrint, which nothing else needs."""
    if key == "docx":
        from tracker.reports.exports.word import render_docx

        template = current_word_template(session)
        return render_docx(document, template.content if template else None)
    if key == "pdf":
        from tracker.reports.exports.pdf import render_pdf

        return render_pdf(document)
    if key == "xlsx":
        from tracker.reports.exports.spreadsheets import render_xlsx

        return render_xlsx(document)
    if key == "csv":
        from tracker.reports.exports.spreadsheets import render_csv

        return render_csv(document)
    raise KeyError(f"unknown export format {key!r}: use one of {', '.join(FORMATS)}")
