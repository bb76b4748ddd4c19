"""Who may change which records: rules about particular actions, beyond role rules.

Only the current version of a plan takes changes (tracker.plans.versions), so nobody may
change an action or a priority's context of a draft or of last year's version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, false, or_, select

from tracker.extensions import DbSession
from tracker.models import (
    Action,
    PlanVersion,
    Priority,
    Role,
    User,
    action_responsible_user,
    priority_lead,
)


def can_edit_action(session: DbSession, user: User, action: Action) -> bool:
    """Coordinators edit every action; a lead edits actions under the priorities they lead
    and actions they are named responsible for; nobody else edits actions."""
    if not action.priority.plan_version.is_current:
        return False
    if user.role == Role.COORDINATOR:
        return True
    if user.role != Role.LEAD:
        return False
    return bool(
        session.scalar(
            select(
                or_(
                    exists().where(
                        priority_lead.c.priority_id == action.priority_id,
                        priority_lead.c.user_id == user.id,
                    ),
                    exists().where(
                        action_responsible_user.c.action_id == action.id,
                        action_responsible_user.c.user_id == user.id,
                    ),
                )
            )
        )
    )


def editable_action_ids(session: DbSession, user: User, plan_version_id: int) -> set[int]:
    """Ids of the actions in a plan version this user may change; one query."""
    return set(session.scalars(editable_actions(user, plan_version_id)))


def editable_actions(user: User, plan_version_id: int) -> Select[Any]:
    """The ids of the actions in a plan version this user may change, as a query: to filter
    another query in the database, rather than sending it thousands of ids."""
    in_version = (
        select(Action.id)
        .join(Priority, Priority.id == Action.priority_id)
        .join(PlanVersion, PlanVersion.id == Priority.plan_version_id)
        .where(Priority.plan_version_id == plan_version_id, PlanVersion.is_current.is_(True))
    )
    if user.role == Role.COORDINATOR:
        return in_version
    if user.role != Role.LEAD:
        return in_version.where(false())
    # The person's own few rows of the lead and responsible tables, looked up once each,
    # rather than those tables probed for every action of the version.
    led_priorities = select(priority_lead.c.priority_id).where(priority_lead.c.user_id == user.id)
    responsible_for = select(action_responsible_user.c.action_id).where(
        action_responsible_user.c.user_id == user.id
    )
    return in_version.where(
        or_(Action.priority_id.in_(led_priorities), Action.id.in_(responsible_for))
    )


def manageable_priority_ids(user: User, version: PlanVersion) -> set[int] | None:
    """Priorities of a plan version under which this user may add actions: None means all
    (coordinators); leads get the priorities they lead; everyone else none."""
    if not version.is_current or user.role not in (Role.COORDINATOR, Role.LEAD):
        return set()
    if user.role == Role.COORDINATOR:
        return None
    return {p.id for p in user.led_priorities if p.plan_version_id == version.id}


def can_manage_priority(user: User, priority: Priority) -> bool:
    """Coordinators, and the leads of this priority, write its context and record its
    indicator readings."""
    if not priority.plan_version.is_current:
        return False
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.LEAD and any(p.id == priority.id for p in user.led_priorities)
