"""Reading produced files back as a person would see them: Word, PDF, Excel and CSV."""

from __future__ import annotations

import csv
import io
import re
from io import BytesIO

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader


def docx_of(data: bytes):
    return Document(BytesIO(data))


def docx_headings(word) -> list[tuple[str, str]]:
    """(style name, text) of every heading and the title, in order."""
    return [
        (paragraph.style.name, paragraph.text)
        for paragraph in word.paragraphs
        if paragraph.style.name.startswith("Heading") or paragraph.style.name == "Title"
    ]


def docx_table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def cell_fill(cell) -> str | None:
    shading = cell._tc.tcPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}shd"
    )
    if shading is None:
        return None
    return shading.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}fill")


def header_row_repeats(table) -> bool:
    first_row = table.rows[0]._tr
    return bool(first_row.xpath("./w:trPr/w:tblHeader[@w:val='true' or not(@w:val)]"))


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text with runs of white space made single spaces, and words broken
    across lines after a hyphen (drug-|related) joined again."""
    return [
        re.sub(r"\s+", " ", re.sub(r"-\n\s*", "-", page.extract_text() or ""))
        for page in PdfReader(BytesIO(data)).pages
    ]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))


def xlsx_values(data: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
