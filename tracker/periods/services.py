"""Reporting periods: creating, opening and closing them, and who still owes an update."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from tracker.actions.services import UpdateRefused
from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    PlanVersion,
    Priority,
    ReportingPeriod,
    Update,
)
from tracker.statuses import owes_an_update


def periods_of(session: DbSession, version: PlanVersion) -> list[ReportingPeriod]:
    return list(
        session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.plan_version_id == version.id)
            .order_by(ReportingPeriod.start_date)
        )
    )


def create_period(
    session: DbSession,
    version: PlanVersion,
    *,
    name: str,
    start: date,
    end: date,
    due: date | None,
) -> ReportingPeriod:
    """A new, closed period; raises UpdateRefused (with the field) for bad input."""
    name = name.strip()
    if not name:
        raise UpdateRefused("Enter a name, for example Oct–Nov 2026", "name")
    if len(name) > 100:
        raise UpdateRefused("Name must be 100 characters or fewer", "name")
    if end < start:
        raise UpdateRefused("The end date must be the same as or after the start date", "end_date")
    if due is not None and due < start:
        raise UpdateRefused("The due date must be on or after the start date", "due_date")
    for other in periods_of(session, version):
        if other.name.lower() == name.lower():
            raise UpdateRefused(f"There is already a period called {other.name}", "name")
        if start <= other.end_date and other.start_date <= end:
            raise UpdateRefused(
                f"These dates overlap {other.name} "
                f"({other.start_date:%-d %b %Y} to {other.end_date:%-d %b %Y})",
                "start_date",
            )
    period = ReportingPeriod(
        plan_version=version, name=name, start_date=start, end_date=end, due_date=due
    )
    session.add(period)
    return period


def open_period(session: DbSession, period: ReportingPeriod) -> None:
    """Open a period for updates; only one may be open in a plan version at a time."""
    already = session.scalar(
        select(ReportingPeriod).where(
            ReportingPeriod.plan_version_id == period.plan_version_id,
            ReportingPeriod.is_open.is_(True),
        )
    )
    if already is not None and already.id != period.id:
        raise UpdateRefused(f"Close {already.name} before opening {period.name}", "period")
    period.is_open = True


def close_period(period: ReportingPeriod) -> None:
    period.is_open = False


@dataclass
class LeadGroup:
    lead: str
    actions: list[Action] = field(default_factory=list)


def outstanding_updates(
    session: DbSession, version: PlanVersion, period: ReportingPeriod
) -> list[LeadGroup]:
    """Active actions with no update in the period, grouped by who leads them; an action led
    by two people appears under each. Actions whose priority has no lead come last."""
    updated = exists().where(Update.action_id == Action.id, Update.period_id == period.id)
    actions = session.scalars(
        select(Action)
        .join(Priority)
        .where(
            Priority.plan_version_id == version.id,
            Priority.retired_at.is_(None),
            Action.state == ActionState.ACTIVE.value,
            ~updated,
        )
        .options(
            selectinload(Action.priority).selectinload(Priority.leads),
            selectinload(Action.responsible_users),
        )
        .order_by(Priority.position, Action.position, Action.id)
    ).all()
    groups: dict[str, LeadGroup] = {}
    for action in actions:
        names = [person.name for person in owes_an_update(action)] or ["No lead assigned"]
        for name in names:
            groups.setdefault(name, LeadGroup(name)).actions.append(action)
    return sorted(groups.values(), key=lambda group: (group.lead == "No lead assigned", group.lead))
