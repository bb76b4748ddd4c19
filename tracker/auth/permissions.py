"""Who may change which records: rules about particular actions, beyond role rules.

Only the current version of a plan takes changes (tracker.plans.versions), so nobody may
change an action or a priority's context of a draft or of last year's version.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from sqlalchemy import CompoundSelect, Select, bindparam, exists, false, or_, select, union_all

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


def edits_every_action(user: User, version: PlanVersion) -> bool:
    """Coordinators edit every action of a plan's current version (and nobody edits any
    action of another version)."""
    return version.is_current and user.role == Role.COORDINATOR


def can_edit_action(session: DbSession, user: User, action: Action) -> bool:
    """Coordinators edit every action; a lead edits actions under the priorities they lead
    and actions they are named responsible for; nobody else edits actions."""
    if not action.priority.plan_version.is_current:
        return False
    if edits_every_action(user, action.priority.plan_version):
        return True
    if user.role != Role.LEAD:
        return False
    return bool(
        session.scalar(
            _leads_or_is_responsible_for(),
            {"user_id": user.id, "priority_id": action.priority_id, "action_id": action.id},
        )
    )


@cache  # every save asks: built once per process, as building cost more than running
def _leads_or_is_responsible_for() -> Select[bool]:
    return select(
        or_(
            exists().where(
                priority_lead.c.priority_id == bindparam("priority_id"),
                priority_lead.c.user_id == bindparam("user_id"),
            ),
            exists().where(
                action_responsible_user.c.action_id == bindparam("action_id"),
                action_responsible_user.c.user_id == bindparam("user_id"),
            ),
        )
    )


def editable_action_ids(session: DbSession, user: User, plan_version_id: int) -> set[int]:
    """Ids of the actions in a plan version this user may change; one query."""
    return set(session.scalars(_editable_actions(user.role, user.id, plan_version_id)))


# The ids of a person's editable actions, as a query: a select, or two joined by UNION ALL;
# built once per person and version.
EditableActions = Select[Any] | CompoundSelect[Any]


@lru_cache(maxsize=256)
def _editable_actions(role: str, user_id: int, plan_version_id: int) -> EditableActions:
    if role not in (Role.COORDINATOR, Role.LEAD):
        return select(Action.id).where(false())

    def in_current_version(actions: Select[Any]) -> Select[Any]:
        return (
            actions.join(Priority, Priority.id == Action.priority_id)
            .join(PlanVersion, PlanVersion.id == Priority.plan_version_id)
            .where(Priority.plan_version_id == plan_version_id, PlanVersion.is_current)
        )

    if role == Role.COORDINATOR:
        return in_current_version(select(Action.id))
    # Each half starts from the person's own few rows of the lead or responsible table (an
    # index seek), rather than from every action of the version.
    return union_all(
        in_current_version(
            select(Action.id)
            .select_from(priority_lead)
            .join(Action, Action.priority_id == priority_lead.c.priority_id)
            .where(priority_lead.c.user_id == user_id)
        ),
        in_current_version(
            select(Action.id)
            .select_from(action_responsible_user)
            .join(Action, Action.id == action_responsible_user.c.action_id)
            .where(action_responsible_user.c.user_id == user_id)
        ),
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
