"""Sign-off: when a plan asks for it, a lead's update waits until a coordinator, or the
priority's named sign-off person, approves it or returns it with a reason.

Nothing is edited in place: the update stays as written (append-only) and the decision is
its own append-only UpdateReview row; the audit trail records both. Until approved, an update
does not count towards the action's status (tracker.statuses.counts_towards_status).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker import database
from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    Plan,
    PlanVersion,
    Priority,
    ReviewDecision,
    Role,
    Update,
    UpdateReview,
    User,
)
from tracker.statuses import latest_update_id_subquery, waits_for_sign_off

MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 2000


class SignOffRefused(ValueError):
    """A sign-off that cannot be made, with a message for the person (and the field)."""

    def __init__(self, message: str, field: str = "reason") -> None:
        super().__init__(message)
        self.field = field


def can_sign_off(user: User, priority: Priority) -> bool:
    """Coordinators sign off any priority's updates; a priority can name one more person."""
    return user.role == Role.COORDINATOR or (
        priority.sign_off_by_id is not None and priority.sign_off_by_id == user.id
    )


def signs_off_in(session: DbSession, user: User, version: PlanVersion) -> bool:
    """Whether the person signs off anything in this plan version (the waiting list is theirs)."""
    if user.role == Role.COORDINATOR:
        return True
    return bool(
        session.scalar(
            select(func.count(Priority.id)).where(
                Priority.plan_version_id == version.id, Priority.sign_off_by_id == user.id
            )
        )
    )


def waiting_for_sign_off(
    session: DbSession, version: PlanVersion, reviewer: User | None = None
) -> list[Update]:
    """Each action's latest update, where it waits for sign-off (an older one overtaken by a
    newer update is not asked about), in plan order; only the ones the reviewer can decide
    on, when a reviewer is given."""
    query = (
        select(Update)
        .join(Action, Action.id == Update.action_id)
        .join(Priority, Priority.id == Action.priority_id)
        .where(
            Priority.plan_version_id == version.id,
            Priority.retired_at.is_(None),
            Action.state == ActionState.ACTIVE.value,
            Update.id == latest_update_id_subquery(counted_only=False),
            waits_for_sign_off(),
        )
        .options(
            joinedload(Update.action).joinedload(Action.priority),
            joinedload(Update.author),
            joinedload(Update.author_organisation),
            joinedload(Update.period),
        )
        .order_by(Priority.position, Action.position, Action.id)
    )
    if reviewer is not None and reviewer.role != Role.COORDINATOR:
        query = query.where(Priority.sign_off_by_id == reviewer.id)
    return list(session.scalars(query).unique())


def review(
    session: DbSession, update: Update, reviewer: User, decision: str, reason: str = ""
) -> UpdateReview:
    """Approve an update, or return it with a reason. Raises SignOffRefused (nothing saved)
    when the person may not, the update is not waiting, or a newer one has overtaken it."""
    action = update.action
    if not update.needs_sign_off:
        raise SignOffRefused("This update did not need sign-off", "decision")
    if not can_sign_off(reviewer, action.priority):
        raise SignOffRefused(
            "Only a coordinator or this priority's sign-off person can sign off its updates",
            "decision",
        )
    if update.author_id == reviewer.id:
        raise SignOffRefused(
            "You wrote this update: someone else must sign it off (that is the point of it)",
            "decision",
        )
    earlier = session.scalar(select(UpdateReview).where(UpdateReview.update_id == update.id))
    if earlier is not None:
        raise SignOffRefused(_already(earlier), "decision")
    latest_id = session.scalar(
        select(Update.id)
        .where(Update.action_id == action.id)
        .order_by(Update.recorded_at.desc(), Update.id.desc())
        .limit(1)
    )
    if latest_id != update.id:
        raise SignOffRefused(
            "A newer update has been written for this action since: sign off that one instead",
            "decision",
        )
    if decision not in set(ReviewDecision):
        raise SignOffRefused("Choose approve or return", "decision")
    reason = (reason or "").strip()
    if decision == ReviewDecision.RETURNED:
        if len(reason) < MIN_REASON_LENGTH:
            raise SignOffRefused(
                f"Say why it is returned, in at least {MIN_REASON_LENGTH} characters, so the "
                "lead knows what to change"
            )
        if len(reason) > MAX_REASON_LENGTH:
            raise SignOffRefused(f"The reason must be {MAX_REASON_LENGTH:,} characters or fewer")
    decided = UpdateReview(update=update, decision=decision, reason=reason, reviewer=reviewer)
    session.add(decided)
    if (
        decision == ReviewDecision.APPROVED
        and update.completes_action
        and action.state == ActionState.ACTIVE
    ):
        # The lead asked to complete the action with this update; approval does it, moving
        # the action's version on so an open form cannot overwrite the change.
        database.claim_version(session, action, action.version)
        action.state = ActionState.COMPLETED.value
    try:
        session.flush()
    except IntegrityError:  # someone else decided a moment ago
        session.rollback()
        earlier = session.scalar(select(UpdateReview).where(UpdateReview.update_id == update.id))
        raise SignOffRefused(
            _already(earlier) if earlier else "Someone else signed this off a moment ago",
            "decision",
        ) from None
    return decided


def _already(earlier: UpdateReview) -> str:
    verb = "approved" if earlier.decision == ReviewDecision.APPROVED else "returned"
    return f"{earlier.reviewer.name} {verb} this update on {earlier.reviewed_at:%-d %B %Y}"


def set_sign_off(session: DbSession, plan: Plan, required: bool, version: PlanVersion) -> None:
    """Turn sign-off on or off. Off is refused while updates wait: each needs a decision."""
    if not required and plan.sign_off_required:
        waiting = len(waiting_for_sign_off(session, version))
        if waiting:
            raise SignOffRefused(
                f"{waiting} update{'s' if waiting != 1 else ''} still "
                f"wait{'' if waiting != 1 else 's'} for sign-off: approve or return "
                f"{'them' if waiting != 1 else 'it'} before turning sign-off off",
                "required",
            )
    plan.sign_off_required = required


def review_of(session: DbSession, update_ids: list[int]) -> dict[int, UpdateReview]:
    """The decisions on these updates, by update id, for an action's history."""
    if not update_ids:
        return {}
    return {
        decided.update_id: decided
        for decided in session.scalars(
            select(UpdateReview)
            .where(UpdateReview.update_id.in_(update_ids))
            .options(joinedload(UpdateReview.reviewer))
        )
    }
