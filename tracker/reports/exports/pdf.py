"""The PDF export: WeasyPrint lays out the same HTML as the print view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, render_template

from tracker.reports.exports import ExportUnavailable

STYLESHEET = "css/report.css"
MISSING_LIBRARIES = (
    "PDF export needs the Pango text layout library on the server "
    "(on Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation)"
)


def render_pdf(document: dict[str, Any]) -> bytes:
    """The print view as a PDF: A4, page numbers, the classification on every page."""
    # Tagged PDF/UA-1: headings, lists and tables (with their header cells) are marked up for
    # screen readers; the title and language come from the page's <title> and lang.
    pdf = laid_out(document).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf


def laid_out(document: dict[str, Any]) -> Any:
    """The print view laid out in pages by WeasyPrint (a weasyprint.Document)."""
    try:
        from weasyprint import CSS, HTML
    except (OSError, ImportError) as error:  # WeasyPrint loads Pango when it is imported
        raise ExportUnavailable(MISSING_LIBRARIES) from error

    html = render_template("reports/document.html", document=document, for_pdf=True)
    static = Path(current_app.static_folder or "static")
    return HTML(string=html, url_fetcher=_data_only_fetcher()).render(
        stylesheets=[CSS(filename=str(static / STYLESHEET))]
    )


def _data_only_fetcher() -> Any:
    """The document needs nothing from outside: no request leaves the server while rendering.
    Only data: addresses (the chart, drawn on the server) are read; anything else stops the
    export rather than being fetched."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
