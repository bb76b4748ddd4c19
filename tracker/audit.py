"""Recording audit events: who did what, when."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from tracker.extensions import DbSession
from tracker.models import AuditEvent, User


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
    event = AuditEvent(
        verb=verb,
        actor=actor,
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary,
        before=before,
        after=after,
        client_address=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    return event
