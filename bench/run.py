"""`make bench`: time pages through the test client against the bench database.

Run after `flask --app wsgi bench-data`; prints median and 95th percentile over 50 requests
and the number of SQL queries each request makes.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable

from flask import Flask
from sqlalchemy import event, func, select

from bench.generate import BENCH_LEAD_EMAIL, BENCH_PASSWORD, BENCH_VIEWER_EMAIL
from tracker import create_app, settle_for_serving
from tracker.dashboard.services import default_period, rollup
from tracker.extensions import db
from tracker.models import Action, Priority, ReportingPeriod, Update
from tracker.plans.services import action_statuses, current_version

REQUESTS = 50


def timed(label: str, request: Callable[[], object], engine) -> None:  # type: ignore[no-untyped-def]
    queries: list[int] = []
    in_request = [0]

    def count(*_args: object) -> None:
        in_request[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):  # warm caches and the template cache
            request()
        samples = []
        for _ in range(REQUESTS):
            in_request[0] = 0
            started = time.perf_counter()
            request()
            samples.append((time.perf_counter() - started) * 1000)
            queries.append(in_request[0])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    p95 = statistics.quantiles(samples, n=100, method="inclusive")[94]
    print(
        f"{label:<34} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries/request {min(queries)}–{max(queries)}"
    )


def sign_in(app: Flask, email: str = BENCH_VIEWER_EMAIL):  # type: ignore[no-untyped-def]
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/login",
        data={
            "email": email,
            "password": BENCH_PASSWORD,
            "csrf_token": token.group(1),
        },
    )
    assert response.status_code == 302, "bench sign-in failed: run bench-data first"
    return client


def main() -> None:
    # Requests run outside any app context of ours, each in a context of its own, as they
    # would in a server: nothing cached in `g` carries over from one request to the next.
    app = create_app()
    settle_for_serving()  # as wsgi.py settles each worker before its first request
    viewer = sign_in(app)
    lead = sign_in(app, BENCH_LEAD_EMAIL)
    with app.app_context():
        engine = db.engine
        version = current_version(db.session)
        assert version is not None, "no plan: run bench-data first"
        plan = f"/plans/{version.plan_id}"
        shown = len(action_statuses(db.session, version))
        actions = db.session.scalar(select(func.count()).select_from(Action))
        updates = db.session.scalar(select(func.count()).select_from(Update))
    print(f"Database: {actions:,} actions, {updates:,} updates; home page shows {shown:,} actions")

    def home_page() -> None:
        assert viewer.get(plan).status_code == 200

    def bare_query() -> None:
        with app.app_context():
            action_statuses(db.session, version)

    timed("GET /plans/<id> (plan overview, test client)", home_page, engine)
    timed("action_statuses() query alone", bare_query, engine)

    page = lead.get(f"{plan}/my-actions").get_data(as_text=True)
    mine = [int(found) for found in re.findall(r'hx-get="/actions/(\d+)/update-form"', page)]
    print(f"My actions for {BENCH_LEAD_EMAIL}: {len(mine):,} actions, each with an update button")
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"',
        lead.get(f"/actions/{mine[0]}").get_data(as_text=True),
    )
    assert token

    def my_actions() -> None:
        assert lead.get(f"{plan}/my-actions").status_code == 200

    # Each timed save goes to a different action, so every version is known in advance.
    with app.app_context():
        rows = db.session.execute(select(Action.id, Action.version).where(Action.id.in_(mine)))
        versions = {action_id: version for action_id, version in rows}
    targets = iter(mine)

    def save_update() -> None:
        action_id = next(targets)
        response = lead.post(
            f"/actions/{action_id}/updates",
            headers={"HX-Request": "true"},
            data={
                "csrf_token": token.group(1),
                "version": versions[action_id],
                "rag": "amber",
                "progress_text": "Benchmark update: progress as planned this period.",
            },
        )
        assert response.status_code == 200, response.status_code

    timed("GET /my-actions (lead)", my_actions, engine)
    timed("POST update in place (htmx)", save_update, engine)

    with app.app_context():
        period = default_period(db.session, version)
        assert period is not None
        period_id = period.id

    def rollup_page() -> None:
        assert viewer.get(f"{plan}/rollup?period={period_id}").status_code == 200

    def rollup_json() -> None:
        assert viewer.get(f"/api/v1{plan}/rollup?period={period_id}").status_code == 200

    def rollup_sql() -> None:
        with app.app_context():
            rollup(db.session, version, db.session.get(ReportingPeriod, period_id))

    timed("GET /rollup (page, with what moved)", rollup_page, engine)
    timed("GET /api/v1/rollup (JSON)", rollup_json, engine)
    timed("rollup() SQL aggregate alone", rollup_sql, engine)

    with app.app_context():
        priority_id = db.session.scalar(
            select(Priority.id).where(Priority.plan_version_id == version.id).limit(1)
        )

    def trend_page() -> None:
        assert viewer.get(f"{plan}/rollup/trend").status_code == 200

    def priority_page() -> None:
        assert viewer.get(f"/priorities/{priority_id}?period={period_id}").status_code == 200

    timed("GET /rollup/trend (every period)", trend_page, engine)
    timed("GET /priorities/<id> (counts, context, indicators, trend)", priority_page, engine)


if __name__ == "__main__":
    main()
