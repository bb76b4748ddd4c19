"""The signed-in home page: the current plan version's priorities, themes and actions."""

from __future__ import annotations

import re

import pytest

from tests.conftest import queries_for, sign_in
from tests.support.factories import (
    TEST_PASSWORD,
    make_action,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tests.support.paths import only_plan_path, plan_path
from tracker.plans.demo_content import DEMO_PASSWORD, PRIORITIES, THEMES


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def demo_client(app, session, client, demo_plan):
    assert sign_in(client, "viewer@example.org", DEMO_PASSWORD).status_code == 302
    return client


def test_anonymous_visitor_is_sent_to_sign_in(client, session):
    version = make_plan_version(session)
    session.commit()
    for address in ("/", plan_path(version)):
        response = client.get(address)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_home_lists_every_priority_and_action_with_status(demo_client, session):
    html = demo_client.get(only_plan_path(session)).get_data(as_text=True)
    text = visible_text(html)
    assert "Kent Community Safety Agreement" in text
    for priority in PRIORITIES:
        assert priority["name"] in text
        assert priority["lead_role"] in text
        for action in priority["actions"]:
            assert action["title"].replace("'", "&#39;") in html
    for word in ("Red", "Amber", "Green", "No update", "Completed", "Business as usual"):
        assert f">{word}<" in html


def test_home_grouped_by_theme_lists_every_theme(demo_client, session):
    text = visible_text(
        demo_client.get(only_plan_path(session, "?group=themes")).get_data(as_text=True)
    )
    for theme in THEMES.values():
        assert theme in text


def test_htmx_request_gets_only_the_overview_fragment(demo_client, session):
    response = demo_client.get(
        only_plan_path(session, "?group=themes"), headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="plan-overview">')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    assert 'aria-current="page">By cross-cutting theme' in html


def test_boosted_htmx_request_gets_the_whole_page(demo_client, session):
    response = demo_client.get(
        only_plan_path(session), headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in response.get_data(as_text=True)


def test_empty_database_explains_how_to_load_the_demo(client, session):
    make_user(session, email="first@example.org")
    session.commit()
    sign_in(client, "first@example.org", TEST_PASSWORD)
    text = visible_text(client.get("/").get_data(as_text=True))
    assert "No plan yet" in text
    assert "flask --app wsgi seed-demo" in text


def test_user_text_is_escaped(client, session):
    priority = make_priority(session, name="<b>Bold</b> priority")
    make_action(session, priority=priority, title='<script>alert("x")</script>')
    make_user(session, email="reader@example.org", role="viewer")
    session.commit()
    sign_in(client, "reader@example.org", TEST_PASSWORD)
    html = client.get(only_plan_path(session)).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; priority" in html


def add_actions(session, version, how_many: int) -> None:
    author = make_user(session)
    theme = make_theme(session, plan_version=version)
    for number in range(how_many):
        priority = make_priority(session, plan_version=version)
        action = make_action(session, priority=priority, themes=[theme])
        make_update(
            session, action=action, author=author, rag=("red", "amber", "green")[number % 3]
        )
    session.commit()


def test_home_page_query_count_does_not_grow_with_actions(app, client, session):
    version = make_plan_version(session)
    make_user(session, email="reader@example.org", role="viewer")
    add_actions(session, version, 3)
    sign_in(client, "reader@example.org", TEST_PASSWORD)
    few = queries_for(app, client, plan_path(version))
    add_actions(session, version, 30)
    many = queries_for(app, client, plan_path(version))
    assert few == many


@pytest.fixture
def big_plan(session, client):
    """A plan of 130 actions (70 and 60 under two priorities, then one priority with none),
    all under one theme: more than one page of the overview."""
    version = make_plan_version(session)
    theme = make_theme(session, plan_version=version, name="Everything theme")
    titles = {}
    for name, count in (("Roads priority", 70), ("Homes priority", 60), ("Empty priority", 0)):
        priority = make_priority(session, plan_version=version, name=name, position=len(titles))
        titles[name] = [
            make_action(
                session, priority=priority, title=f"{name} action {n:02}", themes=[theme]
            ).title
            for n in range(1, count + 1)
        ]
    make_user(session, email="reader@example.org", role="viewer")
    session.commit()
    sign_in(client, "reader@example.org", TEST_PASSWORD)
    return version, titles


def test_a_plan_of_more_than_a_hundred_actions_is_shown_a_page_at_a_time(client, big_plan):
    version, titles = big_plan
    first = visible_text(client.get(plan_path(version)).get_data(as_text=True))
    assert "130 actions" in first  # the heading and counts still cover the whole plan
    assert "Showing 1 to 100 of the 130 listed by priority (page 1 of 2)" in first
    assert all(title in first for title in titles["Roads priority"])
    assert all(title in first for title in titles["Homes priority"][:30])
    assert titles["Homes priority"][30] not in first
    assert "Empty priority" not in first

    second = visible_text(client.get(plan_path(version, "?page=2")).get_data(as_text=True))
    assert "130 actions" in second
    assert "Showing 101 to 130 of the 130 listed by priority (page 2 of 2)" in second
    assert "Homes priority (continued)" in second
    assert not any(title in second for title in titles["Roads priority"])
    assert all(title in second for title in titles["Homes priority"][30:])
    assert "Empty priority" in second and "No actions yet." in second


def test_overview_page_links_keep_the_grouping_and_a_page_past_the_end_is_the_last(
    client, big_plan
):
    version, titles = big_plan
    themes = client.get(plan_path(version, "?group=themes")).get_data(as_text=True)
    assert "Showing 1 to 100 of the 130 listed by theme (page 1 of 2)" in visible_text(themes)
    assert re.search(r'href="[^"]*\?group=themes&amp;page=2"[^>]*rel="next"', themes)
    by_priority = client.get(plan_path(version)).get_data(as_text=True)
    assert re.search(r'href="[^"]*\?page=2"[^>]*rel="next"', by_priority)
    far = visible_text(client.get(plan_path(version, "?page=99")).get_data(as_text=True))
    assert "(page 2 of 2)" in far and titles["Homes priority"][-1] in far


def test_a_page_of_the_overview_in_place_is_the_fragment_with_its_own_page_links(client, big_plan):
    version, _ = big_plan
    html = client.get(plan_path(version, "?page=2"), headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert html.lstrip().startswith('<div id="plan-overview">')
    assert 'hx-target="#plan-overview"' in html
    assert 'data-focus-after="#plan-overview-showing"' in html
    assert 'id="plan-overview-showing"' in html


def test_a_plan_that_fits_on_one_page_has_no_page_links(demo_client, session):
    html = demo_client.get(only_plan_path(session)).get_data(as_text=True)
    assert "govuk-pagination" not in html
    assert "Showing " not in visible_text(html)
