"""The command line: clear one-line errors for bad configuration, and the demo loader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.plans.demo_content import DEMO_PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_flask(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "cli-test"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("::not a database url::", "tracker: DATABASE_URL is not a valid database URL"),
        ("oracle://scott:tiger@localhost/orcl", "tracker: DATABASE_URL uses 'oracle'"),
        (
            "postgresql://tracker:s3cret-pass@127.0.0.1:1/tracker",
            "tracker: cannot connect to the database",
        ),
        ("sqlite:////no/such/directory/tracker.db", "tracker: cannot connect to the database"),
    ],
)
def test_bad_database_gives_one_line_and_nonzero_exit(tmp_path, database_url, expected):
    result = run_flask("seed-demo", database_url=database_url, tmp_path=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected)
    assert "Traceback" not in result.stderr
    assert "s3cret-pass" not in result.stderr


def test_seed_demo_loads_once_and_prints_sign_ins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded the demo plan" in first.output
    assert DEMO_PASSWORD in first.output
    for email in ("admin@example.org", "coordinator@example.org", "viewer@example.org"):
        assert email in first.output

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "already loaded" in again.output


def test_seed_demo_if_empty_leaves_an_existing_plan_alone(app, session):
    from tests.support.factories import make_plan_version
    from tracker.models import Plan

    make_plan_version(session)
    session.commit()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "demo plan was not loaded" in result.output
    assert session.query(Plan).count() == 1
