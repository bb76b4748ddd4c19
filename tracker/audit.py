"""The audit trail: who did what, when, with the values before and after.

Data changes are recorded in one place, a flush hook on every database session, so a new
feature cannot forget to audit: creating, changing or deleting any row of the plan (users,
actions, updates, periods…) adds an AuditEvent in the same transaction. Sign-ins, sign-outs
and refusals are recorded explicitly with record_event().
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from tracker.extensions import DbSession
from tracker.models import AuditEvent, RecoveryCode, Reminder, SignInAttempt, User

# Rows that are themselves a log, or secrets, are not echoed into the audit trail.
NOT_AUDITED = (AuditEvent, SignInAttempt, RecoveryCode, Reminder)
# Columns whose values must never be copied anywhere: only the fact of a change is kept.
SECRET_COLUMNS = {
    "password_hash",
    "session_token",
    "totp_secret",
    "totp_last_counter",
    "password_setup_token_hash",
}
REDACTED = "(changed)"

_paused: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_paused", default=False)
_cli_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar("cli_actor", default=None)


def current_actor() -> User | None:
    """The signed-in user behind this change, or the user a CLI command acts as."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return _cli_actor.get()


def record_event(
    session: DbSession,
    verb: str,
    *,
    actor: User | None = None,
    entity_type: str = "",
    entity_id: int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session; it is written with the change it describes."""
    audit_event = AuditEvent(
        verb=verb,
        actor=actor if actor is not None else current_actor(),
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary,
        before=before,
        after=after,
        client_address=request.remote_addr if has_request_context() else None,
    )
    session.add(audit_event)
    return audit_event


def record_account_event(
    session: DbSession, verb: str, user: User, *, actor: User | None = None
) -> AuditEvent:
    """Record something that happened to a user's account (sign-in, password, deactivation)."""
    return record_event(
        session,
        verb,
        actor=actor,
        entity_type="user_account",
        entity_id=user.id,
        summary=user.email,
    )


@contextmanager
def bulk_load_without_row_audit() -> Iterator[None]:
    """For loaders (demo, benchmark) that record one summary event instead of one per row."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


@contextmanager
def acting_as(user: User | None) -> Iterator[None]:
    """Attribute changes made outside a request (CLI commands) to this user."""
    token = _cli_actor.set(user)
    try:
        yield
    finally:
        _cli_actor.reset(token)


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a column value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _entity_type(obj: Any) -> str:
    return str(obj.__table__.name)


def _entity_id(obj: Any) -> int | None:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def _audited(column: Any, value: Any) -> Any:
    """What the audit trail keeps of a column's value: secrets and bulky values only as a note.

    A column declares its note with `info={"audit_as": "(…)"}` (a published report's frozen
    copy, an uploaded file): the fact of the change is kept, not a second copy of the data.
    """
    if value is None:
        return None
    if column.name in SECRET_COLUMNS:
        return REDACTED if value else _plain(value)
    return column.info.get("audit_as") or _plain(value)


def _column_values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    values = {}
    for column in obj.__table__.columns:
        key = state.mapper.get_property_by_column(column).key
        if key in state.unloaded and "audit_as" in column.info:
            # A deferred bulky column (a deleted template's file): noted, never fetched.
            values[column.name] = column.info["audit_as"]
            continue
        values[column.name] = _audited(column, getattr(obj, key))
    return values


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Before and after values of the attributes changed on obj in this flush."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    state = inspect(obj)
    for attribute in state.mapper.attrs:
        history = state.attrs[attribute.key].history
        if not history.has_changes():
            continue
        if hasattr(attribute, "columns"):
            column = attribute.columns[0]
            if column.name in SECRET_COLUMNS:
                before[column.name], after[column.name] = REDACTED, REDACTED
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            before[column.name], after[column.name] = _audited(column, old), _audited(column, new)
        elif attribute.uselist:  # a many-to-many collection such as an action's themes
            unchanged = [_entity_id(item) for item in history.unchanged]
            before[attribute.key] = sorted(
                i for i in unchanged + [_entity_id(x) for x in history.deleted] if i
            )
            after[attribute.key] = sorted(
                i for i in unchanged + [_entity_id(x) for x in history.added] if i
            )
    return before, after


def _describe(obj: Any) -> str:
    for attribute in ("name", "title", "email", "key"):
        if hasattr(obj, attribute):
            return str(getattr(obj, attribute))
    return ""


@event.listens_for(Session, "after_flush")
def _audit_data_changes(session: Session, flush_context: Any) -> None:
    """Record every create, update and delete flushed by any session."""
    if _paused.get():
        return
    actor = current_actor()
    events: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None]] = []
    for obj in session.new:
        if isinstance(obj, NOT_AUDITED):
            continue
        events.append(("create", obj, None, _column_values(obj)))
    for obj in session.dirty:
        if isinstance(obj, NOT_AUDITED) or not session.is_modified(obj):
            continue
        changed_from, changed_to = _changes(obj)
        if changed_from or changed_to:
            events.append(("update", obj, changed_from, changed_to))
    for obj in session.deleted:
        if isinstance(obj, NOT_AUDITED):
            continue
        events.append(("delete", obj, _column_values(obj), None))
    if not events:
        return
    client_address = request.remote_addr if has_request_context() else None
    # Written straight into the flush's own transaction: added to the session instead, the
    # events would need a flush of their own (an update's save took a third longer).
    session.connection().execute(
        insert(AuditEvent.__table__),
        [
            {
                "verb": verb,
                "actor_id": actor.id if actor is not None else None,
                "entity_type": _entity_type(obj),
                "entity_id": _entity_id(obj),
                "summary": _describe(obj),
                "before": before,
                "after": after,
                "client_address": client_address,
            }
            for verb, obj, before, after in events
        ],
    )
