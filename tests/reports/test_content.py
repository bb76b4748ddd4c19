"""The report's generated content: the same numbers as the roll-up, ready to freeze as JSON."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import event, select

from tests.conftest import sign_in
from tests.support.paths import only_plan_path
from tracker.dashboard.services import NO_UPDATE_TEXT, rollup
from tracker.extensions import db
from tracker.models import Action, ActionState, ReportingPeriod, Update, User
from tracker.plans.demo_content import DEMO_PASSWORD, PRIORITIES
from tracker.reports.content import report_content


def period_named(session, name):
    return session.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))


def test_content_covers_every_priority_and_action_with_the_rollups_numbers(session, demo_plan):
    period = period_named(session, "Oct–Nov 2026")
    content = report_content(session, period)
    summary = rollup(session, period.plan_version, period)

    assert [p["name"] for p in content["priorities"]] == [spec["name"] for spec in PRIORITIES]
    assert content["summary"]["priority_totals"]["counts"] == summary.priority_totals.counts
    assert content["summary"]["theme_totals"]["counts"] == summary.theme_totals.counts
    counted = session.scalars(select(Action).where(Action.state != ActionState.CLOSED)).all()
    listed = [a["id"] for p in content["priorities"] for a in p["actions"]]
    assert sorted(listed) == sorted(a.id for a in counted), "every counted action, once"
    for priority, row in zip(content["priorities"], summary.priorities, strict=True):
        assert Counter(a["status"] for a in priority["actions"]) == +Counter(row.counts)
        assert priority["overall"] == row.overall
    stale = [a for p in content["priorities"] for a in p["actions"] if a["status"] == "none"]
    assert stale and all(a["progress"] == NO_UPDATE_TEXT and a["updated"] is None for a in stale)

    domestic_abuse = content["priorities"][0]
    assert domestic_abuse["leads"] == ["Morgan Lee"]
    assert domestic_abuse["context"]["paragraphs"][0][-2:] == [{"cite": 1}, {"text": "."}]
    assert len(domestic_abuse["context"]["notes"]) == 2
    crimes = domestic_abuse["indicators"][0]["latest"]
    assert (crimes["period"], crimes["value"], crimes["words"]) == (
        "Oct–Nov 2026",
        "5,420",
        "down 2% — better",
    )
    # What is frozen on publishing is exactly what was built.
    assert json.loads(json.dumps(content)) == content


def test_an_earlier_periods_content_shows_that_periods_values_only(session, demo_plan):
    period = period_named(session, "Jun–Jul 2026")
    content = report_content(session, period)
    crimes = content["priorities"][0]["indicators"][0]["latest"]
    assert crimes["period"] == "Jun–Jul 2026" and crimes["value"] == "5,482"
    assert content["previous_period"]["name"] == "Apr–May 2026"
    assert content["priorities"][0]["context"] is None  # the demo has none for this period


def test_building_the_content_takes_as_many_queries_for_a_big_plan_as_a_small_one(
    app, session, demo_plan
):
    period = period_named(session, "Oct–Nov 2026")

    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            session.expire_all()
            report_content(session, session.get(ReportingPeriod, period.id))
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    small = queries()
    template = session.scalars(select(Action)).first()
    for number in range(40):
        session.add(
            Action(
                priority=template.priority,
                title=f"Extra action {number}",
                themes=list(template.themes),
                owner_organisation=template.owner_organisation,
            )
        )
    session.commit()
    assert queries() == small


def test_the_performance_summary_page_shows_every_priority_action_and_stale_one(
    client, session, demo_plan
):
    period = period_named(session, "Oct–Nov 2026")
    session.add(
        Update(
            action=session.scalars(select(Action).order_by(Action.id)).first(),
            period=period_named(session, "Aug–Sep 2026"),
            author=session.scalar(select(User).where(User.email == "coordinator@example.org")),
            rag="red",
            progress_text="<b>Markup</b> =SUM(A1) stays text",
        )
    )
    session.commit()
    sign_in(client, "viewer@example.org", DEMO_PASSWORD)
    html = client.get(
        only_plan_path(session, f"reports/performance-summary?period={period.id}")
    ).get_data(as_text=True)
    content = report_content(session, period)
    for priority in content["priorities"]:
        assert f"{priority['name']}</h3>" in html
        for action in priority["actions"]:
            assert f'data-action="{action["id"]}"' in html
    # Stale actions, and completed ones with nothing written this period, say so.
    without_update = [a for p in content["priorities"] for a in p["actions"] if not a["updated"]]
    assert html.count(NO_UPDATE_TEXT) == len(without_update) > 0
    assert "Recorded crimes fell slightly" in html and "Down 2% — better" in html
    earlier = client.get(
        only_plan_path(
            session,
            f"reports/performance-summary?period={period_named(session, 'Aug–Sep 2026').id}",
        )
    ).get_data(as_text=True)
    assert "&lt;b&gt;Markup&lt;/b&gt; =SUM(A1) stays text" in earlier and "<b>Markup" not in earlier
    assert (
        client.get(only_plan_path(session, "reports/performance-summary?period=999999")).status_code
        == 404
    )
