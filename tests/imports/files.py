"""Spreadsheets of the kind councils keep, built here: titles above the header, a priority
merged down beside its actions or on a heading row of its own, Excel dates beside typed
ones, statuses as R or green, stray spaces, and a formula whose value Excel saved."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from openpyxl import Workbook

HEADER = [
    "Priority",
    "Cross-cutting themes",
    "Action",
    "Description",
    "Lead agency",
    "Partners",
    "Responsible people",
    "Start date",
    "Target date",
    "RAG status",
    "Progress update",
    "Date of update",
]


def council_workbook(responsible: str, rows: list[list] | None = None) -> bytes:
    """A messy but valid plan: header on row 4; Road Safety merged down A5:A6; Domestic
    Abuse as a heading row; one action title a formula with its saved value."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "CSP action plan"
    sheet["A1"] = "Riverside Community Safety Partnership"
    sheet["A2"] = "Action plan 2027/28 (working copy)"
    sheet.append([])
    sheet.append(HEADER)  # row 4
    sheet.append(
        [
            "Road Safety ",
            "Early intervention; Support victims",
            None,  # a formula below
            "Speed checks near schools at start and end of the day.",
            "County Police",
            "County Council; Riverside District Council",
            responsible,
            datetime(2027, 4, 1),
            "31/03/2028",
            "R",
            "Two of five schools visited; more officers needed.",
            datetime(2027, 6, 15),
        ]
    )
    sheet["C5"] = '="Speed checks "&"outside schools"'
    sheet.append(
        [
            None,  # merged with A5
            "Early intervention",
            "  Young driver awareness sessions  ",
            "",
            "County Fire Service",
            None,
            None,
            "1/4/2027",
            datetime(2027, 12, 31),
            "green",
            "Four sessions delivered to sixth forms.",
            "20/06/2027",
        ]
    )
    sheet.merge_cells("A5:A6")
    sheet.append(["Domestic Abuse"])  # row 7: a heading row, merged across the table
    sheet.merge_cells("A7:L7")
    sheet.append(
        [
            None,
            "Support victims",
            "Refresh the referral pathway",
            "",
            "County Council",
            "County Police",
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    for row in rows or []:
        sheet.append(row)
    return with_saved_formula_values(_saved(workbook), {"C5": "Speed checks outside schools"})


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_saved_formula_values(content: bytes, values: dict[str, str]) -> bytes:
    """The workbook as Excel would save it: each formula cell also holds its last value
    (openpyxl writes the formula alone)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                for ref, value in values.items():
                    text, found = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?',
                        rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v>',
                        text,
                    )
                    assert found == 1, f"no formula cell {ref}"
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def simple_workbook(rows: list[list], header: list[str] | None = None) -> bytes:
    """A plain sheet: the header on row 1, then the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or ["Priority", "Action", "Target date", "Current status", "Progress"])
    for row in rows:
        sheet.append(row)
    return _saved(workbook)


def csv_file(text: str) -> bytes:
    return text.encode("utf-8-sig")
