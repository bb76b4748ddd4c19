"""Data changes are audited with who, when and the values before and after."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.factories import make_action, make_priority, make_theme, make_update, make_user
from tracker.audit import acting_as
from tracker.models import AuditEvent


def events(session, verb=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if verb:
        query = query.where(AuditEvent.verb == verb)
    return session.scalars(query).all()


def test_creating_a_record_is_audited_with_its_values(session):
    actor = make_user(session, email="coordinator@example.org", role="coordinator")
    with acting_as(actor):
        action = make_action(session, title="Run the ASB awareness week")
        session.commit()
    created = [e for e in events(session, "create") if e.entity_type == "action"]
    assert len(created) == 1
    assert created[0].entity_id == action.id
    assert created[0].actor_id == actor.id
    assert created[0].after["title"] == "Run the ASB awareness week"


def test_changing_a_record_keeps_before_and_after(session):
    action = make_action(session, title="Old title")
    theme = make_theme(session, plan_version=action.priority.plan_version)
    session.commit()
    action.title = "New title"
    action.themes = [theme]
    session.commit()
    changes = [e for e in events(session, "update") if e.entity_type == "action"]
    titles = [(e.before["title"], e.after["title"]) for e in changes if "title" in e.after]
    themes = [(e.before["themes"], e.after["themes"]) for e in changes if "themes" in e.after]
    assert titles == [("Old title", "New title")]
    assert themes == [([], [theme.id])]


def test_deleting_a_record_keeps_what_it_was(session):
    priority = make_priority(session, name="Going away")
    session.commit()
    session.delete(priority)
    session.commit()
    deleted = [e for e in events(session, "delete") if e.entity_type == "priority"]
    assert deleted[0].before["name"] == "Going away" and deleted[0].after is None


def test_secrets_never_reach_the_audit_log(session):
    user = make_user(session)
    session.commit()
    user.end_all_sessions()
    session.commit()
    for event in events(session):
        text = repr(event.before) + repr(event.after)
        assert user.password_hash not in text
        assert user.session_token not in text
    change = [e for e in events(session, "update") if e.entity_type == "user_account"][-1]
    assert change.after["session_token"] == "(changed)"


def test_updates_are_audited_as_they_are_written(session):
    update = make_update(session, progress_text="Written once")
    session.commit()
    created = [e for e in events(session, "create") if e.entity_type == "action_update"]
    assert created[0].entity_id == update.id and created[0].after["progress_text"] == "Written once"
