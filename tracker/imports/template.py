"""The spreadsheet template a partnership fills in to import its action plan."""

from __future__ import annotations

import csv
import io

from tracker.imports.reader import MAX_ROWS, TEMPLATE_HEADINGS

GUIDANCE = [
    ("Priority", "Required. The priority the action is under; new names become new priorities."),
    ("Themes", "Cross-cutting themes, several separated by ; (new names become new themes)."),
    ("Action", "Required. What partners will do; unique within its priority."),
    ("Description", "More detail, if needed."),
    ("Owner organisation", "The partner agency that owns the action."),
    ("Partners", "Other partner agencies, separated by ;"),
    ("Responsible people", "E-mail addresses of users of the tracker, separated by ;"),
    ("Start date", "As a date, or typed as 31/03/2027."),
    ("Target date", "As a date, or typed as 31/03/2027; not before the start date."),
    ("Current status", "Optional: Red, Amber or Green (R, A or G will do)."),
    ("Progress", "The progress note that goes with the status."),
    ("Progress date", "When the progress was reported; it counts in the period it falls in."),
]


def template_workbook() -> bytes:
    """An .xlsx with the import columns as a table, and a sheet saying how to fill it in."""
    # Loaded here rather than at start: see _read_workbook in tracker.imports.reader.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    workbook = Workbook()
    plan = workbook.active
    assert plan is not None
    plan.title = "Action plan"
    headings = list(TEMPLATE_HEADINGS.values())
    plan.append(headings)
    plan.append([""] * len(headings))
    for column, heading in enumerate(headings, start=1):
        cell = plan.cell(row=1, column=column)
        cell.font = Font(bold=True)
        plan.column_dimensions[cell.column_letter].width = max(16, len(heading) + 4)
    plan.freeze_panes = "A2"
    table = Table(
        displayName="ActionPlan", ref=f"A1:{plan.cell(row=2, column=len(headings)).coordinate}"
    )
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    plan.add_table(table)

    guide = workbook.create_sheet("How to fill it in")
    guide.append(["Column", "What to put in it"])
    for row in GUIDANCE:
        guide.append(list(row))
    guide.append([])
    guide.append(
        [
            "",
            f"Up to {MAX_ROWS:,} rows and 5 MB. The header row may be lower down, and a "
            "priority may be named once above its actions.",
        ]
    )
    guide["A1"].font = guide["B1"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 90
    for cells in guide.iter_rows():
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """The same columns as a CSV header row, with the byte-order mark Excel expects."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(TEMPLATE_HEADINGS.values())
    return buffer.getvalue().encode("utf-8-sig")
