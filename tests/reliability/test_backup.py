"""Backup and restore keep every row; files are written whole or not at all."""

from __future__ import annotations

import contextvars
import os
import resource
import signal
import subprocess
import sys

from sqlalchemy import func, select

from tests.conftest import make_app, run_cli, sign_in
from tests.support.databases import TEST_ENCRYPTION_KEY, TEST_SECRET_KEY
from tests.support.factories import make_user
from tests.support.served import PROJECT_ROOT
from tracker.extensions import db
from tracker.models import AuditEvent, ReportingPeriod, SignInAttempt


def every_row(app) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, read through the app's own models."""

    def read() -> dict[str, list[tuple]]:
        with app.app_context():
            rows = {
                table.name: [
                    tuple(row)
                    for row in db.session.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in db.metadata.sorted_tables
            }
            db.session.remove()
            return rows

    return contextvars.Context().run(read)


def test_a_restored_backup_holds_every_row_audit_trail_included(
    app, session, databases, tmp_path, demo_plan
):
    user = make_user(session, two_factor=True)  # an encrypted secret must survive too
    session.commit()
    sign_in(app.test_client(), user.email, "a wrong password")  # a failed attempt, audited
    assert session.scalar(select(func.count()).select_from(AuditEvent)) > 0
    assert session.scalar(select(func.count()).select_from(SignInAttempt)) == 1
    session.close()
    original = every_row(app)

    backup = tmp_path / "tracker-backup"
    made = run_cli(app, ["backup", "--output", str(backup)])
    assert made.exit_code == 0, made.output
    assert f"database to {backup}" in made.output

    empty_url = databases.create_empty()
    fresh = make_app(empty_url, tmp_path / "fresh")
    try:
        restored = run_cli(fresh, ["restore", str(backup)])
        assert restored.exit_code == 0, restored.output
        copy = every_row(fresh)
        assert copy == original
        assert len(copy["audit_event"]) == len(original["audit_event"]) > 0
        for table in (
            "action",
            "action_update",
            "audit_event",
            "reporting_period",
            "sign_in_attempt",
            "user_account",
        ):
            assert copy[table], f"{table} came back with its rows"
    finally:
        with fresh.app_context():
            db.engine.dispose()
        databases.drop(empty_url)


def test_restore_refuses_a_database_that_holds_data_unless_forced(
    app, session, tmp_path, demo_plan
):
    backup = tmp_path / "tracker-backup"
    assert run_cli(app, ["backup", "--output", str(backup)]).exit_code == 0
    period = session.scalar(select(ReportingPeriod).order_by(ReportingPeriod.id))
    period_id, backed_up_name = period.id, period.name
    period.name = "Renamed after the backup"
    session.commit()

    def name_now() -> str:
        session.rollback()
        return session.scalar(select(ReportingPeriod.name).where(ReportingPeriod.id == period_id))

    session.close()
    refused = run_cli(app, ["restore", str(backup)])
    assert refused.exit_code == 1
    assert "the database already holds data" in refused.output
    assert "--force" in refused.output
    assert name_now() == "Renamed after the backup", "nothing was touched"
    session.close()

    forced = run_cli(app, ["restore", str(backup), "--force"])
    assert forced.exit_code == 0, forced.output
    assert name_now() == backed_up_name, "the backup's own rows are back"


def test_a_file_that_is_not_a_backup_is_refused(app, tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("meeting notes")
    result = run_cli(app, ["restore", str(not_a_backup), "--force"])
    assert result.exit_code == 1
    assert "is not a backup made by this command" in result.output


def _run_with_a_disk_that_fills(database_url: str, args: list[str], limit: int):
    """The real CLI in its own process, where any file grows no larger than `limit` bytes:
    a write past it fails, as on a full disk."""

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        },
        preexec_fn=small_disk,  # noqa: PLW1509 - only sets limits, no threads involved
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_full_disk_leaves_the_previous_backup_and_export_whole(
    session, database_url, tmp_path, demo_plan
):
    period_id = session.scalar(select(func.min(ReportingPeriod.id)))
    folder = tmp_path / "out"
    folder.mkdir()
    previous_backup = folder / "tracker-backup"
    previous_backup.write_bytes(b"yesterday's backup")
    previous_export = folder / "board.docx"
    previous_export.write_bytes(b"last month's paper")

    backup = _run_with_a_disk_that_fills(
        database_url, ["backup", "--output", str(previous_backup)], limit=16_384
    )
    export = _run_with_a_disk_that_fills(
        database_url,
        [
            "export",
            "--period",
            str(period_id),
            "--format",
            "docx",
            "--output",
            str(previous_export),
        ],
        limit=4_096,
    )
    assert backup.returncode == 1, backup.stderr
    assert export.returncode == 1, export.stderr
    assert "could not write" in export.stderr or "could not copy" in export.stderr
    assert previous_backup.read_bytes() == b"yesterday's backup"
    assert previous_export.read_bytes() == b"last month's paper"
    assert sorted(path.name for path in folder.iterdir()) == ["board.docx", "tracker-backup"], (
        "no partial file left behind"
    )


def test_backup_and_export_replace_the_previous_file_when_they_succeed(
    session, database_url, tmp_path, demo_plan
):
    target = tmp_path / "tracker-backup"
    target.write_bytes(b"yesterday's backup")
    result = _run_with_a_disk_that_fills(
        database_url, ["backup", "--output", str(target)], limit=resource.RLIM_INFINITY
    )
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert sorted(path.name for path in tmp_path.iterdir() if path.is_file()) == ["tracker-backup"]
