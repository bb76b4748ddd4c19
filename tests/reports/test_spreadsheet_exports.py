"""The Excel and CSV exports: the roll-up's actions and numbers, shown as typed and never run."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.support.factories import make_organisation, make_theme, make_update
from tracker.dashboard.services import NO_UPDATE_TEXT, STATUS_LABELS, STATUSES, rollup
from tracker.models import Action, ActionState, Priority, ReportingPeriod, Update
from tracker.reports.content import report_content
from tracker.reports.document import build_document
from tracker.reports.exports import RAG_COLOURS
from tracker.reports.exports.spreadsheets import (
    ACTION_COLUMNS,
    action_rows,
    render_csv,
    render_xlsx,
)

PERIOD = "Oct–Nov 2026"
STATUS_OF_LABEL = {label: status for status, label in STATUS_LABELS.items()}
INJECTIONS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)"]
BOM = "\ufeff".encode()


def period_named(session, name: str = PERIOD) -> ReportingPeriod:
    return session.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))


def document_for(session, period: ReportingPeriod, status: dict | None = None) -> dict:
    """A board paper for the period, as composing a report builds it."""
    document = build_document(
        authors=[{"name": "Sam Patel", "role": "Community Safety Manager"}],
        meeting="County Community Safety Partnership",
        meeting_date=None,
        classification="For Information",
        subject="Action plan update",
        summary="",
        sections=[],
        recommendations="",
        attachments="",
        contacts=[],
        appendices=[],
        content=report_content(session, period),
    )
    document["status"] = status or {
        "key": "draft",
        "label": "Draft",
        "published_at": None,
        "published_by": None,
        "withdrawn_at": None,
        "withdrawn_reason": "",
    }
    return document


def xlsx_action_rows(data: bytes) -> list[list[str]]:
    """The Action plan sheet's rows below the header, dates as ISO text like the CSV."""
    sheet = load_workbook(BytesIO(data))["Action plan"]
    rows = []
    for values in sheet.iter_rows(min_row=2, values_only=True):
        rows.append(
            [
                value.date().isoformat()
                if isinstance(value, datetime)
                else ("" if value is None else value)
                for value in values
            ]
        )
    return rows


def csv_lines(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def csv_action_rows(data: bytes) -> list[list[str]]:
    header, *rows = csv_lines(data)
    assert header == list(ACTION_COLUMNS)
    return rows


READERS = [(render_xlsx, xlsx_action_rows), (render_csv, csv_action_rows)]
READER_IDS = ["xlsx", "csv"]


def latest_update_in(session, period: ReportingPeriod) -> dict[int, Update]:
    """Each action's latest update written for the period, straight from the table."""
    latest: dict[int, Update] = {}
    for update in session.scalars(
        select(Update).where(Update.period_id == period.id).order_by(Update.recorded_at, Update.id)
    ):
        latest[update.action_id] = update
    return latest


def column(row: list[str], name: str) -> str:
    return row[ACTION_COLUMNS.index(name)]


@pytest.mark.parametrize(("render", "read_rows"), READERS, ids=READER_IDS)
def test_every_counted_action_appears_once_with_its_priority_status_and_progress(
    session, render, read_rows, demo_plan
):
    period = period_named(session)
    rows = read_rows(render(document_for(session, period)))

    actions = session.scalars(select(Action).join(Priority)).all()
    counted = [action for action in actions if action.state != ActionState.CLOSED]
    assert len(counted) < len(actions), "the demo closes an action as business as usual"
    assert Counter((column(row, "Priority"), column(row, "Action")) for row in rows) == Counter(
        (action.priority.name, action.title) for action in counted
    ), "every counted action, once"

    latest = latest_update_in(session, period)
    row_of = {(column(row, "Priority"), column(row, "Action")): row for row in rows}
    for action in counted:
        row = row_of[(action.priority.name, action.title)]
        update = latest.get(action.id)
        assert column(row, "Progress") == (update.progress_text if update else NO_UPDATE_TEXT)
        assert column(row, "Last update") == (
            update.recorded_at.date().isoformat() if update else ""
        )
        owner = action.owner_organisation
        assert column(row, "Lead") == (owner.name if owner else "")
        assert column(row, "Themes") == "; ".join(theme.name for theme in action.themes)

    summary = rollup(session, period.plan_version, period)
    for priority in summary.priorities:
        words = Counter(
            column(row, "RAG") for row in rows if column(row, "Priority") == priority.name
        )
        assert words == +Counter({STATUS_LABELS[s]: n for s, n in priority.counts.items()})


@pytest.mark.parametrize(("render", "read_rows"), READERS, ids=READER_IDS)
def test_no_update_rows_are_the_actions_with_nothing_written_this_period(
    session, render, read_rows, demo_plan
):
    period = period_named(session)
    rows = read_rows(render(document_for(session, period)))
    summary = rollup(session, period.plan_version, period)

    stale = [row for row in rows if column(row, "RAG") == STATUS_LABELS["none"]]
    assert len(stale) == summary.priority_totals.counts["none"] > 0
    assert all(column(row, "Progress") == NO_UPDATE_TEXT for row in stale)
    assert all(column(row, "Last update") == "" for row in stale)
    # A completed action with nothing written this period says so too, under its own status.
    silent = [row for row in rows if column(row, "Progress") == NO_UPDATE_TEXT]
    written = latest_update_in(session, period)
    counted = session.scalars(select(Action).where(Action.state != ActionState.CLOSED)).all()
    assert len(silent) == len([action for action in counted if action.id not in written])


def test_action_plan_sheet_is_filtered_frozen_and_coloured_by_status(session, demo_plan):
    period = period_named(session)
    workbook = load_workbook(BytesIO(render_xlsx(document_for(session, period))))
    sheet = workbook["Action plan"]
    counted = session.scalars(select(Action).where(Action.state != ActionState.CLOSED)).all()

    assert workbook.sheetnames == ["Action plan", "Roll-up", "Grants", "About"]
    assert [cell.value for cell in sheet[1]] == list(ACTION_COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == len(counted) + 1
    assert sheet.auto_filter.ref == f"A1:H{len(counted) + 1}"

    statuses_seen = set()
    for cells in sheet.iter_rows(min_row=2):
        by_name = dict(zip(ACTION_COLUMNS, cells, strict=True))
        status = STATUS_OF_LABEL[by_name["RAG"].value]
        fill, text = RAG_COLOURS[status]
        assert by_name["RAG"].fill.fgColor.rgb[-6:] == fill
        assert by_name["RAG"].font.color.rgb[-6:] == text
        assert by_name["Action"].alignment.wrap_text and by_name["Progress"].alignment.wrap_text
        if by_name["Last update"].value is not None:
            assert isinstance(by_name["Last update"].value, datetime)
            assert by_name["Last update"].number_format == "dd/mm/yyyy"
        statuses_seen.add(status)
    assert statuses_seen == set(STATUSES), "the demo shows every status"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["E"].width


def counts_table(sheet, heading: str) -> list[tuple]:
    """The table under the header row starting with `heading`, up to the blank row."""
    values = list(sheet.iter_rows(values_only=True))
    start = next(number for number, row in enumerate(values) if row[0] == heading)
    table = []
    for row in values[start:]:
        if row[0] is None:
            break
        table.append(row)
    return table


def test_rollup_sheet_has_the_rollups_numbers_for_the_period(session, demo_plan):
    period = period_named(session, "Aug–Sep 2026")  # not the latest: the period is honoured
    workbook = load_workbook(BytesIO(render_xlsx(document_for(session, period))))
    sheet = workbook["Roll-up"]
    summary = rollup(session, period.plan_version, period)
    assert (
        summary.priority_totals.counts
        != rollup(session, period.plan_version, period_named(session)).priority_totals.counts
    ), "the periods differ, so the test can tell them apart"

    labels = [STATUS_LABELS[status] for status in STATUSES]
    for heading, rows, totals in [
        ("Priority", summary.priorities, summary.priority_totals),
        ("Theme", summary.themes, summary.theme_totals),
    ]:
        header, *body = counts_table(sheet, heading)
        assert list(header) == [heading, "Overall", "Updated", *labels, "Total"]
        assert body == [
            (
                row.name,
                STATUS_LABELS[row.overall],
                f"{row.updated} of {row.expected}",
                *(row.counts[s] for s in STATUSES),
                row.total,
            )
            for row in [*rows, totals]
        ]

    for cells in sheet.iter_rows():
        if cells[0].value in ("Priority", "Theme"):
            assert all(cell.font.bold for cell in cells if cell.value is not None)
        elif cells[1].value in STATUS_OF_LABEL:
            fill, text = RAG_COLOURS[STATUS_OF_LABEL[cells[1].value]]
            assert cells[1].fill.fgColor.rgb[-6:] == fill
            assert cells[1].font.color.rgb[-6:] == text
    assert PERIOD not in str(sheet["A1"].value) and "Aug–Sep 2026" in sheet["A1"].value


def test_workbook_says_what_it_is_and_that_a_report_was_withdrawn(session, demo_plan):
    period = period_named(session)
    withdrawn = {
        "key": "withdrawn",
        "label": "Withdrawn",
        "published_at": "2026-12-01T09:00:00+00:00",
        "published_by": "Sam Patel",
        "withdrawn_at": "2026-12-03T10:00:00+00:00",
        "withdrawn_reason": "Figures for Road Safety were wrong.",
    }
    workbook = load_workbook(BytesIO(render_xlsx(document_for(session, period, withdrawn))))
    about = dict(workbook["About"].iter_rows(values_only=True))

    plan = period.plan_version.plan.name
    assert about["Title"] == "Action plan update"
    assert plan in about["Plan"]
    assert about["Period"].startswith(PERIOD) and "1 October 2026" in about["Period"]
    assert about["Report status"] == "Withdrawn"
    assert about["Reason withdrawn"] == "Figures for Road Safety were wrong."
    assert workbook.properties.title == "Action plan update"
    assert plan in workbook.properties.subject and PERIOD in workbook.properties.subject


def all_cells(workbook):
    for sheet in workbook:
        for cells in sheet.iter_rows():
            yield from cells


def test_formulas_typed_into_the_tracker_are_shown_not_run(session, demo_plan):
    period = period_named(session)
    title, progress, owner, theme = INJECTIONS
    action = session.scalars(select(Action).order_by(Action.id)).first()
    action.title = title
    action.owner_organisation = make_organisation(session, name=owner)
    action.themes = [make_theme(session, plan_version=period.plan_version, name=theme)]
    make_update(
        session,
        action=action,
        period=period,
        rag="red",
        progress_text=progress,
        recorded_at=datetime(2027, 1, 1, tzinfo=UTC),
    )
    session.commit()
    document = document_for(session, period)

    workbook = load_workbook(BytesIO(render_xlsx(document)))
    assert not [cell.coordinate for cell in all_cells(workbook) if cell.data_type == "f"]
    row = next(row for row in workbook["Action plan"].iter_rows() if row[2].value == "'" + title)
    cells = {cell.value: cell for cell in row}
    for text in INJECTIONS:
        assert cells["'" + text].data_type == "s"
    rollup_names = [cell.value for cell in workbook["Roll-up"]["A"]]
    assert "'" + theme in rollup_names

    fields = csv_lines(render_csv(document))[1]
    assert {"'" + text for text in INJECTIONS} <= set(fields)
    assert not [field for field in fields if field.startswith(("=", "+", "-", "@"))]


def test_money_accents_emoji_line_breaks_and_very_long_text_survive(session, demo_plan):
    period = period_named(session)
    first, second = session.scalars(select(Action).order_by(Action.id).limit(2)).all()
    typed = "£4,500 agreed with the café in Ashford – naïve estimate 🚦\nSecond line: “done”"
    long_text = "Long update. " * 3_077  # 40,001 characters
    for action, text in [(first, typed), (second, long_text)]:
        make_update(
            session,
            action=action,
            period=period,
            progress_text=text,
            recorded_at=datetime(2027, 1, 1, tzinfo=UTC),
        )
    session.commit()
    document = document_for(session, period)

    xlsx_progress = [column(row, "Progress") for row in xlsx_action_rows(render_xlsx(document))]
    assert typed in xlsx_progress
    shortened = next(text for text in xlsx_progress if text.startswith("Long update."))
    assert len(long_text) > 40_000 and len(shortened) <= 32_767
    assert shortened.endswith("…") and long_text.startswith(shortened[:-1])

    data = render_csv(document)
    csv_progress = [column(row, "Progress") for row in csv_action_rows(data)]
    assert typed in csv_progress and long_text in csv_progress
    assert '"' + typed.replace('"', '""') + '"' in data.decode("utf-8-sig")


# Unit tests on a hand-made document: no database needed.


def document_with(*actions: dict) -> dict:
    """The smallest document the exports accept, its one priority holding these actions."""
    totals = {"name": "All", "overall_status": "none", "counts": dict.fromkeys(STATUSES, 0)}
    return {
        "header": {
            "authors": [],
            "meeting": "",
            "meeting_date_text": "",
            "classification": "For Information",
            "subject": "Unit test",
        },
        "status": {"key": "generated", "label": "Generated from live data"},
        "content": {
            "plan": "Test plan",
            "plan_version": "2026/27",
            "period": {"name": "Oct–Nov 2026", "start": "2026-10-01", "end": "2026-11-30"},
            "statuses": [{"key": key, "label": STATUS_LABELS[key]} for key in STATUSES],
            "summary": {
                "priorities": [],
                "priority_totals": {**totals, "total": 0},
                "themes": [],
                "theme_totals": {**totals, "total": 0},
            },
            "priorities": [
                {
                    "name": "Road Safety",
                    "actions": [
                        {
                            "title": "An action",
                            "owner": "Kent Police",
                            "themes": [],
                            "status": "green",
                            "progress": "On track.",
                            "updated": "2026-11-02",
                            **action,
                            "status_label": STATUS_LABELS[action.get("status", "green")],
                        }
                        for action in actions
                    ],
                }
            ],
        },
    }


@pytest.mark.parametrize("text", [*INJECTIONS, "\tcmd", "\r=1+1"])
@pytest.mark.parametrize("field", ["title", "owner", "progress"])
def test_every_text_column_is_neutralised(field, text):
    document = document_with({field: text})
    assert "'" + text in action_rows(document)[0]
    cells = load_workbook(BytesIO(render_xlsx(document)))["Action plan"][2]
    # In the workbook a line end is one line break (a CR becomes LF), still neutralised.
    neutralised = {"'" + text, "'" + text.replace("\r", "\n")}
    shown = [cell for cell in cells if cell.value in neutralised]
    assert shown and all(cell.data_type == "s" for cell in shown)
    assert "'" + text in csv_action_rows(render_csv(document))[0]


def test_characters_excel_refuses_are_dropped_without_uncovering_a_formula():
    document = document_with({"title": "\x01=cmd|'/C calc'!A0", "progress": "Bell\x07 rung."})
    row = xlsx_action_rows(render_xlsx(document))[0]
    assert column(row, "Action") == "'=cmd|'/C calc'!A0"
    assert column(row, "Progress") == "Bell rung."


def test_long_text_is_cut_as_excel_counts_never_through_an_emoji():
    # Each emoji is two of Excel's characters: 20,000 of them are 40,000.
    document = document_with({"progress": "🚦" * 20_000})
    progress = column(xlsx_action_rows(render_xlsx(document))[0], "Progress")
    assert progress.endswith("…") and set(progress[:-1]) == {"🚦"}
    assert len(progress.encode("utf-16-le")) // 2 <= 32_767
