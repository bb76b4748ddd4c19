"""Locked periods: once a period is closed, the figures the board saw for it stay as they were.

Kept apart from tracker.periods.services so that the services that save updates, context and
indicator values can ask about a lock without importing the period rules that import them.
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import DbSession
from tracker.models import ReportingPeriod, Role, User

NAMED_COORDINATORS = 3


def who_can_reopen(session: DbSession) -> str:
    """The coordinators who can reopen a period, by name, for a refusal message."""
    names = list(
        session.scalars(
            select(User.name)
            .where(User.role == Role.COORDINATOR.value, User.active.is_(True))
            .order_by(User.name)
            .limit(NAMED_COORDINATORS + 1)
        )
    )
    if not names:
        return "a coordinator"
    if len(names) > NAMED_COORDINATORS:
        return "a coordinator (such as " + ", ".join(names[:NAMED_COORDINATORS]) + ")"
    return "a coordinator (" + " or ".join(names) + ")"


def locked_message(session: DbSession, period: ReportingPeriod, what: str) -> str:
    """Why a closed period refuses `what` ("updates", "context"…), and who can reopen it."""
    closed = f"{period.name} is closed"
    if period.closed_at is not None:
        closed = f"{period.name} was closed on {period.closed_at:%-d %B %Y}"
        if period.closed_by is not None:
            closed += f" by {period.closed_by.name}"
    return (
        f"{closed}, so it takes no more {what}. "
        f"Only {who_can_reopen(session)} can reopen it, on the plan's Reporting periods page."
    )
