"""Who may add progress updates, and what a valid update is."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, form_value, sign_in
from tests.support.paths import only_plan_path
from tracker.models import Action, AuditEvent, Priority, Update
from tracker.plans.demo_content import DEMO_PASSWORD


def action_under(session, priority_name: str, state: str = "active") -> Action:
    return session.scalar(
        select(Action)
        .join(Priority)
        .where(Priority.name == priority_name, Action.state == state)
        .order_by(Action.position)
    )


def post_update(client, action_id: int, **data):
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    token = csrf_token_from(page) if 'name="csrf_token"' in page else ""
    version = form_value(page, "version") if 'name="version"' in page else ""
    return client.post(
        f"/actions/{action_id}/updates", data={"csrf_token": token, "version": version, **data}
    )


def update_count(session, action: Action) -> int:
    return session.scalar(select(func.count()).where(Update.action_id == action.id))


def test_lead_updates_an_action_under_their_priority(client, session, demo_plan):
    action = action_under(session, "Anti-Social Behaviour")
    before = update_count(session, action)
    sign_in(client, "lead.police@example.org", DEMO_PASSWORD)
    response = post_update(
        client,
        action.id,
        rag="red",
        progress_text="Funding withdrawn for the second half of the year.",
        mitigation_text="Escalated to the board; bridging bid submitted.",
    )
    assert response.status_code == 303
    assert update_count(session, action) == before + 1
    latest = session.scalar(
        select(Update).where(Update.action_id == action.id).order_by(Update.id.desc())
    )
    assert latest.rag == "red" and latest.author.email == "lead.police@example.org"
    assert latest.period.name == "Oct–Nov 2026", "stamped with the open period"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Update saved." in page and "Funding withdrawn" in page and "bridging bid" in page


def test_lead_forging_a_post_for_another_priority_is_refused_and_audited(
    client, session, demo_plan
):
    action = action_under(session, "Domestic Abuse")
    before = update_count(session, action)
    sign_in(client, "lead.police@example.org", DEMO_PASSWORD)
    token = csrf_token_from(client.get(only_plan_path(session)).get_data(as_text=True))
    response = client.post(
        f"/actions/{action.id}/updates",
        data={"csrf_token": token, "rag": "green", "progress_text": "Forged from another priority"},
    )
    assert response.status_code == 403
    assert update_count(session, action) == before
    denied = session.scalar(select(AuditEvent).where(AuditEvent.verb == "access_denied"))
    assert denied.entity_id == action.id and denied.actor.email == "lead.police@example.org"


@pytest.mark.parametrize("email", ["viewer@example.org", "admin@example.org"])
def test_roles_that_do_not_edit_actions_are_refused(client, session, demo_plan, email):
    action = action_under(session, "Anti-Social Behaviour")
    sign_in(client, email, DEMO_PASSWORD)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Add an update" not in page
    token = csrf_token_from(client.get(only_plan_path(session)).get_data(as_text=True))
    response = client.post(
        f"/actions/{action.id}/updates",
        data={"csrf_token": token, "rag": "green", "progress_text": "Should not be saved"},
    )
    assert response.status_code == 403


def test_coordinator_updates_any_action(client, session, demo_plan):
    action = action_under(session, "Domestic Abuse")
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    assert (
        post_update(
            client, action.id, rag="amber", progress_text="Entered on the lead's behalf"
        ).status_code
        == 303
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"progress_text": "Enough words here"}, "Choose red, amber or green"),
        ({"rag": "purple", "progress_text": "Enough words here"}, "Choose red, amber or green"),
        ({"rag": "green", "progress_text": "   "}, "Describe the progress made"),
        ({"rag": "green", "progress_text": "Too short"}, "at least 10 characters"),
        ({"rag": "green", "progress_text": "x" * 5001}, "5,000 characters or fewer"),
        (
            {"rag": "red", "progress_text": "Stalled completely"},
            "Enter what is being done about the red status",
        ),
        (
            {"rag": "red", "progress_text": "Stalled completely", "mitigation_text": "Escalate"},
            "at least 10 characters",
        ),
    ],
)
def test_bad_updates_are_refused_next_to_the_field_and_nothing_is_saved(
    client, session, demo_plan, data, message
):
    action = action_under(session, "Anti-Social Behaviour")
    before = update_count(session, action)
    sign_in(client, "lead.police@example.org", DEMO_PASSWORD)
    response = post_update(client, action.id, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert update_count(session, action) == before


def test_completed_action_takes_no_updates(client, session, demo_plan):
    action = action_under(session, "Domestic Abuse", state="completed")
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "takes no more updates" in page
    token = csrf_token_from(page)
    response = client.post(
        f"/actions/{action.id}/updates",
        data={"csrf_token": token, "rag": "green", "progress_text": "Trying anyway, with words"},
    )
    assert response.status_code == 422
    assert "reopen it before adding an update" in response.get_data(as_text=True)


def test_home_page_shows_edit_controls_only_where_the_user_may_edit(client, session, demo_plan):
    sign_in(client, "lead.police@example.org", DEMO_PASSWORD)
    html = client.get(only_plan_path(session)).get_data(as_text=True)
    led = session.scalars(
        select(Action.id)
        .join(Priority)
        .where(
            Priority.name.in_(["Anti-Social Behaviour", "Serious Violence and Organised Crime"]),
            Action.state == "active",
        )
    ).all()
    assert html.count("Add update<span") == len(led)
    for action_id in led:
        assert f"/actions/{action_id}#add-update-heading" in html
