"""Updates and audit events cannot be changed or deleted, even with raw SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.support.factories import make_update
from tracker.audit import record_event
from tracker.models import AppendOnlyViolation, AuditEvent, Update


@pytest.fixture
def stored_update(session):
    update = make_update(session, progress_text="Original words")
    session.commit()
    return update


@pytest.fixture
def stored_event(session):
    event = record_event(session, "test_event", summary="Original summary")
    session.commit()
    return event


def test_raw_sql_cannot_change_an_update(session, stored_update):
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text("UPDATE action_update SET progress_text = 'Rewritten history'"))
    session.rollback()
    assert session.scalar(text("SELECT progress_text FROM action_update")) == "Original words"


def test_raw_sql_cannot_delete_an_update(session, stored_update):
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text("DELETE FROM action_update"))
    session.rollback()
    assert session.scalar(text("SELECT count(*) FROM action_update")) == 1


def test_raw_sql_cannot_change_an_audit_event(session, stored_event):
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text("UPDATE audit_event SET summary = 'Nothing happened'"))
    session.rollback()
    assert session.scalar(text("SELECT summary FROM audit_event")) == "Original summary"


def test_raw_sql_cannot_delete_an_audit_event(session, stored_event):
    with pytest.raises(IntegrityError, match="append-only"):
        session.execute(text("DELETE FROM audit_event"))
    session.rollback()
    assert session.scalar(text("SELECT count(*) FROM audit_event")) == 1


@pytest.mark.backends("postgresql")  # SQLite has no TRUNCATE statement
def test_postgresql_refuses_truncate_of_append_only_tables(session, stored_update, stored_event):
    for table in ("action_update", "audit_event"):
        with pytest.raises(IntegrityError, match="append-only"):
            session.execute(text(f"TRUNCATE {table} CASCADE"))
        session.rollback()
    assert session.scalar(text("SELECT count(*) FROM action_update")) == 1


def test_model_layer_refuses_to_change_an_update(session, stored_update):
    update = session.get(Update, stored_update.id)
    update.progress_text = "Rewritten history"
    with pytest.raises(AppendOnlyViolation, match="record a new one"):
        session.flush()


def test_model_layer_refuses_to_delete_an_audit_event(session, stored_event):
    session.delete(session.get(AuditEvent, stored_event.id))
    with pytest.raises(AppendOnlyViolation, match="cannot be deleted"):
        session.flush()
