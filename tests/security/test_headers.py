"""Signed-in pages and downloads are never kept by a browser or proxy cache, except the
roll-up: this person's browser alone may keep it, checking with the server before each use,
and signing out tells the browser to forget it."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_token_from, sign_in
from tests.reports.conftest import user_with_email
from tests.support.paths import only_plan_path
from tracker.models import ReportingPeriod
from tracker.plans.demo_content import DEMO_PASSWORD
from tracker.reports.services import start_draft


def test_pages_fragments_and_downloads_are_sent_no_store(client, session, demo_plan):
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
        (f"{plan}/rollup/actions?status=red", {"HX-Request": "true"}),
        (f"/reports/{draft.id}/download/csv", {}),
        (f"/reports/{draft.id}/download/xlsx", {}),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_the_roll_up_is_kept_only_by_the_browser_and_forgotten_on_signing_out(
    client, session, demo_plan
):
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    plan = only_plan_path(session)
    for path in (f"{plan}/rollup", f"/api/v1{plan}/rollup"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-cache", path
        assert response.headers["ETag"], path
    account = client.get("/account").get_data(as_text=True)
    signed_out = client.post("/logout", data={"csrf_token": csrf_token_from(account)})
    assert signed_out.status_code == 302
    assert signed_out.headers["Clear-Site-Data"] == '"cache"'
    assert client.get(f"{plan}/rollup").status_code == 302, "asking again needs a sign-in"
