"""A long drill-down comes 50 actions a page: the heading still counts them all, the pages
together hold every action once in plan order, and page links keep the filters."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

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
from tracker.dashboard.views import DRILL_PAGE_SIZE
from tracker.models import Plan

ROW_TITLE = re.compile(r'<a class="govuk-link" href="/actions/\d+">([^<]+)</a>')


@pytest.fixture
def county(session):
    version = make_plan_version(session, plan=Plan(name="Eastshire Safer Partnership Plan"))
    period = make_period(
        session,
        plan_version=version,
        name="2026/27 Q3",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        is_open=True,
    )
    reader = make_user(session, email="reader@eastshire.example.org", role="viewer")
    violence = make_priority(session, plan_version=version, name="Violence", position=1)
    roads = make_priority(session, plan_version=version, name="Roads", position=2)
    night = make_theme(session, plan_version=version, name="Night-time economy")
    for number in range(1, 121):
        action = make_action(
            session,
            priority=violence,
            title=f"Violence action {number:03}",
            position=number,
            themes=[night] if number % 2 else [],
        )
        make_update(session, action=action, author=reader, period=period, rag="amber")
    for number in range(1, 6):
        make_action(session, priority=roads, title=f"Roads action {number}", position=number)
    session.commit()
    return {"version": version, "period": period, "violence": violence, "night": night}


def titles_on(html: str) -> list[str]:
    return [unescape(title) for title in ROW_TITLE.findall(html)]


def test_the_pages_hold_every_action_once_and_the_heading_counts_them_all(client, session, county):
    sign_in(client, "reader@eastshire.example.org", TEST_PASSWORD)
    base = f"/plans/{county['version'].plan_id}/rollup/actions?status=amber"
    first = client.get(base).get_data(as_text=True)
    assert "120 actions with status Amber in 2026/27 Q3" in first
    assert "Showing 1 to 50 · page 1 of 3" in first
    shown = []
    for page in (1, 2, 3):
        shown += titles_on(client.get(f"{base}&page={page}").get_data(as_text=True))
    assert shown == [f"Violence action {number:03}" for number in range(1, 121)]
    assert len(titles_on(first)) == DRILL_PAGE_SIZE

    missing = client.get(f"{base}&page=4")
    assert missing.status_code == 404
    assert "There is no page 4 of these actions: there are 3." in missing.get_data(as_text=True)


def test_page_links_keep_the_filters_and_load_in_place(client, session, county):
    sign_in(client, "reader@eastshire.example.org", TEST_PASSWORD)
    plan_id = county["version"].plan_id
    query = f"priority={county['violence'].id}&theme={county['night'].id}&status=amber"
    fragment = client.get(
        f"/plans/{plan_id}/rollup/actions?{query}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in fragment, "htmx gets the list alone"
    assert "60 actions with status Amber" in fragment, "every other action has the theme"
    links = {unescape(link) for link in re.findall(r'href="([^"]*page=2[^"]*)"', fragment)}
    assert len(links) == 1
    (page_two,) = links
    for kept in (
        f"priority={county['violence'].id}",
        f"theme={county['night'].id}",
        "status=amber",
    ):
        assert kept in page_two
    assert f'hx-get="{page_two}"'.replace("&", "&amp;") in fragment
    second = client.get(page_two).get_data(as_text=True)
    assert titles_on(second) == [f"Violence action {number:03}" for number in range(101, 121, 2)]
    assert 'aria-current="page">2</a>' in second


def test_a_short_list_has_no_page_links(client, session, county):
    sign_in(client, "reader@eastshire.example.org", TEST_PASSWORD)
    page = client.get(f"/plans/{county['version'].plan_id}/rollup/actions?status=none")
    html = page.get_data(as_text=True)
    assert "5 actions with status No update" in html
    assert "govuk-pagination" not in html


def test_a_page_costs_as_many_queries_for_many_actions_as_for_few(app, client, session, county):
    sign_in(client, "reader@eastshire.example.org", TEST_PASSWORD)
    page = f"/plans/{county['version'].plan_id}/rollup/actions?status=amber&page=2"
    few = queries_for(app, client, page)
    for number in range(200):
        make_action(session, priority=county["violence"], title=f"More {number}")
    session.commit()
    assert queries_for(app, client, page) == few
