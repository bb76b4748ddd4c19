"""A card on Your actions is drawn once and kept (tracker/actions/cards.py): whatever changes
on an action shows on its card the next time the list is drawn, in any worker."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import sign_in
from tests.support.factories import (
    TEST_PASSWORD,
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tracker import statuses
from tracker.actions import cards
from tracker.models import Plan

LEAD = "lead@eastbridge.example.org"


@pytest.fixture
def eastbridge(session):
    """A district's plan with one open period and a lead of two actions, one due today."""
    version = make_plan_version(session, plan=Plan(name="Eastbridge Community Safety Plan"))
    period = make_period(session, plan_version=version, name="2026/27 Q3", is_open=True)
    lead = make_user(session, email=LEAD, name="Robin Okafor", role="lead")
    priority = make_priority(session, plan_version=version, name="Road Safety", leads=[lead])
    due_today = make_action(
        session, priority=priority, title="Speed checks near schools", target_date=date.today()
    )
    other = make_action(session, priority=priority, title="Cycle training for year 6")
    make_update(session, action=due_today, period=period, author=lead, rag="green")
    session.commit()
    return {"version": version, "period": period, "due_today": due_today, "other": other}


def your_actions(client, version) -> str:
    return client.get(f"/plans/{version.plan_id}/my-actions").get_data(as_text=True)


def card_of(html: str, action_id: int) -> str:
    found = re.search(rf'<li class="app-action-card" id="action-{action_id}">.*?</li>', html, re.S)
    assert found, f"no card for action {action_id}"
    return found.group(0)


def test_a_card_shows_each_change_to_its_action_the_next_time_the_list_is_drawn(
    app, client, session, eastbridge
):
    sign_in(client, LEAD, TEST_PASSWORD)
    version, period, action = eastbridge["version"], eastbridge["period"], eastbridge["due_today"]
    before = card_of(your_actions(client, version), action.id)
    assert "Speed checks near schools" in before and "Green" in before
    assert "Updated for 2026/27 Q3" in before

    # Changed by others meanwhile: a coordinator's rename and update, the period renamed.
    action.title = "Speed checks near every school"
    coordinator = make_user(session, name="Sam Coordinator", role="coordinator")
    make_update(
        session,
        action=action,
        period=period,
        author=coordinator,
        rag="red",
        recorded_at=datetime.now(UTC) + timedelta(seconds=1),
    )
    period.name = "October to December"
    session.commit()

    after = card_of(your_actions(client, version), action.id)
    assert "Speed checks near every school" in after
    assert "Red" in after and "Green" not in after
    assert "by Sam Coordinator" in after
    assert "Updated for October to December" in after
    # The card left alone is the same as before, the period's new name aside.
    other = eastbridge["other"]
    assert "Update due for October to December" in card_of(your_actions(client, version), other.id)


def test_a_card_says_past_target_date_from_the_day_after_its_target(
    client, session, eastbridge, monkeypatch
):
    sign_in(client, LEAD, TEST_PASSWORD)
    version, action = eastbridge["version"], eastbridge["due_today"]
    assert "Past target date" not in card_of(your_actions(client, version), action.id)

    class Tomorrow(date):
        @classmethod
        def today(cls) -> date:
            return date.today() + timedelta(days=1)

    monkeypatch.setattr(statuses, "date", Tomorrow)
    monkeypatch.setattr(cards, "date", Tomorrow)
    assert "Past target date" in card_of(your_actions(client, version), action.id)
