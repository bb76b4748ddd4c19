"""`flask --app wsgi export`: the same files as the download links, from the command line."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import func, select

from tests.reports.conftest import period_named
from tests.reports.readers import csv_rows, docx_headings, docx_of, pdf_pages, xlsx_values
from tests.test_cli import run_flask
from tracker.models import Action, ActionState
from tracker.reports.services import publish


def test_the_documented_command_writes_a_published_reports_word_file(
    demo, draft, database_url, tmp_path
):
    publish(demo, draft, draft.created_by)
    demo.commit()
    output = tmp_path / "board paper.docx"
    result = run_flask(
        "export",
        "--report",
        str(draft.id),
        "--format",
        "docx",
        "--output",
        str(output),
        database_url=database_url,
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {output} (")
    assert "Action plan update, Oct–Nov 2026, published." in result.stdout
    assert docx_headings(docx_of(output.read_bytes()))[0] == ("Title", "Action plan update")


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_a_period_exports_straight_from_its_data(app, demo, tmp_path, fmt):
    period = period_named(demo)
    output = tmp_path / f"summary.{fmt}"
    result = app.test_cli_runner().invoke(
        args=["export", "--period", str(period.id), "--format", fmt, "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "generated from live data" in result.output
    data = output.read_bytes()
    if fmt == "pdf":
        assert "Generated from live data. For Oct–Nov 2026" in pdf_pages(data)[0]
    elif fmt == "xlsx":
        assert ("Report status", "Generated from live data") in xlsx_values(data)["About"]
    else:
        counted = demo.scalar(
            select(func.count()).select_from(Action).where(Action.state != ActionState.CLOSED)
        )
        assert csv_rows(data)[0][0] == "Priority" and len(csv_rows(data)) == counted + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "pdf", "--output", "x.pdf"],
            "Give exactly one of --report ID or --period ID",
        ),
        (
            ["--report", "1", "--period", "1", "--format", "pdf", "--output", "x.pdf"],
            "Give exactly one of --report ID or --period ID",
        ),
        (["--report", "999", "--format", "pdf", "--output", "x.pdf"], "there is no report 999"),
        (
            ["--period", "999", "--format", "pdf", "--output", "x.pdf"],
            "there is no reporting period 999",
        ),
        (["--period", "1", "--format", "odt", "--output", "x.odt"], "'odt' is not one of"),
        (
            ["--period", "1", "--format", "csv", "--output", "/no/such/folder/x.csv"],
            "could not write /no/such/folder/x.csv",
        ),
    ],
    ids=["neither", "both", "no-report", "no-period", "bad-format", "unwritable"],
)
def test_bad_arguments_give_a_clear_error_and_a_nonzero_exit(app, demo, args, message):
    result = app.test_cli_runner().invoke(args=["export", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_pdf_library_is_a_clear_error(app, demo, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    output = tmp_path / "x.pdf"
    result = app.test_cli_runner().invoke(
        args=["export", "--period", "1", "--format", "pdf", "--output", str(output)]
    )
    assert result.exit_code == 1
    assert "PDF export needs the Pango text layout library" in result.output
    assert not output.exists()
