"""Signed-in pages and downloads are never kept by a browser or proxy cache."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import sign_in
from tests.reports.conftest import user_with_email
from tests.support.paths import only_plan_path
from tracker.models import ReportingPeriod
from tracker.plans.demo import load_demo_plan
from tracker.plans.demo_content import DEMO_PASSWORD
from tracker.reports.services import start_draft


def test_pages_fragments_and_downloads_are_sent_no_store(client, session):
    load_demo_plan(session)
    draft = start_draft(
        session,
        period=session.scalar(select(ReportingPeriod).where(ReportingPeriod.is_open)),
        subject="Action plan update",
        author=user_with_email(session, "coordinator@example.org"),
    )
    session.commit()
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    plan = only_plan_path(session)
    for path, headers in (
        (plan, {}),
        (f"{plan}/rollup", {}),
        (f"{plan}/rollup/actions?status=red", {"HX-Request": "true"}),
        (f"/api/v1{plan}/rollup", {}),
        (f"/reports/{draft.id}/download/csv", {}),
        (f"/reports/{draft.id}/download/xlsx", {}),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
