"""The roll-up: counts by status per priority and theme for a period, page and JSON alike."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import sign_in
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tests.support.paths import only_plan_api_path, only_plan_path
from tracker.dashboard.services import STATUSES, rollup, trend
from tracker.extensions import db
from tracker.models import ReportingPeriod
from tracker.plans.demo_content import DEMO_PASSWORD, PRIORITIES


def demo_period(session, name):
    return session.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))


def test_demo_rollup_counts_each_action_by_its_update_in_that_period(session, demo_plan):
    period = demo_period(session, "Oct–Nov 2026")
    result = rollup(session, period.plan_version, period)
    for spec, row in zip(PRIORITIES, result.priorities, strict=True):
        expected = Counter()
        for action in spec["actions"]:
            state = action.get("state", "active")
            if state == "closed":
                continue
            latest = action["updates"][3]
            expected[
                "completed" if state == "completed" else (latest[0] if latest else "none")
            ] += 1
        assert row.name == spec["name"]
        assert row.counts == {status: expected[status] for status in STATUSES}
    totals = result.priority_totals
    assert totals.total == sum(row.total for row in result.priorities)
    road_safety = result.priorities[1]
    assert road_safety.overall == "red", "worst status present"


def test_stale_actions_show_as_no_update_not_their_old_status(session):
    version = make_plan_version(session)
    priority = make_priority(session, plan_version=version)
    earlier = make_period(
        session,
        plan_version=version,
        name="Earlier",
        start_date=date(2026, 6, 1),
        end_date=date(2026, 7, 31),
    )
    later = make_period(
        session,
        plan_version=version,
        name="Later",
        start_date=date(2026, 8, 1),
        end_date=date(2026, 9, 30),
    )
    action = make_action(session, priority=priority)
    make_update(session, action=action, rag="red", period=earlier)
    session.commit()
    assert rollup(session, version, earlier).priorities[0].counts["red"] == 1
    later_counts = rollup(session, version, later).priorities[0]
    assert later_counts.counts["none"] == 1 and later_counts.counts["red"] == 0
    assert later_counts.overall == "none"


def test_page_and_json_agree(client, session, demo_plan):
    sign_in(client, "viewer@example.org", DEMO_PASSWORD)
    period = demo_period(session, "Aug–Sep 2026")
    data = client.get(only_plan_api_path(session, f"?period={period.id}")).get_json()
    html = client.get(only_plan_path(session, f"rollup?period={period.id}")).get_data(as_text=True)
    assert data["period"]["name"] == "Aug–Sep 2026"
    for kind, rows in (
        ("priority", data["priorities"] + [data["priority_totals"]]),
        ("theme", data["themes"] + [data["theme_totals"]]),
    ):
        table = html.split(f'data-rollup="{kind}"')[1].split("</table>")[0]
        for row in rows:
            row_html = table.split(f'data-row="{row["id"] or "total"}"')[1].split("</tr>")[0]
            for status in STATUSES:
                cell = re.search(rf'data-status="{status}"><a[^>]*>(\d+)<', row_html).group(1)
                assert int(cell) == row["counts"][status], (row["name"], status)
            assert f"app-rag--{row['overall_status']}" in row_html


def test_default_period_is_the_open_one_and_bad_periods_are_not_found(client, session, demo_plan):
    sign_in(client, "viewer@example.org", DEMO_PASSWORD)
    assert client.get(only_plan_api_path(session)).get_json()["period"]["name"] == "Oct–Nov 2026"
    assert client.get(only_plan_api_path(session, "?period=999999")).status_code == 404
    assert client.get(only_plan_api_path(session, "?period=abc")).status_code == 404


def test_api_asks_anonymous_callers_to_sign_in_with_json(client, session, demo_plan):
    response = client.get(only_plan_api_path(session))
    assert response.status_code == 401 and "Sign in first" in response.get_json()["error"]


# --- Property: the SQL roll-up equals a plain Python recomputation -----------------------

RAGS = st.sampled_from(["red", "amber", "green"])
ACTION = st.fixed_dictionaries(
    {
        "priority": st.integers(0, 2),
        "themes": st.sets(st.integers(0, 2), max_size=3),
        "state": st.sampled_from(["active", "active", "active", "completed", "closed"]),
        # (period index 0-2, minutes into the period, rag) for each update
        "updates": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5000), RAGS), max_size=5),
        # For a completed action: the period of the update that completed it, or None when it
        # was marked complete without one.
        "completed_in": st.none() | st.integers(0, 2),
    }
)


def naive_rollup(actions, period_index):
    by_priority = {index: Counter() for index in range(3)}
    by_theme = {index: Counter() for index in range(3)}
    for spec in actions:
        if spec["state"] == "closed":
            continue
        updates = list(spec["updates"])
        completed_in = spec["completed_in"] if spec["state"] == "completed" else None
        if completed_in is not None:
            updates.append((completed_in, 6000, "green"))  # the completing update, last
        in_period = [u for u in enumerate(updates) if u[1][0] == period_index]
        if spec["state"] == "completed" and (completed_in is None or completed_in <= period_index):
            status = "completed"
        elif in_period:
            status = max(in_period, key=lambda pair: (pair[1][1], pair[0]))[1][2]
        else:
            status = "none"
        by_priority[spec["priority"]][status] += 1
        for theme in spec["themes"]:
            by_theme[theme][status] += 1
    return by_priority, by_theme


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(ACTION, max_size=12), period_index=st.integers(0, 2))
def test_rollup_matches_a_naive_recomputation(app, actions, period_index):
    with app.app_context():
        session = db.session
        version = make_plan_version(session)
        priorities = [make_priority(session, plan_version=version, position=i) for i in range(3)]
        themes = [make_theme(session, plan_version=version, position=i) for i in range(3)]
        periods = [
            make_period(
                session,
                plan_version=version,
                name=f"P{i}",
                start_date=date(2026, 1 + 2 * i, 1),
                end_date=date(2026, 2 + 2 * i, 28),
            )
            for i in range(3)
        ]
        author = make_user(session)
        for spec in actions:
            action = make_action(
                session,
                priority=priorities[spec["priority"]],
                themes=[themes[t] for t in spec["themes"]],
                state=spec["state"],
            )
            for number, (period, minutes, rag) in enumerate(spec["updates"]):
                start = datetime.combine(
                    periods[period].start_date, datetime.min.time(), tzinfo=UTC
                )
                make_update(
                    session,
                    action=action,
                    author=author,
                    rag=rag,
                    period=periods[period],
                    recorded_at=start + timedelta(minutes=minutes, microseconds=number),
                )
            if spec["state"] == "completed" and spec["completed_in"] is not None:
                period = periods[spec["completed_in"]]
                make_update(
                    session,
                    action=action,
                    author=author,
                    period=period,
                    completes_action=True,
                    recorded_at=datetime.combine(period.start_date, datetime.min.time(), tzinfo=UTC)
                    + timedelta(minutes=6000),
                )
        session.commit()

        result = rollup(session, version, periods[period_index])
        expected_priorities, expected_themes = naive_rollup(actions, period_index)
        for index, row in enumerate(result.priorities):
            assert row.counts == {status: expected_priorities[index][status] for status in STATUSES}
        for index, row in enumerate(result.themes):
            assert row.counts == {status: expected_themes[index][status] for status in STATUSES}

        # The trend is the same rule applied to every period at once.
        history = trend(session, version)
        for index, _period in enumerate(periods):
            expected, _ = naive_rollup(actions, index)
            for (_priority, rows), number in zip(history.priorities, range(3), strict=True):
                assert rows[index].counts == {s: expected[number][s] for s in STATUSES}
            assert history.overall[index].counts == {
                s: sum(expected[number][s] for number in range(3)) for s in STATUSES
            }
        session.rollback()


def test_each_count_links_to_the_actions_behind_it(client, session, demo_plan):
    sign_in(client, "viewer@example.org", DEMO_PASSWORD)
    period = demo_period(session, "Oct–Nov 2026")
    data = client.get(only_plan_api_path(session, f"?period={period.id}")).get_json()
    road = next(row for row in data["priorities"] if row["name"] == "Road Safety")
    html = client.get(
        only_plan_path(
            session, f"rollup/actions?period={period.id}&priority={road['id']}&status=red"
        )
    ).get_data(as_text=True)
    titles = re.findall(r'<a class="govuk-link" href="/actions/\d+">([^<]+)</a>', html)
    assert len(titles) == road["counts"]["red"] == 1
    assert "Pilot average speed cameras" in titles[0]
    assert "No decision on the second bid yet" in html, "the period's progress text"
    quiet = client.get(
        only_plan_path(session, f"rollup/actions?period={period.id}&status=none"),
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert quiet.lstrip().startswith('<div id="rollup-drilldown">')
    assert (
        quiet.count("No update provided for this period")
        == data["priority_totals"]["counts"]["none"]
    )


def section_titles(html: str, heading: str) -> list[str]:
    part = html.split(f">{heading} (")[1].split("</ul>")[0] if f">{heading} (" in html else ""
    return [
        title.replace("&#39;", "'")
        for title in re.findall(r'href="/actions/\d+">([^<]+)</a>', part)
    ]


def test_what_moved_lists_changes_worst_first(client, session, demo_plan):
    sign_in(client, "viewer@example.org", DEMO_PASSWORD)
    html = client.get(only_plan_path(session, "rollup")).get_data(as_text=True)
    assert "What moved since Aug–Sep 2026" in html
    order = {"red": 0, "amber": 1, "green": 2}
    changed, quiet = [], []
    for spec in PRIORITIES:
        for action in spec["actions"]:
            if action.get("state", "active") != "active":
                continue
            was = action["updates"][2][0] if action["updates"][2] else "none"
            now = action["updates"][3][0] if action["updates"][3] else "none"
            if was in order and now in order and was != now:
                changed.append((order[now], -order[was], action["title"]))
            elif was in order and now == "none":
                quiet.append(action["title"])
    assert changed and quiet
    shown_changed = section_titles(html, "Status changed (worst first)")
    assert set(shown_changed) == {title for _, _, title in changed}
    ranks = [next((o, w) for o, w, t in changed if t == title) for title in shown_changed]
    assert ranks == sorted(ranks), "anything that went to red comes first"
    assert section_titles(html, "Updated last period but not this one") == quiet
