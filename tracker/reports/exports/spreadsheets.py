"""The spreadsheet exports: the action plan (and, in Excel, the roll-up) as rows to filter.

Both draw on `action_rows()`, so the CSV and the workbook list the same actions with the
same words. Every text passes through `neutralise_formula`: a spreadsheet shows what partners
typed and never runs it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.reports.content import RECOVERY_LABEL, updated_of
from tracker.reports.document import long_date
from tracker.reports.exports import neutralise_formula, xml_text
from tracker.statuses import RAG_COLOURS

ACTION_COLUMNS = (
    "Priority",
    "Themes",
    "Action",
    "Lead",
    "RAG",
    "Last update",
    "Progress",
    RECOVERY_LABEL,
)
# Wide enough to read a typical entry; Action, Progress and the recovery plan wrap.
ACTION_COLUMN_WIDTHS = (30, 36, 60, 28, 12, 13, 80, 60)
WRAPPED_COLUMNS = frozenset({"Themes", "Action", "Progress", RECOVERY_LABEL})
RAG_COLUMN = ACTION_COLUMNS.index("RAG") + 1
LAST_UPDATE_COLUMN = ACTION_COLUMNS.index("Last update") + 1

# Excel refuses to open a file with a longer cell; it counts UTF-16 code units.
EXCEL_CELL_LIMIT = 32_767
TRUNCATION_MARK = "…"
DATE_FORMAT = "dd/mm/yyyy"

BOLD = Font(bold=True)
TOP = Alignment(vertical="top")
TOP_WRAPPED = Alignment(vertical="top", wrap_text=True)


def action_rows(document: dict[str, Any]) -> list[list[str]]:
    """One row of ACTION_COLUMNS per action, priority by priority, as the appendix lists them."""
    rows = []
    for priority in document["content"]["priorities"]:
        for action in priority["actions"]:
            values = [
                priority["name"],
                "; ".join(action["themes"]),
                action["title"],
                action["owner"],
                action["status_label"],
                action["updated"] or "",
                action["progress"],
                action.get("recovery") or "",  # absent from papers published before it
            ]
            rows.append([neutralise_formula(value) for value in values])
    return rows


def render_csv(document: dict[str, Any]) -> bytes:
    """The action rows as CSV, UTF-8 with a byte order mark so Excel shows £ and accents."""
    # newline="" as the csv docs ask: the writer ends rows itself, and line breaks inside a
    # quoted field are kept as typed.
    text = io.StringIO(newline="")
    writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(ACTION_COLUMNS)
    writer.writerows(action_rows(document))
    return text.getvalue().encode("utf-8-sig")


def render_xlsx(document: dict[str, Any]) -> bytes:
    """An Excel workbook: the action plan to filter, the period's roll-up, and what it is."""
    workbook = Workbook()
    plan_sheet = workbook.active
    assert plan_sheet is not None  # a new workbook always has one sheet
    plan_sheet.title = "Action plan"
    _write_action_plan(plan_sheet, document)
    _write_rollup(workbook.create_sheet("Roll-up"), document["content"])
    if "grants" in document["content"]:  # papers published before grants have none
        _write_grants(workbook.create_sheet("Grants"), document["content"])
    _write_about(workbook.create_sheet("About"), document)

    content = document["content"]
    workbook.properties.title = excel_text(document["header"]["subject"])
    workbook.properties.subject = excel_text(f"{content['plan']}: {content['period']['name']}")
    workbook.properties.description = excel_text(
        f"Action plan and roll-up, {document['status']['label']}"
    )
    authors = ", ".join(person["name"] for person in document["header"]["authors"])
    workbook.properties.creator = excel_text(authors or content["plan"])

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def excel_text(text: str) -> str:
    """Text as a cell can hold it: characters Excel refuses dropped, shown not run, capped."""
    cleaned = neutralise_formula(xml_text(text))
    if _utf16_length(cleaned) <= EXCEL_CELL_LIMIT:
        return cleaned
    kept = cleaned.encode("utf-16-le")[: 2 * (EXCEL_CELL_LIMIT - len(TRUNCATION_MARK))]
    # A cut through an emoji's surrogate pair leaves half of it: drop that half.
    return kept.decode("utf-16-le", errors="ignore") + TRUNCATION_MARK


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


GRANT_COLUMNS = (
    "Financial year",
    "Funder",
    "Project",
    "Lead organisation",
    "Priorities",
    "Status",
    "Amount",
    "Start",
    "End",
    "What it achieved",
    "Reach",
)
GRANT_COLUMN_WIDTHS = (14, 30, 40, 30, 36, 12, 14, 12, 12, 60, 24)
MONEY_FORMAT = "£#,##0.00"


def _write_grants(sheet: Worksheet, content: dict[str, Any]) -> None:
    """The year's grants: a row per project, then each grant's totals, amounts as numbers."""
    for column, heading in enumerate(GRANT_COLUMNS, start=1):
        sheet.cell(row=1, column=column, value=heading).font = BOLD
    for column, width in enumerate(GRANT_COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    row = 2
    if not content["grants"]:
        sheet.cell(
            row=row, column=1, value=f"No grant is recorded for {content['financial_year']}."
        )
    amount_column = GRANT_COLUMNS.index("Amount") + 1
    for pot in content["grants"]:
        for project in pot["projects"]:
            values: list[Any] = [
                excel_text(pot["financial_year"]),
                excel_text(pot["funder"]),
                excel_text(project["name"]),
                excel_text(project["lead_organisation"]),
                excel_text("; ".join(project["priorities"])),
                project["status_label"],
                float(project["amount_value"]),
                date.fromisoformat(project["start"]) if project["start"] else None,
                date.fromisoformat(project["end"]) if project["end"] else None,
                excel_text(project["achieved"]),
                excel_text(project["reach"]),
            ]
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column, value=value)
                cell.alignment = TOP_WRAPPED if isinstance(value, str) else TOP
                if isinstance(value, date):
                    cell.number_format = DATE_FORMAT
            sheet.cell(row=row, column=amount_column).number_format = MONEY_FORMAT
            row += 1
        for label, amount in (
            ("Grant", pot["grant_value"]),
            ("Allocated (approved and delivered)", pot["allocated_value"]),
            ("Proposed, not yet approved", pot["proposed_value"]),
            ("Remaining", pot["remaining_value"]),
        ):
            sheet.cell(row=row, column=1, value=excel_text(pot["financial_year"]))
            sheet.cell(row=row, column=2, value=excel_text(pot["funder"]))
            sheet.cell(row=row, column=3, value=label).font = BOLD
            total = sheet.cell(row=row, column=amount_column, value=float(amount))
            total.font = BOLD
            total.number_format = MONEY_FORMAT
            row += 1


def _write_action_plan(sheet: Worksheet, document: dict[str, Any]) -> None:
    for column, heading in enumerate(ACTION_COLUMNS, start=1):
        sheet.cell(row=1, column=column, value=heading).font = BOLD
    statuses = [
        action["status"]
        for priority in document["content"]["priorities"]
        for action in priority["actions"]
    ]
    rows = action_rows(document)
    for row_number, (row, status) in enumerate(zip(rows, statuses, strict=True), start=2):
        for column, (heading, value) in enumerate(zip(ACTION_COLUMNS, row, strict=True), 1):
            cell = sheet.cell(row=row_number, column=column)
            cell.alignment = TOP_WRAPPED if heading in WRAPPED_COLUMNS else TOP
            if column == LAST_UPDATE_COLUMN:
                cell.value = date.fromisoformat(value) if value else None
                cell.number_format = DATE_FORMAT
            elif value:
                _set_text(cell, value)
        _colour(sheet.cell(row=row_number, column=RAG_COLUMN), status)

    for column, width in enumerate(ACTION_COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ACTION_COLUMNS))}{len(rows) + 1}"


def _write_rollup(sheet: Worksheet, content: dict[str, Any]) -> None:
    labels = {status["key"]: status["label"] for status in content["statuses"]}
    summary = content["summary"]
    title = sheet.cell(row=1, column=1)
    _set_text(title, f"Number of actions by status, {content['period']['name']}")
    title.font = BOLD
    next_row = _write_counts_table(
        sheet, 3, "Priority", summary["priorities"], summary["priority_totals"], labels
    )
    _write_counts_table(
        sheet, next_row + 1, "Theme", summary["themes"], summary["theme_totals"], labels
    )
    sheet.column_dimensions["A"].width = 50
    sheet.column_dimensions["B"].width = 12
    for number in range(3, len(labels) + 4):
        sheet.column_dimensions[get_column_letter(number)].width = 12


def _write_counts_table(
    sheet: Worksheet,
    first_row: int,
    heading: str,
    rows: list[dict[str, Any]],
    totals: dict[str, Any],
    labels: dict[str, str],
) -> int:
    """A table of counts by status with its totals row; returns the row after it."""
    header = [heading, "Overall", "Updated", *labels.values(), "Total"]
    for column, text in enumerate(header, start=1):
        cell = sheet.cell(row=first_row, column=column)
        _set_text(cell, text)
        cell.font = BOLD
    for row_number, row in enumerate([*rows, totals], start=first_row + 1):
        cells = [sheet.cell(row=row_number, column=column) for column in range(1, len(header) + 1)]
        _set_text(cells[0], row["name"])
        _set_text(cells[1], labels[row["overall_status"]])
        _set_text(cells[2], updated_of(row))
        for cell, status in zip(cells[3:-1], labels, strict=True):
            cell.value = row["counts"][status]
        cells[-1].value = row["total"]
        if row is totals:
            for cell in cells:
                cell.font = BOLD
        _colour(cells[1], row["overall_status"])
    return first_row + len(rows) + 2


def _write_about(sheet: Worksheet, document: dict[str, Any]) -> None:
    header = document["header"]
    content = document["content"]
    status = document["status"]
    period = content["period"]
    facts = [
        ("Title", header["subject"]),
        ("Plan", f"{content['plan']} ({content['plan_version']})"),
        ("Period", f"{period['name']} ({_long(period['start'])} to {_long(period['end'])})"),
        ("Report status", status["label"]),
    ]
    if status.get("published_at"):
        by = f" by {status['published_by']}" if status.get("published_by") else ""
        facts.append(("Published", f"{_long(status['published_at'][:10])}{by}"))
    if status.get("withdrawn_at"):
        facts.append(("Withdrawn", _long(status["withdrawn_at"][:10])))
    if status.get("withdrawn_reason"):
        facts.append(("Reason withdrawn", status["withdrawn_reason"]))
    if header["meeting"]:
        when = header["meeting_date_text"]
        facts.append(("Meeting", f"{header['meeting']}, {when}" if when else header["meeting"]))
    facts.append(("Classification", header["classification"]))
    facts.append(
        ("Colours", "The RAG and Overall cells always name the status; colour only repeats it.")
    )
    for row_number, (label, value) in enumerate(facts, start=1):
        name = sheet.cell(row=row_number, column=1)
        _set_text(name, label)
        name.font = BOLD
        _set_text(sheet.cell(row=row_number, column=2), value)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 90


def _long(iso_date: str) -> str:
    return long_date(date.fromisoformat(iso_date))


def _set_text(cell: Cell, text: str) -> None:
    """Text stored as text: openpyxl would otherwise take a leading '=' for a formula."""
    cell.value = excel_text(text)
    cell.data_type = "s"


def _colour(cell: Cell, status: str) -> None:
    fill, text = RAG_COLOURS[status]
    cell.fill = PatternFill(fill_type="solid", fgColor=fill)
    cell.font = Font(color=text, bold=cell.font.bold)
