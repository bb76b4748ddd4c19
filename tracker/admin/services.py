"""Queries behind the admin pages: users with their leads, and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import DbSession
from tracker.models import (
    AuditEvent,
    Organisation,
    Plan,
    PlanVersion,
    Priority,
    User,
)
from tracker.paging import first_row

AUDIT_PAGE_SIZE = 50


def all_users(session: DbSession) -> list[User]:
    """Every user with organisation and led priorities, active first, by name."""
    return list(
        session.scalars(
            select(User)
            .options(
                joinedload(User.organisation),
                selectinload(User.led_priorities).joinedload(Priority.plan_version),
            )
            .order_by(User.active.desc(), User.name)
        )
    )


def organisations(session: DbSession) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def organisation_user_counts(session: DbSession) -> dict[int, int]:
    rows = session.execute(
        select(User.organisation_id, func.count()).group_by(User.organisation_id)
    )
    return {organisation_id: count for organisation_id, count in rows if organisation_id}


def current_priorities(session: DbSession) -> list[Priority]:
    """Priorities of every plan's current version: the ones a lead can be assigned to."""
    return list(
        session.scalars(
            select(Priority)
            .join(PlanVersion)
            .join(Plan)
            .where(PlanVersion.is_current.is_(True), Priority.retired_at.is_(None))
            .options(joinedload(Priority.plan_version).joinedload(PlanVersion.plan))
            .order_by(Plan.id, Priority.position, Priority.id)
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    verb: str = ""
    entity_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.actor_id:
            query = query.where(AuditEvent.actor_id == self.actor_id)
        if self.verb:
            query = query.where(AuditEvent.verb == self.verb)
        if self.entity_type:
            query = query.where(AuditEvent.entity_type == self.entity_type)
        if self.date_from:
            query = query.where(
                AuditEvent.occurred_at >= datetime.combine(self.date_from, time(), tzinfo=UTC)
            )
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time(), tzinfo=UTC)
            query = query.where(AuditEvent.occurred_at < end)
        return query


def audit_page(
    session: DbSession, audit_filter: AuditFilter, page: int
) -> tuple[list[AuditEvent], int]:
    """One page of audit events, newest first, and the number of matching events."""
    matching = audit_filter.apply(select(AuditEvent))
    total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    if first_row(page, AUDIT_PAGE_SIZE) >= total:
        return [], total  # past the end (an offset that large would not fit the database)
    events = session.scalars(
        matching.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset(first_row(page, AUDIT_PAGE_SIZE))
    ).all()
    return list(events), total


def audit_choices(session: DbSession) -> tuple[list[str], list[str]]:
    """The verbs and entity types that occur in the log, for the filter menus."""
    verbs = session.scalars(select(AuditEvent.verb).distinct().order_by(AuditEvent.verb)).all()
    types = session.scalars(
        select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)
    ).all()
    return list(verbs), [name for name in types if name]
