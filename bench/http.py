"""`make bench-http`: the pages as people meet them, over HTTP, under gunicorn as `make serve`
runs it (2 workers), driven by wrk over loopback.

Run against a database filled by `flask --app wsgi bench-data`. For each page: 5 s of
warm-up, then 20 s measured with 4 connections, each request on a new connection
(`Connection: close`) so both workers serve. Prints requests a second, p50/p95/p99,
non-2xx answers and the workers' peak memory; then 200 update saves one after another
(htmx), checking after each that the very next roll-up answer shows it; then the roll-up's
SQL aggregate alone, in-process, so the page can be read as a multiple of it, and each page
alone in-process, drawn afresh, and an update save alone (on PostgreSQL each beside its
own SQL). It starts with a fixed piece of pure Python timed, so that runs on days of
different machine speed can be compared.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import event, select
from werkzeug.test import TestResponse

from bench.generate import BENCH_LEAD_EMAIL, BENCH_PASSWORD, BENCH_VIEWER_EMAIL
from bench.run import sign_in as run_sign_in
from tracker import create_app, settle_for_serving
from tracker.auth.passwords import hash_password
from tracker.dashboard.cache import forget_everything
from tracker.dashboard.services import default_period, rollup
from tracker.extensions import db
from tracker.models import Action, Priority, Report, ReportingPeriod, User
from tracker.plans.services import current_version
from tracker.reports.services import start_draft

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WARM_UP_SECONDS = int(os.environ.get("BENCH_WARM_UP", "5"))
MEASURED_SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
CONNECTIONS = 4
SAVES = 200
BENCH_COORDINATOR_EMAIL = "bench.coordinator@example.org"
# A lead of about 30 actions, as most leads are (the generated bench lead has hundreds).
BENCH_SMALL_LEAD_EMAIL = "bench.small.lead@example.org"
SMALL_LEAD_ACTIONS = 30
# Saves timed alone in-process beside their own SQL, and the label they are reported under.
SAVES_ALONE = 20
SAVE_ALONE = "Update save (htmx POST)"

# wrk's own latency percentiles, as one JSON line (wrk counts non-2xx answers itself).
WRK_REPORT = """
local headers = {}
headers["Cookie"] = os.getenv("BENCH_COOKIE")
headers["Connection"] = "close"
request = function()
  return wrk.format("GET", nil, headers)
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, ' ..
    '"socket_errors": %d, "bytes": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.bytes))
end
"""
# One load-generating thread is enough for 4 connections and leaves the second core to the
# server's two workers.
WRK_THREADS = 1


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_memory_mb(self) -> float:
        """The workers' peak resident memory, added up (VmHWM of each)."""
        total_kb = 0
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            total_kb += int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
        return total_kb / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve() -> Served:
    """gunicorn with `make serve`'s arguments (its access log to nowhere, not a terminal)."""
    port = free_port()
    environment = {**os.environ, "TWO_FACTOR_REQUIRED_ROLES": "admin"}  # see main()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--access-logfile", "-", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base_url}/login", timeout=5).status_code == 200:
                return Served(base_url, process)
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start within 30 s")


def signed_in(base_url: str, email: str) -> requests.Session:
    http = requests.Session()
    http.headers["Connection"] = "close"
    page = http.get(f"{base_url}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    answer = http.post(
        f"{base_url}/login",
        data={"email": email, "password": BENCH_PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{email} could not sign in: run bench-data first")
    return http


def cookie_of(http: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in http.cookies.items())


def wrk(url: str, cookie: str, seconds: int, script: Path) -> dict[str, float]:
    result = subprocess.run(  # noqa: S603 - wrk from Debian's package, our own arguments
        [
            shutil.which("wrk") or "wrk",
            f"--threads={WRK_THREADS}",
            f"--connections={CONNECTIONS}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={script}",
            url,
        ],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    report["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return report


def measure(label: str, url: str, cookie: str, script: Path, served: Served) -> dict[str, float]:
    wrk(url, cookie, WARM_UP_SECONDS, script)
    report = wrk(url, cookie, MEASURED_SECONDS, script)
    rate = report["requests"] / report["seconds"]
    kb = report["bytes"] / max(report["requests"], 1) / 1024
    print(
        f"{label:<44} {rate:7.1f} req/s   p50 {report['p50']:6.1f}  p95 {report['p95']:6.1f}  "
        f"p99 {report['p99']:6.1f} ms   non-2xx {report['non_2xx'] + report['socket_errors']:.0f}"
        f"   {kb:6.1f} KB/answer   workers' peak {served.peak_memory_mb():5.0f} MB",
        flush=True,
    )
    report["rate"] = rate
    return report


def prepare() -> dict[str, object]:
    """Ids the pages need, a coordinator for the draft's CSV, and a live draft."""
    app = create_app()
    with app.app_context():
        session = db.session
        version = current_version(session)
        assert version is not None, "no plan: run bench-data first"
        period = default_period(session, version)
        assert period is not None
        coordinator = session.scalar(select(User).where(User.email == BENCH_COORDINATOR_EMAIL))
        if coordinator is None:
            coordinator = User(
                email=BENCH_COORDINATOR_EMAIL,
                name="Bench Coordinator",
                role="coordinator",
                password_hash=hash_password(BENCH_PASSWORD),
            )
            session.add(coordinator)
            session.flush()
        if session.scalar(select(User).where(User.email == BENCH_SMALL_LEAD_EMAIL)) is None:
            small_lead = User(
                email=BENCH_SMALL_LEAD_EMAIL,
                name="Bench Small Lead",
                role="lead",
                password_hash=coordinator.password_hash,
            )
            session.add(small_lead)
            for action in session.scalars(
                select(Action)
                .join(Priority)
                .where(Priority.plan_version_id == version.id)
                .order_by(Action.id.desc())
                .limit(SMALL_LEAD_ACTIONS)
            ):
                action.responsible_users.append(small_lead)
        draft = session.scalar(select(Report).where(Report.period_id == period.id))
        if draft is None:
            draft = start_draft(
                session, period=period, subject="Benchmark update", author=coordinator
            )
        priority_ids = session.scalars(
            select(Priority.id).where(Priority.plan_version_id == version.id)
        ).all()
        session.commit()
        started = time.perf_counter()
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            rollup(session, version, period)
            timings.append((time.perf_counter() - started) * 1000)
        return {
            "plan_id": version.plan_id,
            "period_id": period.id,
            "priority_id": priority_ids[0],
            "draft_id": draft.id,
            "sql_ms": statistics.median(timings),
        }


def sequential_saves(served: Served, lead: requests.Session, ids: dict[str, object]) -> None:
    """SAVES updates one after another, each to another of the lead's actions; after each,
    the roll-up's JSON over HTTP must equal the roll-up computed afresh from the database.
    (Comparing it with the answer before the save would not do: the generated data dates
    some updates later in the period than now, and those stay each action's latest.)"""
    base, plan_id = served.base_url, ids["plan_id"]
    mine = _updatable_actions(lambda path: lead.get(path, timeout=60).text, base, plan_id, SAVES)
    assert len(mine) >= SAVES // 4, "the bench lead has too few actions"
    app = create_app()
    timings = []
    stale = 0
    for number in range(SAVES):
        action_id = mine[number % len(mine)]
        data = _update_data(
            lead.get(f"{base}/actions/{action_id}", timeout=60).text,
            rag=("red", "amber", "green")[number % 3],
            label=f"save {number}",
        )
        started = time.perf_counter()
        answer = lead.post(
            f"{base}/actions/{action_id}/updates",
            data=data,
            headers={"HX-Request": "true"},
            timeout=60,
        )
        timings.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            errors = re.findall(r"Error:</span>(.*?)</", answer.text, re.DOTALL)
            raise SystemExit(f"save {number} answered {answer.status_code}: {errors}")
        served_now = lead.get(f"{base}/api/v1/plans/{plan_id}/rollup", timeout=60).json()
        with app.app_context():
            version = current_version(db.session)
            assert version is not None
            period = db.session.get(ReportingPeriod, ids["period_id"])
            afresh = json.loads(app.json.dumps(rollup(db.session, version, period).as_dict()))
        stale += served_now != afresh
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    print(
        f"{f'{SAVES} update saves in turn (htmx POST)':<44} "
        f"p50 {cuts[49]:6.1f}  p95 {cuts[94]:6.1f}  p99 {cuts[98]:6.1f} ms   "
        f"next roll-up differing from one computed afresh: {stale} of {SAVES}",
        flush=True,
    )


def _updatable_actions(
    page_text: Callable[[str], str], base: str, plan_id: object, wanted: int
) -> list[int]:
    """The lead's actions with an "Add update" button (active ones, in an open period), from
    as many of their Your actions pages as it takes to find `wanted`."""
    mine: list[int] = []
    for number in range(1, 20):
        page = page_text(f"{base}/plans/{plan_id}/my-actions?page={number}")
        mine += [int(found) for found in re.findall(r'hx-get="/actions/(\d+)/update-form"', page)]
        if len(mine) >= wanted or f"page {number} of {number})" in page:
            break
    return mine[:wanted]


def _update_data(action_page: str, *, rag: str, label: str) -> dict[str, str]:
    """An update as the action page's form would post it (its token and loaded version)."""
    return {
        "csrf_token": _field(action_page, "csrf_token"),
        "version": _field(action_page, "version"),
        "rag": rag,
        "progress_text": f"Benchmark {label}: progress as planned this period.",
        "mitigation_text": "Benchmark: the lead agency is putting more staff on it.",
    }


def _field(form: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', form)
    assert found, f"no {name} on the action page"
    return found.group(1)


def db_is_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgresql")


def sql_per_request(
    pages: list[tuple[str, str]], plan_id: object
) -> dict[str, tuple[float, float]]:
    """The time each page's own SQL statements take in one request, and the whole request's
    (medians of 5), in this process through the test client, computing the page afresh (a
    kept roll-up runs almost none: its figure is the SQL the answer was made from); then the
    same for an update save (median of SAVES_ALONE, each to another of the bench lead's
    actions), under SAVE_ALONE.

    The whole request alone, with no other request waiting for a worker, is the page's cost
    as a multiple of its SQL; over HTTP, four connections share two workers and the database
    the same two cores, so a p50 there is about twice the cost even of a page made only of
    SQL."""
    app = create_app()
    settle_for_serving()  # as wsgi.py settles each worker before its first request
    with app.app_context():
        engine = db.engine
    spent = [0.0]

    def started(conn, *_args: object) -> None:  # type: ignore[no-untyped-def]
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def finished(conn, *_args: object) -> None:  # type: ignore[no-untyped-def]
        spent[0] += time.perf_counter() - conn.info["bench_started"].pop()

    who = {
        "Your actions (lead of 30 actions)": run_sign_in(app, BENCH_SMALL_LEAD_EMAIL),
        "Your actions (bench lead)": run_sign_in(app, BENCH_LEAD_EMAIL),
        "CSV of a live draft (all actions)": run_sign_in(app, BENCH_COORDINATOR_EMAIL),
    }
    viewer = run_sign_in(app, BENCH_VIEWER_EMAIL)
    bench_lead = who["Your actions (bench lead)"]
    saves = [
        (
            action_id,
            _update_data(
                bench_lead.get(f"/actions/{action_id}").get_data(as_text=True),
                rag="amber",
                label="save alone",
            ),
        )
        for action_id in _updatable_actions(
            lambda path: bench_lead.get(path).get_data(as_text=True), "", plan_id, SAVES_ALONE
        )
    ]

    def timed(
        request: Callable[..., TestResponse], *args: Any, **kwargs: Any
    ) -> tuple[float, float]:
        """One request's own SQL and its whole time, in ms; it must answer 200."""
        spent[0] = 0.0
        started_at = time.perf_counter()
        answer = request(*args, **kwargs)
        whole = (time.perf_counter() - started_at) * 1000
        assert answer.status_code == 200, (answer.request.path, answer.status_code)
        return spent[0] * 1000, whole

    def medians_of(samples: list[tuple[float, float]]) -> tuple[float, float]:
        return (
            statistics.median(sql for sql, _ in samples),
            statistics.median(whole for _, whole in samples),
        )

    event.listen(engine, "before_cursor_execute", started)
    event.listen(engine, "after_cursor_execute", finished)
    medians = {}
    try:
        for label, path in pages:
            client = who.get(label, viewer)
            client.get(path)
            samples = []
            for _ in range(5):
                forget_everything()
                samples.append(timed(client.get, path))
            medians[label] = medians_of(samples)
        medians[SAVE_ALONE] = medians_of(
            [
                timed(
                    bench_lead.post,
                    f"/actions/{action_id}/updates",
                    data=data,
                    headers={"HX-Request": "true"},
                )
                for action_id, data in saves
            ]
        )
    finally:
        event.remove(engine, "before_cursor_execute", started)
        event.remove(engine, "after_cursor_execute", finished)
    return medians


def machine_speed() -> str:
    """A fixed piece of pure Python, timed as CPU seconds (median of 3): the same on every
    run of any version of the code, so that runs on different days can be compared. The
    issue's own figures were taken when it took about 0.56-0.79 s."""
    timings = []
    for _ in range(3):
        started = time.process_time()
        sum(range(3 * 10**7))
        timings.append(time.process_time() - started)
    return f"Machine: sum(range(3 * 10**7)) took {statistics.median(timings):.2f} s of CPU"


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench-http does this)")
    print(machine_speed(), flush=True)
    # The bench coordinator signs in with a password alone (for the draft's CSV).
    os.environ["TWO_FACTOR_REQUIRED_ROLES"] = "admin"
    ids = prepare()
    plan = f"/plans/{ids['plan_id']}"
    print(f"Database: {os.environ.get('DATABASE_URL', 'sqlite (instance/)').split('@')[-1]}")
    served = serve()
    try:
        viewer = signed_in(served.base_url, BENCH_VIEWER_EMAIL)
        lead = signed_in(served.base_url, BENCH_LEAD_EMAIL)
        coordinator = signed_in(served.base_url, BENCH_COORDINATOR_EMAIL)
        small_lead = signed_in(served.base_url, BENCH_SMALL_LEAD_EMAIL)
        with tempfile.TemporaryDirectory() as scratch:
            script = Path(scratch) / "report.lua"
            script.write_text(WRK_REPORT)
            base = served.base_url
            period = f"period={ids['period_id']}"
            pages = [
                ("Your account (bare page)", f"{base}/account", viewer),
                ("Roll-up page", f"{base}{plan}/rollup?{period}", viewer),
                ("Roll-up JSON", f"{base}/api/v1{plan}/rollup?{period}", viewer),
                (
                    "Drill-down of one priority",
                    f"{base}{plan}/rollup/actions?{period}&priority={ids['priority_id']}",
                    viewer,
                ),
                ("Your actions (lead of 30 actions)", f"{base}{plan}/my-actions", small_lead),
                ("Your actions (bench lead)", f"{base}{plan}/my-actions", lead),
                ("Plan overview", f"{base}{plan}", viewer),
                (
                    "CSV of a live draft (all actions)",
                    f"{base}/reports/{ids['draft_id']}/download/csv",
                    coordinator,
                ),
            ]
            results = {}
            for label, url, who in pages:
                results[label] = measure(label, url, cookie_of(who), script, served)
        sequential_saves(served, lead, ids)
        account = results["Your account (bare page)"]["rate"]
        for label in ("Roll-up page", "Roll-up JSON"):
            share = 100 * results[label]["rate"] / account
            print(f"{label}: {share:.0f}% of Your account's requests a second")
        sql = float(ids["sql_ms"])  # type: ignore[arg-type]
        print(f"rollup() SQL aggregate alone, in-process: median {sql:.1f} ms")
        own_sql = sql_per_request(
            [(label, url.removeprefix(base)) for label, url, _ in pages], ids["plan_id"]
        )
        for label, report in results.items():
            sql_ms, alone_ms = own_sql[label]
            if db_is_postgresql():
                mine = (
                    f", {report['p50'] / sql_ms:5.1f}× its own SQL ({sql_ms:.1f} ms); "
                    f"alone in-process {alone_ms:.1f} ms = {alone_ms / sql_ms:.1f}× its SQL"
                )
            else:
                # SQLite steps a statement's rows while they are read, so its own SQL cannot
                # be timed apart from the Python reading it (psycopg has every row first).
                mine = f"; alone in-process, drawn afresh, {alone_ms:.1f} ms"
            print(
                f"  {label:<40} p50 {report['p50']:6.1f} ms = {report['p50'] / sql:5.1f}× the "
                f"aggregate{mine}"
            )
        sql_ms, alone_ms = own_sql[SAVE_ALONE]
        mine = ""
        if db_is_postgresql():
            mine = f" = {alone_ms / sql_ms:.1f}× its SQL ({sql_ms:.1f} ms)"
        print(f"  {SAVE_ALONE:<40} alone in-process {alone_ms:.1f} ms{mine}")
        print(f"Workers' peak memory, both together: {served.peak_memory_mb():.0f} MB")
    finally:
        served.process.send_signal(signal.SIGTERM)
        served.process.wait(timeout=30)


if __name__ == "__main__":
    main()
