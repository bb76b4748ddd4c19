"""The trend across reporting periods (chart and table), and long "what moved" lists."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.conftest import queries_for, sign_in
from tests.support.factories import (
    TEST_PASSWORD,
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tests.support.paths import only_plan_api_path, only_plan_path
from tracker.dashboard.charts import WIDTH, stacked_bars
from tracker.dashboard.services import STATUSES, RollupRow, rollup, trend
from tracker.models import Indicator, IndicatorValue, ReportingPeriod
from tracker.plans.demo_content import DEMO_PASSWORD


def table_rows(html: str, figure_id: str) -> dict[str, dict[str, int]]:
    figure = html.split(f'id="{figure_id}"')[1].split("</figure>")[0]
    rows = {}
    for name, cells in re.findall(r'<th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', figure, re.S):
        counts = dict(re.findall(r'data-status="(\w+)">(\d+)<', cells))
        rows[name] = {status: int(count) for status, count in counts.items()}
    return rows


def test_trend_page_shows_each_periods_rollup_in_a_chart_and_a_table(client, session, demo_plan):
    sign_in(client, "viewer@example.org", DEMO_PASSWORD)
    html = client.get(only_plan_path(session, "rollup/trend")).get_data(as_text=True)
    periods = session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.start_date)).all()
    version = periods[0].plan_version
    overall = table_rows(html, "trend-overall")
    assert list(overall) == [period.name for period in periods]
    for period in periods:
        result = rollup(session, version, period)
        assert overall[period.name] == result.priority_totals.counts
        for row in result.priorities:
            assert table_rows(html, f"trend-priority-{row.id}")[period.name] == row.counts

    # The chart is an image with a title and a description that carry the same numbers.
    figure = html.split('id="trend-overall"')[1].split("</figure>")[0]
    assert 'role="img" aria-labelledby="trend-overall-title trend-overall-desc"' in figure
    latest = rollup(session, version, periods[-1]).priority_totals.counts
    assert f"{periods[-1].name}: {latest['red']} red, {latest['amber']} amber" in figure
    assert figure.count('<rect class="app-trend__segment ') == sum(
        1
        for period in periods
        for count in rollup(session, version, period).priority_totals.counts.values()
        if count
    )
    assert "<script" not in figure


def test_a_completed_action_shows_as_completed_from_the_period_it_finished(session):
    version = make_plan_version(session)
    priority = make_priority(session, plan_version=version)
    periods = [
        make_period(
            session,
            plan_version=version,
            name=f"P{month}",
            start_date=date(2026, month, 1),
            end_date=date(2026, month, 28),
        )
        for month in (4, 5, 6)
    ]
    action = make_action(session, priority=priority, state="completed")
    author = make_user(session)
    for period, rag, completes in ((periods[0], "amber", False), (periods[1], "green", True)):
        make_update(
            session,
            action=action,
            author=author,
            period=period,
            rag=rag,
            completes_action=completes,
            recorded_at=datetime.combine(period.start_date, datetime.min.time(), tzinfo=UTC),
        )
    session.commit()
    rows = trend(session, version).for_priority(priority.id)
    assert [next(s for s in STATUSES if row.counts[s]) for row in rows] == [
        "amber",
        "completed",
        "completed",
    ]


def test_bars_split_the_full_width_by_share_and_skip_empty_statuses():
    row = RollupRow(1, "P1", {"red": 1, "amber": 0, "green": 2, "none": 0, "completed": 1})
    empty = RollupRow(2, "P2")
    chart = stacked_bars([row, empty])
    first, second = chart.bars
    assert [segment.status for segment in first.segments] == ["red", "green", "completed"]
    assert [segment.width for segment in first.segments] == [WIDTH / 4, WIDTH / 2, WIDTH / 4]
    assert first.segments[-1].x + first.segments[-1].width == WIDTH
    assert second.segments == [] and second.bar_y > first.bar_y


def test_a_long_what_moved_list_shows_its_worst_entries_and_offers_the_rest(client, session):
    version = make_plan_version(session)
    priority = make_priority(session, plan_version=version, name="Busy priority")
    before, now = (
        make_period(
            session,
            plan_version=version,
            name=name,
            start_date=date(2026, month, 1),
            end_date=date(2026, month, 28),
            is_open=is_open,
        )
        for name, month, is_open in (("Before", 4, False), ("Now", 5, True))
    )
    author = make_user(session, email="reader@example.org", role="viewer")
    for number in range(30):
        action = make_action(session, priority=priority, title=f"Action number {number:02}")
        # The first five go from green to red (the worst moves); the rest improve.
        was, is_now = ("green", "red") if number < 5 else ("red", "green")
        for period, rag in ((before, was), (now, is_now)):
            make_update(
                session,
                action=action,
                author=author,
                period=period,
                rag=rag,
                recorded_at=datetime.combine(period.start_date, datetime.min.time(), tzinfo=UTC),
            )
    session.commit()
    sign_in(client, "reader@example.org", TEST_PASSWORD)
    html = client.get(only_plan_path(session, "rollup")).get_data(as_text=True)
    changed = html.split('data-moved="changed"')[1].split("</ul>")[0]
    titles = re.findall(r">(Action number \d+)</a>", changed)
    assert len(titles) == 25
    assert titles[:5] == [f"Action number {n:02}" for n in range(5)], "went to red: first"
    assert "Show all 30" in html
    everything = client.get(
        only_plan_path(session, f"rollup?period={now.id}&moved=changed")
    ).get_data(as_text=True)
    changed = everything.split('data-moved="changed"')[1].split("</ul>")[0]
    assert len(re.findall(r">(Action number \d+)</a>", changed)) == 30


def test_working_group_pages_run_as_many_queries_for_many_actions_as_for_few(app, client, session):
    version = make_plan_version(session)
    priority = make_priority(session, plan_version=version)
    theme = make_theme(session, plan_version=version)
    indicator = Indicator(priority=priority, name="Incidents", polarity="lower_is_better")
    session.add(indicator)
    periods = [
        make_period(
            session,
            plan_version=version,
            name=f"P{month}",
            start_date=date(2026, month, 1),
            end_date=date(2026, month, 28),
            is_open=month == 6,
        )
        for month in (4, 5, 6)
    ]
    reader = make_user(session, email="reader@example.org", role="viewer")

    def add_actions(how_many: int) -> None:
        for number in range(how_many):
            action = make_action(session, priority=priority, themes=[theme])
            for period in periods:
                make_update(
                    session,
                    action=action,
                    author=reader,
                    period=period,
                    rag=("red", "amber", "green")[number % 3],
                    recorded_at=datetime.combine(period.start_date, datetime.min.time(), UTC),
                )
        session.commit()

    pages = [
        only_plan_path(session, "rollup"),
        only_plan_api_path(session),
        only_plan_path(session, "rollup/trend"),
        only_plan_path(session, f"rollup/actions?theme={theme.id}"),
        f"/priorities/{priority.id}",
    ]
    add_actions(3)
    sign_in(client, "reader@example.org", TEST_PASSWORD)
    few = [queries_for(app, client, page) for page in pages]
    add_actions(40)
    for period in periods:
        session.add(IndicatorValue(indicator=indicator, period=period, value=period.id))
    session.commit()
    assert [queries_for(app, client, page) for page in pages] == few
