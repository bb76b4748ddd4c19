"""Reading a plan version: its priorities, themes, actions and their current status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    Plan,
    PlanVersion,
    Priority,
    Theme,
    Update,
    User,
)

NO_UPDATE = "none"


@dataclass(frozen=True)
class ActionStatus:
    """An action with its latest update (if any), as shown in lists."""

    action: Action
    latest_update: Update | None
    latest_author_name: str | None

    @property
    def rag(self) -> str:
        """The latest update's RAG, or 'none' when the action has never been updated."""
        return self.latest_update.rag if self.latest_update else NO_UPDATE

    @property
    def is_active(self) -> bool:
        return self.action.state == ActionState.ACTIVE


@dataclass
class Group:
    """A priority or a theme with its actions."""

    heading: object  # Priority or Theme
    actions: list[ActionStatus] = field(default_factory=list)


@dataclass
class PlanOverview:
    version: PlanVersion
    priorities: list[Group]
    themes: list[Group]
    counts: Counter[str]

    @property
    def action_count(self) -> int:
        return sum(len(group.actions) for group in self.priorities)


def current_version(session: DbSession, plan_id: int | None = None) -> PlanVersion | None:
    """The current version of the given plan, or of the first plan when none is given."""
    query = (
        select(PlanVersion)
        .join(Plan)
        .where(PlanVersion.is_current.is_(True))
        .options(joinedload(PlanVersion.plan))
        .order_by(Plan.id)
        .limit(1)
    )
    if plan_id is not None:
        query = query.where(Plan.id == plan_id)
    return session.scalars(query).first()


def all_plans(session: DbSession) -> list[Plan]:
    """Every plan, in the order they were created."""
    return list(session.scalars(select(Plan).order_by(Plan.id)))


def latest_update_id_subquery() -> ScalarSelect[int]:
    """Correlated subquery: the id of an action's latest update (an index seek per action)."""
    return (
        select(Update.id)
        .where(Update.action_id == Action.id)
        .order_by(Update.recorded_at.desc(), Update.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


def action_statuses(session: DbSession, version: PlanVersion) -> list[ActionStatus]:
    """Every action of a plan version with its latest update, in plan order; one query."""
    rows = session.execute(
        select(Action, Update, User.name)
        .join(Priority, Action.priority_id == Priority.id)
        .outerjoin(Update, Update.id == latest_update_id_subquery())
        .outerjoin(User, User.id == Update.author_id)
        .where(Priority.plan_version_id == version.id)
        .options(joinedload(Action.owner_organisation), selectinload(Action.themes))
        .order_by(Priority.position, Priority.id, Action.position, Action.id)
    ).all()
    return [ActionStatus(action, update, author) for action, update, author in rows]


def plan_overview(session: DbSession, version: PlanVersion) -> PlanOverview:
    """A plan version's actions grouped by priority and by theme, with status counts."""
    priorities = session.scalars(
        select(Priority)
        .where(Priority.plan_version_id == version.id)
        .options(selectinload(Priority.leads))
        .order_by(Priority.position, Priority.id)
    ).all()
    themes = session.scalars(
        select(Theme).where(Theme.plan_version_id == version.id).order_by(Theme.position, Theme.id)
    ).all()

    by_priority = {priority.id: Group(priority) for priority in priorities}
    by_theme = {theme.id: Group(theme) for theme in themes}
    counts: Counter[str] = Counter()
    for status in action_statuses(session, version):
        by_priority[status.action.priority_id].actions.append(status)
        for theme in status.action.themes:
            by_theme[theme.id].actions.append(status)
        counts[status.rag if status.is_active else status.action.state] += 1
    return PlanOverview(version, list(by_priority.values()), list(by_theme.values()), counts)
