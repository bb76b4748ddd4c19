"""Reading a plan version: its priorities, themes, actions and their current status."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    Organisation,
    Plan,
    PlanVersion,
    Priority,
    ReviewDecision,
    Theme,
    Update,
    UpdateReview,
    User,
    action_theme,
)
from tracker.statuses import NO_UPDATE, is_past_target, latest_update_id_subquery


@dataclass(frozen=True, slots=True)
class ActionStatus:
    """An action as shown in lists: what it is, who owns it and its latest update, if any.

    Plain values rather than ORM objects: a plan version can hold thousands of actions and
    building entities for each would cost far more than the query itself.
    """

    action_id: int
    title: str
    state: str
    priority_id: int
    priority_name: str
    owner_name: str | None
    rag: str  # red, amber, green, or NO_UPDATE when the action has never been updated
    last_update_at: datetime | None
    last_update_author: str | None
    theme_ids: tuple[int, ...]
    version: int = 1
    last_update_period_id: int | None = None
    target_date: date | None = None
    # With sign-off: a later update waiting for it (its status and period), or the reason
    # the latest one was returned.
    waiting_rag: str | None = None
    waiting_period_id: int | None = None
    returned_reason: str | None = None

    @property
    def is_active(self) -> bool:
        return self.state == ActionState.ACTIVE

    @property
    def is_past_target(self) -> bool:
        return is_past_target(self.target_date, self.state)

    def needs_update(self, open_period_id: int | None) -> bool:
        """Active, with a period open, and not yet updated in it (an update waiting for
        sign-off has been given; a returned one has not)."""
        return (
            self.is_active
            and open_period_id is not None
            and self.last_update_period_id != open_period_id
            and self.waiting_period_id != open_period_id
        )


@dataclass
class Group:
    """A priority or a theme with its actions."""

    heading: Priority | Theme
    actions: list[ActionStatus] = field(default_factory=list)


@dataclass
class PlanOverview:
    """A plan version's actions grouped by priority and by theme, with status counts."""

    version: PlanVersion
    priorities: list[Group]
    themes: list[Group]
    counts: Counter[str]

    @property
    def action_count(self) -> int:
        return sum(len(group.actions) for group in self.priorities)

    @cached_property
    def theme_names(self) -> dict[int, str]:
        return {group.heading.id: group.heading.name for group in self.themes}


# Rows of the overview a page: a partnership's plan (tens of actions) fits on one; a plan of
# thousands would be a page of megabytes.
OVERVIEW_PAGE_SIZE = 100


@dataclass
class GroupOnPage:
    """The part of a group one page of the overview shows; `continued` if it began before."""

    heading: Priority | Theme
    actions: list[ActionStatus]
    continued: bool


@dataclass
class OverviewPage:
    groups: list[GroupOnPage]
    number: int
    pages: int
    first_shown: int
    last_shown: int
    row_count: int


def page_of_groups(groups: list[Group], page: int, size: int = OVERVIEW_PAGE_SIZE) -> OverviewPage:
    """One page of the groups' rows, in order, a group split over pages where it falls. A
    group without actions takes a row, so its "No actions yet" shows on the page it falls on.
    A page past the end is the last."""
    no_actions: list[ActionStatus | None] = [None]
    slots = [
        (index, action)
        for index, group in enumerate(groups)
        for action in (group.actions or no_actions)
    ]
    row_count = sum(len(group.actions) for group in groups)
    pages = max((len(slots) + size - 1) // size, 1)
    number = min(max(page, 1), pages)
    first = (number - 1) * size
    shown: dict[int, GroupOnPage] = {}
    for index, action in slots[first : first + size]:
        group = groups[index]
        if index not in shown:
            continued = bool(group.actions) and group.actions[0] is not action
            shown[index] = GroupOnPage(group.heading, [], continued)
        if action is not None:
            shown[index].actions.append(action)
    on_page = sum(len(group.actions) for group in shown.values())
    first_shown = sum(1 for _, action in slots[:first] if action is not None) + 1
    return OverviewPage(
        list(shown.values()), number, pages, first_shown, first_shown + on_page - 1, row_count
    )


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


def action_statuses(
    session: DbSession, version: PlanVersion, only: Iterable[int] | None = None
) -> list[ActionStatus]:
    """Every action of a plan version (or only those ids) with its latest update, in plan
    order; two queries however many actions there are."""
    restrict = Action.id.in_(list(only)) if only is not None else true()
    # A retired priority's actions have left the plan, and so have retired themes.
    in_use = (Priority.plan_version_id == version.id) & Priority.retired_at.is_(None)
    themes_by_action: dict[int, list[int]] = defaultdict(list)
    for action_id, theme_id in session.execute(
        select(action_theme.c.action_id, action_theme.c.theme_id)
        .join(Action, Action.id == action_theme.c.action_id)
        .join(Priority, Priority.id == Action.priority_id)
        .join(Theme, Theme.id == action_theme.c.theme_id)
        .where(in_use, Theme.retired_at.is_(None), restrict)
        .order_by(Theme.position, Theme.id)
    ):
        themes_by_action[action_id].append(theme_id)

    rows = session.execute(
        select(
            Action.id,
            Action.title,
            Action.state,
            Action.priority_id,
            Priority.name,
            Organisation.name,
            Update.rag,
            Update.recorded_at,
            User.name,
            Action.version,
            Update.period_id,
            Action.target_date,
        )
        .join(Priority, Action.priority_id == Priority.id)
        .outerjoin(Organisation, Organisation.id == Action.owner_organisation_id)
        .outerjoin(Update, Update.id == latest_update_id_subquery())
        .outerjoin(User, User.id == Update.author_id)
        .where(in_use, restrict)
        .order_by(Priority.position, Priority.id, Action.position, Action.id)
    )
    awaiting = _awaiting_sign_off(session, version, in_use & restrict)
    return [
        ActionStatus(
            action_id=action_id,
            title=title,
            state=state,
            priority_id=priority_id,
            priority_name=priority_name,
            owner_name=owner_name,
            rag=rag or NO_UPDATE,
            last_update_at=recorded_at,
            last_update_author=author_name,
            theme_ids=tuple(themes_by_action.get(action_id, ())),
            version=action_version,
            last_update_period_id=period_id,
            target_date=target_date,
            **awaiting.get(action_id, {}),
        )
        for (
            action_id,
            title,
            state,
            priority_id,
            priority_name,
            owner_name,
            rag,
            recorded_at,
            author_name,
            action_version,
            period_id,
            target_date,
        ) in rows
    ]


def _awaiting_sign_off(
    session: DbSession, version: PlanVersion, actions: ColumnElement[bool]
) -> dict[int, dict[str, Any]]:
    """For a plan that asks for sign-off: each action whose latest update waits for it, or
    was returned, with what ActionStatus shows of it. One query; none without sign-off."""
    if not version.plan.sign_off_required:
        return {}
    found: dict[int, dict[str, Any]] = {}
    for action_id, rag, period_id, decision, reason in session.execute(
        select(Action.id, Update.rag, Update.period_id, UpdateReview.decision, UpdateReview.reason)
        .join(Priority, Action.priority_id == Priority.id)
        .join(Update, Update.id == latest_update_id_subquery(counted_only=False))
        .outerjoin(UpdateReview, UpdateReview.update_id == Update.id)
        .where(
            actions,
            Update.needs_sign_off.is_(True),
            or_(UpdateReview.id.is_(None), UpdateReview.decision == ReviewDecision.RETURNED),
        )
    ):
        found[action_id] = (
            {"returned_reason": reason}
            if decision == ReviewDecision.RETURNED
            else {"waiting_rag": rag, "waiting_period_id": period_id}
        )
    return found


def plan_overview(session: DbSession, version: PlanVersion) -> PlanOverview:
    """A plan version's actions grouped by priority and by theme, with status counts."""
    priorities = session.scalars(
        select(Priority)
        .where(Priority.plan_version_id == version.id, Priority.retired_at.is_(None))
        .options(selectinload(Priority.leads))
        .order_by(Priority.position, Priority.id)
    ).all()
    themes = session.scalars(
        select(Theme)
        .where(Theme.plan_version_id == version.id, Theme.retired_at.is_(None))
        .order_by(Theme.position, Theme.id)
    ).all()

    by_priority = {priority.id: Group(priority) for priority in priorities}
    by_theme = {theme.id: Group(theme) for theme in themes}
    counts: Counter[str] = Counter()
    for status in action_statuses(session, version):
        by_priority[status.priority_id].actions.append(status)
        for theme_id in status.theme_ids:
            by_theme[theme_id].actions.append(status)
        counts[status.rag if status.is_active else status.state] += 1
    return PlanOverview(version, list(by_priority.values()), list(by_theme.values()), counts)
