"""Progress updates on actions: the rules for writing one, and an action's history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import DbSession
from tracker.models import Action, ActionState, Rag, ReportingPeriod, Update, User

MIN_PROGRESS_LENGTH = 10
MAX_PROGRESS_LENGTH = 5000


class UpdateRefused(ValueError):
    """An update that cannot be saved, with a message for the field it concerns."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def open_period_for(session: DbSession, action: Action) -> ReportingPeriod | None:
    """The reporting period open now in the action's plan version, if any."""
    return session.scalar(
        select(ReportingPeriod).where(
            ReportingPeriod.plan_version_id == action.priority.plan_version_id,
            ReportingPeriod.is_open.is_(True),
        )
    )


def record_update(session: DbSession, action: Action, author: User, rag: str, text: str) -> Update:
    """Add a new, immutable update to an action, stamped with the open reporting period."""
    if action.state != ActionState.ACTIVE:
        raise UpdateRefused(
            f"This action is {ActionState(action.state).label.lower()}: "
            "it must be reopened before it can be updated",
            "rag",
        )
    if rag not in set(Rag):
        raise UpdateRefused("Choose red, amber or green", "rag")
    text = text.strip()
    if len(text) < MIN_PROGRESS_LENGTH:
        raise UpdateRefused(
            f"Describe progress in at least {MIN_PROGRESS_LENGTH} characters", "progress_text"
        )
    if len(text) > MAX_PROGRESS_LENGTH:
        raise UpdateRefused(
            f"Progress must be {MAX_PROGRESS_LENGTH:,} characters or fewer", "progress_text"
        )
    update = Update(
        action=action,
        rag=rag,
        progress_text=text,
        author=author,
        author_organisation_id=author.organisation_id,
        period=open_period_for(session, action),
    )
    session.add(update)
    return update


def action_history(session: DbSession, action: Action) -> list[Update]:
    """Every update of an action, newest first, with authors and periods loaded."""
    return list(
        session.scalars(
            select(Update)
            .where(Update.action_id == action.id)
            .options(
                joinedload(Update.author),
                joinedload(Update.author_organisation),
                joinedload(Update.period),
            )
            .order_by(Update.recorded_at.desc(), Update.id.desc())
        )
    )
