"""Reading an action plan spreadsheet as councils really keep them.

Accepted: .xlsx and .csv; a header row anywhere in the first 30 rows; a priority named once
above its actions (a merged cell down the priority column, or a heading row of its own); dates
as Excel dates or typed as 31/03/2027; statuses as Red, R or red; stray spaces; formulas
(their saved values). What cannot be read is a `FileRefused` with the reason in plain words.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 30

# Each column the importer understands, with the headings people give it (compared
# lower-case, without punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "priority": ("priority", "priority area", "strategic priority"),
    "themes": ("themes", "theme", "cross cutting themes", "cross cutting theme"),
    "action": ("action", "actions", "action title", "what we will do"),
    "description": ("description", "detail", "details", "action description"),
    "owner": ("owner organisation", "owner", "lead organisation", "lead agency", "owner agency"),
    "partners": ("partners", "partner organisations", "partner agencies"),
    "responsible": (
        "responsible people",
        "responsible people emails",
        "responsible",
        "responsible emails",
        "emails",
    ),
    "start_date": ("start date", "start"),
    "target_date": ("target date", "target", "deadline", "due date", "end date"),
    "status": ("current status", "status", "rag", "rag status"),
    "progress": ("progress", "progress text", "progress update", "update"),
    "progress_date": ("progress date", "date of progress", "update date", "date of update"),
}
REQUIRED_COLUMNS = ("priority", "action")
TEMPLATE_HEADINGS = {
    "priority": "Priority",
    "themes": "Themes",
    "action": "Action",
    "description": "Description",
    "owner": "Owner organisation",
    "partners": "Partners",
    "responsible": "Responsible people",
    "start_date": "Start date",
    "target_date": "Target date",
    "status": "Current status",
    "progress": "Progress",
    "progress_date": "Progress date",
}


class FileRefused(ValueError):
    """A file that cannot be read as an action plan, with the reason for the person."""


@dataclass
class SheetRow:
    """One row of actions as read: its row number in the file and each known column's text
    (or date, for Excel dates)."""

    number: int
    cells: dict[str, Any] = field(default_factory=dict)
    inherited_priority: bool = False


@dataclass
class Sheet:
    rows: list[SheetRow]
    header_row: int
    column_letters: dict[str, str]  # where each known column is, for messages


def _heading_key(heading: Any) -> str | None:
    words = " ".join(re.sub(r"[^a-z0-9]+", " ", str(heading or "").lower()).split())
    for key, names in COLUMNS.items():
        if words in names:
            return key
    return None


def _clean(value: Any) -> Any:
    """Text without stray spaces (line breaks inside a cell are kept); blanks become None."""
    if isinstance(value, str):
        lines = (" ".join(line.replace("\u00a0", " ").split()) for line in value.splitlines())
        return "\n".join(line for line in lines if line) or None
    return value


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """The file's first sheet as rows of cell values; merged cells take their value in every
    cell they cover, so a priority merged down its actions' rows is on each of them."""
    if len(content) > MAX_BYTES:
        raise FileRefused("The file is larger than 5 MB: split the plan into smaller files")
    if not content:
        raise FileRefused("The file is empty")
    name = filename.lower()
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # Encrypted .xlsx files and old .xls files are both stored in this container.
        raise FileRefused(
            "This file is password-protected or in the old .xls format: open it in Excel, "
            "remove the password if it has one, and save it as an .xlsx workbook"
        )
    if content[:2] == b"PK" or name.endswith(".xlsx"):
        return _read_workbook(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    raise FileRefused("The file must be an Excel workbook (.xlsx) or a CSV file (.csv)")


def _read_workbook(content: bytes) -> list[list[Any]]:
    # openpyxl (with Pillow, which it loads) is about 12 MB a worker: loaded when a workbook
    # is first read, not by every worker at start.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), data_only=True, read_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRefused(
            "This file is not an Excel workbook that can be read: save it as .xlsx and try again"
        ) from error
    sheet = workbook.worksheets[0]
    if sheet.max_row > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileRefused(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files")
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        # A cell merged down several rows (a priority beside its actions) counts on each of
        # them; one merged across a row (a heading row) keeps its value in its first cell.
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for row_index in range(merged.min_row - 1, merged.max_row):
            rows[row_index][merged.min_col - 1] = value
    return rows


def _read_csv(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise FileRefused("The CSV file's characters cannot be read: save it as UTF-8")
    if "\x00" in text:
        raise FileRefused("This file is not a CSV file: save the plan as .xlsx or .csv")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileRefused(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files")
    return rows


def read_sheet(filename: str, content: bytes) -> Sheet:
    """The plan's rows under its header row, with a priority on every action row."""
    table = read_table(filename, content)
    header_index, columns = _find_header(table)
    rows: list[SheetRow] = []
    current_priority: Any = None
    for offset, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        cells = {
            key: _clean(raw[index]) if index < len(raw) else None for key, index in columns.items()
        }
        filled = [_clean(value) for value in raw if _clean(value) not in (None, "")]
        if not filled:
            continue
        if cells.get("action") is None and len(filled) == 1:
            # A heading row naming the priority for the actions below it.
            current_priority = filled[0]
            continue
        inherited = False
        if cells.get("priority") is None:
            cells["priority"] = current_priority
            inherited = current_priority is not None
        else:
            current_priority = cells["priority"]
        rows.append(SheetRow(offset, cells, inherited))
    if len(rows) > MAX_ROWS:
        raise FileRefused(f"The file has more than {MAX_ROWS:,} rows: split it into smaller files")
    from openpyxl.utils import get_column_letter

    letters = {key: get_column_letter(index + 1) for key, index in columns.items()}
    return Sheet(rows, header_index + 1, letters)


def _find_header(table: list[list[Any]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, heading in enumerate(row):
            key = _heading_key(heading)
            if key is not None and key not in columns:
                columns[key] = position
        if all(key in columns for key in REQUIRED_COLUMNS):
            return index, columns
    raise FileRefused(
        "No header row was found: the first 30 rows need one with at least the columns "
        "Priority and Action (download the template to see every column)"
    )


# --- Values --------------------------------------------------------------------------------

DATE_PATTERNS = (
    re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def parse_date(value: Any) -> date:
    """A cell as a date: an Excel date, or text such as 31/03/2027, 2027-03-31, 31 March 2027.
    Raises ValueError with the reason."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year = int(match["y"])
            year = year + 2000 if year < 100 else year
            return _real_date(text, year, int(match["m"]), int(match["d"]))
    match = re.match(r"^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+),? (\d{4})$", text)
    if match and match[2].lower() in MONTHS:
        return _real_date(text, int(match[3]), MONTHS[match[2].lower()], int(match[1]))
    raise ValueError(f"{text} is not a date: write it as 31/03/2027")


def _real_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text} is not a real date") from None


# What people type for each status, lower-cased: the word or its first letter.
STATUS_WORDS = {
    typed: status for status in ("red", "amber", "green") for typed in (status, status[0])
}


def parse_status(value: Any) -> str:
    """Red, R, red (and so on) as the status; raises ValueError for anything else."""
    word = str(value).strip().lower()
    if word in STATUS_WORDS:
        return STATUS_WORDS[word]
    raise ValueError(f"status {str(value).strip()} is not one of Red, Amber or Green")


def split_list(value: Any) -> list[str]:
    """A cell holding several names or e-mails, separated by ; (or new lines, or commas for
    e-mails), without blanks or repeats."""
    if value is None:
        return []
    parts = re.split(r"[;\n]", str(value))
    seen: dict[str, str] = {}
    for part in parts:
        cleaned = " ".join(part.split())
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return list(seen.values())
