"""A lead of hundreds of actions gets Your actions 50 at a time: the counts still cover all
of them, the pages together hold each action once, and links and the way back keep the
page and the filters."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import sign_in
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
from tracker.actions.views import MY_ACTIONS_PAGE_SIZE
from tracker.models import Plan

LEAD = "lead@westmoor.example.org"
CARD_TITLE = re.compile(
    r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="/actions/\d+">([^<]+)</a>'
)


@pytest.fixture
def busy_lead(session):
    version = make_plan_version(session, plan=Plan(name="Westmoor Community Safety Plan"))
    period = make_period(
        session,
        plan_version=version,
        name="2026/27 Q3",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        is_open=True,
    )
    lead = make_user(session, email=LEAD, role="lead", name="Lee Lead")
    for position, name in enumerate(("Anti-social behaviour", "Domestic abuse"), start=1):
        priority = make_priority(session, plan_version=version, name=name, position=position)
        priority.leads.append(lead)
        for number in range(1, 61):
            action = make_action(
                session, priority=priority, title=f"{name} {number:02}", position=number
            )
            if number % 3 == 0:
                make_update(
                    session,
                    action=action,
                    author=lead,
                    period=period,
                    rag="red",
                    mitigation_text="More patrols agreed.",
                )
    session.commit()
    return version


def titles(html: str) -> list[str]:
    return [unescape(title) for title in CARD_TITLE.findall(html)]


def every_title() -> list[str]:
    return [
        f"{name} {number:02}"
        for name in ("Anti-social behaviour", "Domestic abuse")
        for number in range(1, 61)
    ]


def test_the_pages_hold_each_action_once_and_the_counts_cover_them_all(client, busy_lead):
    sign_in(client, LEAD, TEST_PASSWORD)
    page = f"/plans/{busy_lead.plan_id}/my-actions"
    first = client.get(page).get_data(as_text=True)
    assert len(titles(first)) == MY_ACTIONS_PAGE_SIZE
    assert "Showing 1 to 50 of the 120 that match (page 1 of 3), of 120 actions in all." in first
    assert '<span data-count="due">80</span>' in first, "the counts cover every page"
    assert '<span data-count="red">40</span>' in first
    shown = []
    for number in (1, 2, 3):
        shown += titles(client.get(f"{page}?page={number}").get_data(as_text=True))
    assert shown == every_title()
    second = client.get(f"{page}?page=2").get_data(as_text=True)
    headings = re.findall(r'<h2 class="govuk-heading-m" id="my-priority-\d+">([^<]+)</h2>', second)
    assert headings == ["Anti-social behaviour", "Domestic abuse"], (
        "a page across two priorities shows both headings"
    )


def test_a_page_past_the_end_shows_the_last_page(client, busy_lead):
    """The list shrinks as a lead works through "Needs an update": their page stays useful."""
    sign_in(client, LEAD, TEST_PASSWORD)
    answer = client.get(f"/plans/{busy_lead.plan_id}/my-actions?due=yes&page=9")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "(page 2 of 2)" in html
    assert len(titles(html)) == 80 - MY_ACTIONS_PAGE_SIZE


def test_page_links_and_the_way_back_keep_the_filters_and_the_page(client, busy_lead):
    sign_in(client, LEAD, TEST_PASSWORD)
    fragment = client.get(
        f"/plans/{busy_lead.plan_id}/my-actions?due=yes", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in fragment
    (page_two,) = {unescape(link) for link in re.findall(r'href="([^"]*page=2[^"]*)"', fragment)}
    assert parse_qs(urlparse(page_two).query) == {"due": ["yes"], "page": ["2"]}
    second = client.get(page_two).get_data(as_text=True)
    way_back = unescape(re.search(r'href="/actions/\d+\?(return_to=[^"#]+)', second).group(1))
    back_to = parse_qs(way_back)["return_to"][0]
    assert parse_qs(urlparse(back_to).query) == {"due": ["yes"], "page": ["2"]}


def test_a_page_of_a_busy_lead_is_no_bigger_than_a_page_of_a_quiet_one(client, session, busy_lead):
    sign_in(client, LEAD, TEST_PASSWORD)
    page = f"/plans/{busy_lead.plan_id}/my-actions"
    before = len(client.get(page).get_data())
    priority = busy_lead.priorities[0]
    for number in range(300):
        make_action(
            session, priority=priority, title=f"Extra action {number:03}", position=100 + number
        )
    session.commit()
    after = len(client.get(page).get_data())
    assert after < before * 1.1, "more actions add pages, not size"


CARD = re.compile(r'<li class="app-action-card" id="action-(\d+)">.*?</li>', re.DOTALL)


WAY_BACK = re.compile(r"\?return_to=[^\"#]*")


def cards_by_id(html: str) -> dict[int, str]:
    """Each card on the page, without the way back to the list it is on."""
    return {int(match.group(1)): WAY_BACK.sub("", match.group(0)) for match in CARD.finditer(html)}


def test_a_busy_leads_cards_and_filters_say_what_a_quiet_leads_say(client, session, busy_lead):
    """A lead's actions are counted and filtered by their status alone and only the page is
    read in full: for a lead of more than a page of actions and for one of a page or fewer,
    each card is the action's own card, and a theme filter finds the theme's actions (a
    retired theme's none)."""
    lead = busy_lead.priorities[0].leads[0]
    night = make_theme(session, plan_version=busy_lead, name="Night-time economy")
    retired = make_theme(
        session,
        plan_version=busy_lead,
        name="Old theme",
        retired_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    themed = [action for action in busy_lead.priorities[1].actions if action.position % 4 == 0]
    for action in themed:
        action.themes = [night, retired]
    session.commit()
    sign_in(client, LEAD, TEST_PASSWORD)
    page = f"/plans/{busy_lead.plan_id}/my-actions"

    by_theme = client.get(f"{page}?theme={night.id}").get_data(as_text=True)
    assert titles(by_theme) == [action.title for action in themed]
    assert "Showing 15 of 120 actions." in by_theme, "the counts still cover every action"
    nothing = client.get(f"{page}?theme={retired.id}").get_data(as_text=True)
    assert "No actions match these filters." in nothing
    red_and_themed = client.get(f"{page}?theme={night.id}&rag=red").get_data(as_text=True)
    assert titles(red_and_themed) == [a.title for a in themed if a.position % 3 == 0]

    busy_cards = cards_by_id(by_theme)
    for action_id, card in busy_cards.items():
        own_card = client.get(f"/actions/{action_id}/card").get_data(as_text=True)
        assert card == WAY_BACK.sub("", own_card.strip())
    assert "Last update" in busy_cards[themed[2].id] and "by Lee Lead" in busy_cards[themed[2].id]

    # The same lead with a page of actions or fewer: the same cards.
    busy_lead.priorities[0].leads.remove(lead)
    for action in busy_lead.priorities[1].actions[MY_ACTIONS_PAGE_SIZE:]:
        action.priority = busy_lead.priorities[0]
    session.commit()
    quiet = client.get(f"{page}?theme={night.id}").get_data(as_text=True)
    assert {key: busy_cards[key] for key in cards_by_id(quiet)} == cards_by_id(quiet)
    assert len(titles(client.get(page).get_data(as_text=True))) == MY_ACTIONS_PAGE_SIZE
