"""Report exports: each renders a document from tracker.reports.document into a file's bytes."""

from __future__ import annotations

import re

from tracker.statuses import RAG_COLOURS

__all__ = ["RAG_COLOURS", "ExportUnavailable", "neutralise_formula", "xml_text"]


class ExportUnavailable(Exception):
    """This server cannot produce the format; the message says what it lacks."""


# A spreadsheet treats a cell starting with one of these as a formula (or DDE command). A line
# break is there too because xml_text turns a leading CR into one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet will show as typed, never run: a leading apostrophe (OWASP advice)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


# Characters XML 1.0 cannot hold (control codes other than tab and line breaks): Word and
# Excel files would be refused, so they are dropped from every text written to one.
XML_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text a Word or Excel file can hold: characters XML refuses are dropped, and a browser's
    line ends (CR LF) become one line break (python-docx writes a break for each of CR and
    LF, so typed text would come out double-spaced)."""
    return XML_ILLEGAL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
