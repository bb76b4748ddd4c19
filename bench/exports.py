"""`make bench`, report exports: publish a board report for a 300-action plan version and
time its Word, PDF, Excel and CSV downloads.

Run against a database from `bench-data --actions 1800` (300 actions in each plan version).
Each format is downloaded in a fresh process, through the test client as a signed-in viewer,
so that process's peak memory (max RSS) is that format's own: the first download (cold:
imports, fonts, template compilation) and the median of the warm ones are printed.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date

from sqlalchemy import func, select

from bench.generate import BENCH_VIEWER_EMAIL
from bench.run import sign_in
from tracker import create_app
from tracker.audit import acting_as
from tracker.dashboard.services import default_period
from tracker.extensions import db
from tracker.models import Action, Priority, User
from tracker.plans.services import current_version
from tracker.reports.services import publish, start_draft

FORMATS = ("docx", "pdf", "xlsx", "csv")
WARM_RUNS = {"docx": 5, "pdf": 3, "xlsx": 5, "csv": 5}
GOALS = {"docx": "under 2 s", "pdf": "under 6 s", "xlsx": "under 2 s", "csv": "reported"}


def publish_bench_report() -> tuple[int, int, float]:
    """A published report for the first plan's current version: (id, actions, seconds)."""
    app = create_app()
    with app.app_context():
        session = db.session
        version = current_version(session)
        assert version is not None, "no plan: run bench-data first"
        period = default_period(session, version)
        assert period is not None
        actions = session.scalar(
            select(func.count())
            .select_from(Action)
            .join(Priority)
            .where(Priority.plan_version_id == version.id)
        )
        author = session.scalar(select(User).where(User.email == BENCH_VIEWER_EMAIL))
        with acting_as(author):
            report = start_draft(session, period=period, subject="Benchmark report", author=author)
            report.authors = [{"name": "Bench Viewer", "role": "Community Safety Manager"}]
            report.meeting = "Benchmark Partnership Board"
            report.meeting_date = date(2027, 3, 10)
            report.summary = "The periodic update on the action plan."
            report.sections = [{"heading": "Background", "body": "Text.\n\nMore text."}]
            report.recommendations = "Note the report."
            session.commit()
            started = time.perf_counter()
            publish(session, report, author)
            session.commit()
            seconds = time.perf_counter() - started
        return report.id, actions or 0, seconds


def time_downloads(report_id: int, fmt: str) -> dict[str, float]:
    """In this process: one cold download, then the warm ones; peak memory at the end."""
    app = create_app()
    client = sign_in(app)
    url = f"/reports/{report_id}/download/{fmt}"
    samples = []
    size = 0
    for _ in range(1 + WARM_RUNS[fmt]):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    return {
        "cold": samples[0],
        "median": statistics.median(samples[1:]),
        "slowest": max(samples[1:]),
        "bytes": size,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    report_id, actions, publish_seconds = publish_bench_report()
    print(f"Report exports: a plan version of {actions:,} actions")
    print(f"publish (build and freeze the report)  {publish_seconds * 1000:7.0f} ms")
    for fmt in FORMATS:
        child = subprocess.run(  # noqa: S603 (this interpreter, this module)
            [sys.executable, "-m", "bench.exports", "--one", str(report_id), fmt],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"GET download/{fmt:<5} cold {figures['cold'] * 1000:6.0f} ms   "
            f"warm median {figures['median'] * 1000:6.0f} ms   "
            f"slowest {figures['slowest'] * 1000:6.0f} ms   "
            f"{figures['bytes'] / 1024:6.0f} KB   peak memory {figures['peak_mb']:4.0f} MB   "
            f"(goal: {GOALS[fmt]})"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(time_downloads(int(sys.argv[2]), sys.argv[3])))
    else:
        main()
