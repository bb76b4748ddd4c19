"""An action's timeline, corrections, and managing actions (create, edit, state, order)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from, form_value, sign_in
from tests.support.paths import only_plan_path
from tracker.models import Action, AuditEvent, Priority, Theme, Update
from tracker.plans.demo_content import DEMO_PASSWORD


@pytest.fixture
def coordinator(client, session, demo_plan):
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    return client


def priority_named(session, name):
    return session.scalar(select(Priority).where(Priority.name == name))


def first_action(session, priority_name, state="active"):
    return session.scalar(
        select(Action)
        .join(Priority)
        .where(Priority.name == priority_name, Action.state == state)
        .order_by(Action.position)
    )


def post_form(client, url, page_url=None, **data):
    page = client.get(page_url or url).get_data(as_text=True)
    values = {"csrf_token": csrf_token_from(page)}
    if 'name="version"' in page:
        values["version"] = form_value(page, "version")
    return client.post(url, data={**values, **data})


def test_timeline_shows_direction_of_each_change(coordinator, session):
    action = first_action(session, "Domestic Abuse")  # green, green, amber, amber in the demo
    html = coordinator.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "worsened to</span>" in html
    assert html.count("app-history__item") == 4
    assert "Morgan Lee, Kent County Council" in html and "Jun–Jul 2026" in html


def test_correction_is_a_new_update_pointing_at_the_old_one(coordinator, session):
    action = first_action(session, "Domestic Abuse")
    wrong = session.scalar(
        select(Update).where(Update.action_id == action.id).order_by(Update.id.desc())
    )
    page_url = f"/actions/{action.id}?correct={wrong.id}"
    page = coordinator.get(page_url).get_data(as_text=True)
    assert "Correct the update of" in page and wrong.progress_text in page
    response = post_form(
        coordinator,
        f"/actions/{action.id}/updates",
        page_url,
        rag="amber",
        progress_text="Publication now planned for February, not January.",
        corrects=str(wrong.id),
    )
    assert response.status_code == 303
    correction = session.scalar(select(Update).where(Update.corrects_update_id == wrong.id))
    assert correction is not None and correction.progress_text.startswith(
        "Publication now planned for February"
    )
    session.refresh(wrong)
    assert wrong.progress_text.startswith("Revised report agreed"), "the original is untouched"
    assert "Correction</strong> of the update of" in coordinator.get(
        f"/actions/{action.id}"
    ).get_data(as_text=True)


def test_completing_with_an_update_closes_the_action_to_further_updates(coordinator, session):
    action = first_action(session, "Road Safety")
    response = post_form(
        coordinator,
        f"/actions/{action.id}/updates",
        f"/actions/{action.id}",
        rag="green",
        progress_text="All sessions delivered for the year.",
        completes="y",
    )
    assert response.status_code == 303
    session.refresh(action)
    assert action.state == "completed"
    html = coordinator.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Marked complete" in html and "takes no more updates" in html
    reopened = post_form(
        coordinator, f"/actions/{action.id}/state", f"/actions/{action.id}", state="active"
    )
    assert reopened.status_code == 303
    session.refresh(action)
    assert action.state == "active"
    assert ">Reopened<" in coordinator.get(f"/actions/{action.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("state", "question"),
    [
        ("completed", "Mark this action complete?"),
        ("closed", "Close this action as business as usual?"),
    ],
)
def test_completing_or_closing_asks_first_and_changes_nothing_until_confirmed(
    coordinator, session, state, question
):
    action = first_action(session, "Road Safety")
    asked = post_form(
        coordinator, f"/actions/{action.id}/state", f"/actions/{action.id}", state=state
    )
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and question in page and action.title in page
    assert 'name="confirmed" value="yes"' in page
    session.refresh(action)
    assert action.state == "active", "nothing changes until the person confirms"

    confirmed = post_form(
        coordinator,
        f"/actions/{action.id}/state",
        f"/actions/{action.id}",
        state=state,
        confirmed="yes",
    )
    assert confirmed.status_code == 303
    session.refresh(action)
    assert action.state == state


def test_close_as_business_as_usual_is_audited(coordinator, session):
    action = first_action(session, "Road Safety")
    post_form(
        coordinator,
        f"/actions/{action.id}/state",
        f"/actions/{action.id}",
        state="closed",
        confirmed="yes",
    )
    session.refresh(action)
    assert action.state == "closed"
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "action",
            AuditEvent.entity_id == action.id,
            AuditEvent.verb == "update",
        )
    )
    assert event.before["state"] == "active" and event.after["state"] == "closed"


def test_coordinator_creates_an_action_with_themes_and_dates(coordinator, session):
    priority = priority_named(session, "Road Safety")
    theme = session.scalar(select(Theme).where(Theme.name.like("Early%")))
    response = post_form(
        coordinator,
        f"/priorities/{priority.id}/actions/new",
        title="Pilot a motorcycle skills day",
        priority=str(priority.id),
        themes=[str(theme.id)],
        owner="",
        start_date=["1", "12", "2026"],
        target_date=["31", "3", "2027"],
    )
    assert response.status_code == 303
    action = session.scalar(select(Action).where(Action.title == "Pilot a motorcycle skills day"))
    assert [t.name for t in action.themes] == [theme.name]
    assert str(action.target_date) == "2027-03-31"
    assert action.position > max(a.position for a in priority.actions if a.id != action.id)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "Enter a title for the action"),
        ({"title": "x" * 301}, "300 characters or fewer"),
        (
            {
                "title": "Dated wrongly",
                "start_date": ["1", "6", "2026"],
                "target_date": ["1", "5", "2026"],
            },
            "same as or after the start date",
        ),
        ({"title": "Not a date", "start_date": ["31", "2", "2026"]}, "Not a valid date"),
    ],
)
def test_bad_action_details_are_refused(coordinator, session, fields, message):
    priority = priority_named(session, "Road Safety")
    count = len(priority.actions)
    response = post_form(
        coordinator,
        f"/priorities/{priority.id}/actions/new",
        priority=str(priority.id),
        owner="",
        **fields,
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    session.expire_all()
    assert len(priority_named(session, "Road Safety").actions) == count


def test_lead_cannot_add_actions_to_another_priority(client, session, demo_plan):
    sign_in(client, "lead.police@example.org", DEMO_PASSWORD)
    own = priority_named(session, "Anti-Social Behaviour")
    other = priority_named(session, "Road Safety")
    assert client.get(f"/priorities/{own.id}/actions/new").status_code == 200
    assert client.get(f"/priorities/{other.id}/actions/new").status_code == 403


def test_editing_from_a_stale_form_is_refused_and_keeps_the_changes(app, session, demo_plan):
    action = first_action(session, "Anti-Social Behaviour")
    lead, coordinator = app.test_client(), app.test_client()
    sign_in(lead, "lead.police@example.org", DEMO_PASSWORD)
    sign_in(coordinator, "coordinator@example.org", DEMO_PASSWORD)
    lead_page = lead.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    coordinator_page = coordinator.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    base = {"priority": str(action.priority_id), "owner": ""}
    first = coordinator.post(
        f"/actions/{action.id}/edit",
        data={
            **base,
            "csrf_token": csrf_token_from(coordinator_page),
            "version": form_value(coordinator_page, "version"),
            "title": "Renamed by the coordinator",
        },
    )
    assert first.status_code == 303
    second = lead.post(
        f"/actions/{action.id}/edit",
        data={
            **base,
            "csrf_token": csrf_token_from(lead_page),
            "version": form_value(lead_page, "version"),
            "title": "Renamed by the lead",
        },
    )
    assert second.status_code == 409
    assert "Renamed by the lead" in second.get_data(as_text=True)
    session.refresh(action)
    assert action.title == "Renamed by the coordinator"


def test_reordering_moves_an_action_within_its_priority(coordinator, session):
    priority = priority_named(session, "Road Safety")
    before = [a.id for a in sorted(priority.actions, key=lambda a: a.position)]
    overview = only_plan_path(session)
    post_form(
        coordinator, f"/actions/{before[1]}/move", overview, direction="up", return_to=overview
    )
    session.expire_all()
    after = [
        a.id
        for a in sorted(priority_named(session, "Road Safety").actions, key=lambda a: a.position)
    ]
    assert after == [before[1], before[0], *before[2:]]


def test_add_action_links_only_where_the_user_may_add(client, session, demo_plan):
    sign_in(client, "lead.police@example.org", DEMO_PASSWORD)
    html = client.get(only_plan_path(session)).get_data(as_text=True)
    links = re.findall(r'href="/priorities/(\d+)/actions/new"', html)
    led = {
        p.id
        for p in session.scalars(
            select(Priority).where(
                Priority.name.in_(["Anti-Social Behaviour", "Serious Violence and Organised Crime"])
            )
        )
    }
    assert {int(link) for link in links} == led


def test_move_buttons_on_the_action_page_reorder(coordinator, session):
    priority = priority_named(session, "Road Safety")
    order = [a.id for a in sorted(priority.actions, key=lambda a: a.position)]
    page = coordinator.get(f"/actions/{order[0]}").get_data(as_text=True)
    assert "Move down" in page
    response = coordinator.post(
        f"/actions/{order[0]}/move",
        data={
            "csrf_token": csrf_token_from(page),
            "direction": "down",
            "return_to": f"/actions/{order[0]}",
        },
    )
    assert response.headers["Location"] == f"/actions/{order[0]}"
    session.expire_all()
    assert [
        a.id
        for a in sorted(priority_named(session, "Road Safety").actions, key=lambda a: a.position)
    ][:2] == [order[1], order[0]]
