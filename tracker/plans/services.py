"""Reading a plan version: its priorities, themes, actions and their current status."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased, joinedload, selectinload

from tracker.dashboard.cache import kept
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
from tracker.paging import first_row, page_count
from tracker.statuses import (
    NO_UPDATE,
    is_past_target,
    latest_update,
    latest_update_id_subquery,
)


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which tripled
# the cost of building a lead's hundreds of rows. Nothing changes a row once it is built, and
# a card is kept under its row's hash (tracker/actions/cards.py).
@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class ActionPlace:
    """What a list counts and filters an action by, and where it stands in plan order,
    without what a card shows of it: a lead of thousands of actions has them all counted
    and filtered, and only the page they see drawn in full (ActionStatus)."""

    action_id: int
    priority_id: int
    priority_name: str
    state: str
    rag: str  # red, amber, green, or NO_UPDATE when the action has never been updated
    last_update_period_id: int | None = None
    # With sign-off: the period of a later update waiting for it.
    waiting_period_id: int | None = None

    @property
    def is_active(self) -> bool:
        return self.state == ActionState.ACTIVE

    def as_values(self) -> list[Any]:
        """The place as plain values, to be kept (from_values makes it again)."""
        return [
            self.action_id,
            self.priority_id,
            self.priority_name,
            self.state,
            self.rag,
            self.last_update_period_id,
            self.waiting_period_id,
        ]

    @classmethod
    def from_values(cls, values: list[Any]) -> ActionPlace:
        action_id, priority_id, priority_name, state, rag, period_id, waiting_period_id = values
        return cls(
            action_id=action_id,
            priority_id=priority_id,
            priority_name=priority_name,
            state=state,
            rag=rag,
            last_update_period_id=period_id,
            waiting_period_id=waiting_period_id,
        )

    def needs_update(self, open_period_id: int | None) -> bool:
        """Active, with a period open, and not yet updated in it (an update waiting for
        sign-off has been given; a returned one has not)."""
        return (
            self.is_active
            and open_period_id is not None
            and self.last_update_period_id != open_period_id
            and self.waiting_period_id != open_period_id
        )


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class ActionStatus(ActionPlace):
    """An action as shown in lists: what it is, who owns it and its latest update, if any.

    Plain values rather than ORM objects: a plan version can hold thousands of actions and
    building entities for each would cost far more than the query itself.
    """

    title: str
    owner_name: str | None
    last_update_at: datetime | None
    last_update_author: str | None
    version: int = 1
    target_date: date | None = None
    # With sign-off: a later update waiting for it (its status), or the reason the latest
    # one was returned.
    waiting_rag: str | None = None
    returned_reason: str | None = None

    @property
    def is_past_target(self) -> bool:
        return is_past_target(self.target_date, self.state)


@dataclass
class GroupOnPage:
    """The part of a priority or theme one page of the overview shows; `continued` if the
    group began on an earlier page."""

    heading: Priority | Theme
    actions: list[ActionStatus]
    continued: bool


@dataclass
class OverviewPage:
    """One page of a plan version's actions, grouped by priority or by theme."""

    groups: list[GroupOnPage]
    number: int
    pages: int
    first_shown: int
    last_shown: int
    row_count: int


@dataclass
class PlanOverview:
    """A plan version's status counts, with one page of its actions grouped by priority or
    by theme."""

    version: PlanVersion
    counts: Counter[str]
    action_count: int
    theme_names: dict[int, str]
    page: OverviewPage
    # By priority, each row names its themes; by theme, its priority (so this stays empty).
    themes_by_action: dict[int, tuple[int, ...]]


# Rows of the overview a page: a partnership's plan (tens of actions) fits on one; a plan of
# thousands would be a page of megabytes.
OVERVIEW_PAGE_SIZE = 100


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


def under_priorities_in_use(version: PlanVersion) -> ColumnElement[bool]:
    """Rows joined to a priority of this version that is still in the plan: a retired
    priority's actions have left it (and so have retired themes, filtered where joined)."""
    return _under_priorities_in_use(version.id)


@lru_cache(maxsize=64)
def _under_priorities_in_use(version_id: int) -> ColumnElement[bool]:
    return (Priority.plan_version_id == version_id) & Priority.retired_at.is_(None)


PLAN_ORDER = (Priority.position, Priority.id, Action.position, Action.id)


def _placed(
    in_use: ColumnElement[bool], restrict: ColumnElement[bool], *, lateral: bool, details: Any = ()
) -> Select[Any]:
    """Each action's place and latest status (the first six columns, as action_places reads
    them), then any detail columns asked for, in plan order. The latest update is the alias
    statuses.latest_update gives for `lateral` (the join PostgreSQL plans best)."""
    latest, joined_on = latest_update(lateral=lateral)
    return (
        select(
            Action.id,
            Action.priority_id,
            Priority.name,
            Action.state,
            latest.rag,
            latest.period_id,
            *details,
        )
        .join(Priority, Action.priority_id == Priority.id)
        .outerjoin(latest, joined_on)
        .where(in_use, restrict)
        .order_by(*PLAN_ORDER)
    )


def _joins_laterally(session: DbSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The lists' statements are built once per process for each version: building a statement
# and its cache key cost more than running it. A list is of every action of the version, or
# of the ids given when it runs (an expanding parameter: the database plans for a list of
# known length, where a subquery of ids could leave PostgreSQL guessing hundreds and
# reading every update of the plan to join them).
GIVEN_IDS = "ids"


def _among(of_ids: bool) -> ColumnElement[bool]:
    return Action.id.in_(bindparam(GIVEN_IDS, expanding=True)) if of_ids else true()


def _given(only: Iterable[int] | None) -> dict[str, list[int]]:
    return {} if only is None else {GIVEN_IDS: list(only)}


@lru_cache(maxsize=64)
def _places_statement(version_id: int, *, of_ids: bool, lateral: bool) -> Select[Any]:
    return _placed(_under_priorities_in_use(version_id), _among(of_ids), lateral=lateral)


def action_places(
    session: DbSession, version: PlanVersion, only: Iterable[int] | None = None
) -> list[ActionPlace]:
    """Every action of a plan version (or only those ids) with its latest status, in plan
    order: one query (two with sign-off)."""
    of_ids, given = only is not None, _given(only)
    statement = _places_statement(version.id, of_ids=of_ids, lateral=_joins_laterally(session))
    rows = session.execute(statement, given)
    waiting_periods = {
        action_id: waiting["waiting_period_id"]
        for action_id, waiting in _awaiting_sign_off(session, version, of_ids, given).items()
        if "waiting_period_id" in waiting
    }
    return [
        ActionPlace(
            action_id=action_id,
            priority_id=priority_id,
            priority_name=priority_name,
            state=state,
            rag=rag or NO_UPDATE,
            last_update_period_id=period_id,
            waiting_period_id=waiting_periods.get(action_id),
        )
        for action_id, priority_id, priority_name, state, rag, period_id in rows
    ]


def actions_with_theme(session: DbSession, theme_id: int) -> set[int]:
    """The actions a theme (still in its plan) runs through."""
    return set(
        session.scalars(
            select(action_theme.c.action_id)
            .join(Theme, Theme.id == action_theme.c.theme_id)
            .where(Theme.id == theme_id, Theme.retired_at.is_(None))
        )
    )


@lru_cache(maxsize=64)
def _statuses_statement(version_id: int, *, of_ids: bool, lateral: bool) -> Select[Any]:
    latest, _ = latest_update(lateral=lateral)
    author = aliased(User)
    return (
        _placed(
            _under_priorities_in_use(version_id),
            _among(of_ids),
            lateral=lateral,
            details=(
                Action.title,
                Organisation.name,
                latest.recorded_at,
                author.name,
                Action.version,
                Action.target_date,
            ),
        )
        .outerjoin(Organisation, Organisation.id == Action.owner_organisation_id)
        .outerjoin(author, author.id == latest.author_id)
    )


def action_statuses(
    session: DbSession, version: PlanVersion, only: Iterable[int] | None = None
) -> list[ActionStatus]:
    """Every action of a plan version (or only those ids) with its latest update, in plan
    order: one query however many actions there are (two with sign-off)."""
    of_ids, given = only is not None, _given(only)
    statement = _statuses_statement(version.id, of_ids=of_ids, lateral=_joins_laterally(session))
    rows = session.execute(statement, given)
    awaiting = _awaiting_sign_off(session, version, of_ids, given)
    statuses = []
    for row in rows:
        action_id, priority_id, priority_name, state, rag, period_id = row[:6]
        title, owner_name, recorded_at, author_name, action_version, target_date = row[6:]
        statuses.append(
            ActionStatus(
                action_id=action_id,
                priority_id=priority_id,
                priority_name=priority_name,
                state=state,
                rag=rag or NO_UPDATE,
                last_update_period_id=period_id,
                title=title,
                owner_name=owner_name,
                last_update_at=recorded_at,
                last_update_author=author_name,
                version=action_version,
                target_date=target_date,
                **awaiting.get(row[0], {}),
            )
        )
    return statuses


def themes_of_actions(
    session: DbSession, version: PlanVersion, action_ids: Iterable[int]
) -> dict[int, tuple[int, ...]]:
    """The themes (still in the plan) each of these actions runs through, in theme order."""
    wanted = list(action_ids)
    if not wanted:
        return {}
    themes_by_action: dict[int, list[int]] = defaultdict(list)
    for action_id, theme_id in session.execute(
        select(action_theme.c.action_id, action_theme.c.theme_id)
        .join(Theme, Theme.id == action_theme.c.theme_id)
        .where(
            Theme.plan_version_id == version.id,
            Theme.retired_at.is_(None),
            action_theme.c.action_id.in_(wanted),
        )
        .order_by(Theme.position, Theme.id)
    ):
        themes_by_action[action_id].append(theme_id)
    return {action_id: tuple(ids) for action_id, ids in themes_by_action.items()}


def _awaiting_sign_off(
    session: DbSession, version: PlanVersion, of_ids: bool, given: dict[str, list[int]]
) -> dict[int, dict[str, Any]]:
    """For a plan that asks for sign-off: each action of a list (every action of the
    version, or the ids given) whose latest update waits for it, or was returned, with what
    ActionStatus shows of it. One query; none without sign-off."""
    if not version.plan.sign_off_required:
        return {}
    found: dict[int, dict[str, Any]] = {}
    for action_id, rag, period_id, decision, reason in session.execute(
        _awaiting_statement(version.id, of_ids=of_ids, lateral=_joins_laterally(session)), given
    ):
        found[action_id] = (
            {"returned_reason": reason}
            if decision == ReviewDecision.RETURNED
            else {"waiting_rag": rag, "waiting_period_id": period_id}
        )
    return found


@lru_cache(maxsize=64)
def _awaiting_statement(
    version_id: int, *, of_ids: bool, lateral: bool
) -> Select[int, str, int | None, str, str]:
    latest, joined_on = latest_update(counted_only=False, lateral=lateral)
    return (
        select(Action.id, latest.rag, latest.period_id, UpdateReview.decision, UpdateReview.reason)
        .join(Priority, Action.priority_id == Priority.id)
        .join(latest, joined_on)
        .outerjoin(UpdateReview, UpdateReview.update_id == latest.id)
        .where(
            _under_priorities_in_use(version_id),
            _among(of_ids),
            latest.needs_sign_off.is_(True),
            or_(UpdateReview.id.is_(None), UpdateReview.decision == ReviewDecision.RETURNED),
        )
    )


def plan_overview(
    session: DbSession,
    version: PlanVersion,
    grouping: str = "priorities",
    page: int = 1,
    size: int = OVERVIEW_PAGE_SIZE,
) -> PlanOverview:
    """A plan version's status counts and one page of its actions, by priority or by theme.

    The counts and every action's place are kept per plan change stamp, as the roll-up is
    (version.plan's stamp was read with the plan, before any of this), so until someone
    writes a plan of thousands of actions costs only its page's queries; only the page's
    actions are read in full. A group split over pages shows on each; a group without actions
    takes a row, so its "No actions yet" shows on the page it falls on. A page past the end
    is the last.
    """
    priorities = session.scalars(
        select(Priority)
        .where(under_priorities_in_use(version))
        .options(selectinload(Priority.leads))
        .order_by(Priority.position, Priority.id)
    ).all()
    themes = session.scalars(
        select(Theme)
        .where(Theme.plan_version_id == version.id, Theme.retired_at.is_(None))
        .order_by(Theme.position, Theme.id)
    ).all()
    layout = json.loads(
        kept(
            ("plan overview", version.plan.id, version.plan.change_stamp, version.id, grouping),
            lambda: json.dumps(_layout(session, version, grouping)).encode(),
        )
    )
    counts: Counter[str] = Counter(layout["counts"])
    headings: list[Priority | Theme] = list(themes if grouping == "themes" else priorities)
    # JSON has made the heading ids strings
    ids_by_heading: dict[int, list[int]] = {
        heading.id: layout["ids_by_heading"].get(str(heading.id), []) for heading in headings
    }

    slots = [
        (index, position)
        for index, heading in enumerate(headings)
        for position in range(max(len(ids_by_heading[heading.id]), 1))
    ]
    pages = page_count(len(slots), size)
    number = min(max(page, 1), pages)
    first = first_row(number, size)
    on_page: dict[int, list[int]] = {}
    continued: dict[int, bool] = {}
    for index, position in slots[first : first + size]:
        ids = ids_by_heading[headings[index].id]
        if index not in on_page:
            on_page[index] = []
            continued[index] = position > 0
        if ids:
            on_page[index].append(ids[position])
    wanted = {action_id for ids in on_page.values() for action_id in ids}
    statuses = {
        status.action_id: status for status in action_statuses(session, version, only=wanted)
    }
    groups = [
        GroupOnPage(headings[index], [statuses[i] for i in ids], continued[index])
        for index, ids in on_page.items()
    ]
    earlier = sum(1 for index, _ in slots[:first] if ids_by_heading[headings[index].id])
    shown = sum(len(group.actions) for group in groups)
    return PlanOverview(
        version,
        counts,
        sum(counts.values()),
        {theme.id: theme.name for theme in themes},
        OverviewPage(
            groups,
            number,
            pages,
            earlier + 1,
            earlier + shown,
            sum(len(ids) for ids in ids_by_heading.values()),
        ),
        themes_of_actions(session, version, wanted) if grouping == "priorities" else {},
    )


def _layout(session: DbSession, version: PlanVersion, grouping: str) -> dict[str, Any]:
    """The plan page's costly part, as plain values to be kept: the status counts of every
    action, worked out in SQL, and every action's place as ids only, in plan order under its
    priority or under each of its themes."""
    in_use = under_priorities_in_use(version)
    counts: Counter[str] = Counter()
    for state, rag, number in session.execute(
        select(Action.state, Update.rag, func.count(Action.id))
        .join(Priority, Action.priority_id == Priority.id)
        .outerjoin(Update, Update.id == latest_update_id_subquery())
        .where(in_use)
        .group_by(Action.state, Update.rag)
    ):
        counts[(rag or NO_UPDATE) if state == ActionState.ACTIVE else state] += number

    if grouping == "themes":
        placed = session.execute(
            select(action_theme.c.theme_id, Action.id)
            .join(Action, Action.id == action_theme.c.action_id)
            .join(Priority, Priority.id == Action.priority_id)
            .join(Theme, Theme.id == action_theme.c.theme_id)
            .where(in_use, Theme.retired_at.is_(None))
            .order_by(Priority.position, Priority.id, Action.position, Action.id)
        )
    else:
        placed = session.execute(
            select(Action.priority_id, Action.id)
            .join(Priority, Priority.id == Action.priority_id)
            .where(in_use)
            .order_by(Priority.position, Priority.id, Action.position, Action.id)
        )
    ids_by_heading: dict[int, list[int]] = defaultdict(list)
    for heading_id, action_id in placed:
        ids_by_heading[heading_id].append(action_id)
    return {"counts": dict(counts), "ids_by_heading": ids_by_heading}
