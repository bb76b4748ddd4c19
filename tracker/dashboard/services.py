"""The roll-up: how many actions are red, amber, green, not updated or completed, for a period.

An action's status for a period is its latest update written in that period, or "no update":
an older period's status is never carried over, so stale actions show as stale. Completed
actions are counted as completed (from the period of the update that completed them);
actions closed as business as usual have left the plan and are not counted. One rule, used
by the page, the trend, the JSON API and (later) the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, func, literal, select, true
from sqlalchemy.sql import ColumnElement

from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    Organisation,
    PlanVersion,
    Priority,
    ReportingPeriod,
    Theme,
    Update,
    action_theme,
)
from tracker.periods.services import periods_of
from tracker.statuses import (
    ALL_STATUSES,
    MOVE_ORDER,
    NO_UPDATE,
    NO_UPDATE_TEXT,
    SEVERITY,
    STATUS_LABELS,
    STATUSES,
    counts_towards_status,
    definitions_of,
    is_past_target,
    latest_update,
    scale_of,
    status_for,
    status_in_period,
    status_in_period_of,
    waits_for_sign_off,
)

# Re-exported: older callers and the tests read the vocabulary from here too.
__all__ = ["NO_UPDATE_TEXT", "STATUS_LABELS", "STATUSES", "status_in_period"]


def whole_percentages(counts: dict[str, int]) -> dict[str, int]:
    """Each count as a whole per cent of their sum, rounded so that a row adds up to 100:
    the largest remainder method (the shares rounded down, then a point each to the largest
    remainders, earlier statuses first on a tie). All zeros for an empty row."""
    total = sum(counts.values())
    if not total:
        return dict.fromkeys(counts, 0)
    exact = {key: 100 * count / total for key, count in counts.items()}
    shares = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(counts, key=lambda key: exact[key] - shares[key], reverse=True)
    for key in by_remainder[: 100 - sum(shares.values())]:
        shares[key] += 1
    return shares


@dataclass
class RollupRow:
    """Counts for one priority or theme, or the totals."""

    id: int | None
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    past_target: int = 0  # actions not completed whose target date has gone by
    # Actions whose latest update in the period waits for sign-off: not counted until then.
    pending: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def percentages(self) -> dict[str, int]:
        """Whole per cent of this row's actions in each status, adding up to 100."""
        return whole_percentages(self.counts)

    def percentage(self, status: str) -> int:
        return self.percentages[status]

    @property
    def expected(self) -> int:
        """Actions that owe an update for the period: all but the completed ones."""
        return self.total - self.counts["completed"]

    @property
    def updated(self) -> int:
        """Of those, how many were given a status in the period."""
        return self.expected - self.counts[NO_UPDATE]

    @property
    def overall(self) -> str:
        """The worst status given in the period. Actions not yet updated do not outweigh those
        that were ("N of M updated" says how many were); 'none' only when none was, and
        'completed' when every action is complete."""
        for status in SEVERITY:
            if status != NO_UPDATE and self.counts.get(status):
                return status
        if self.total and self.counts["completed"] == self.total:
            return "completed"
        return NO_UPDATE

    def as_dict(self, statuses: Sequence[str] = STATUSES) -> dict[str, object]:
        """The row for the JSON and the papers, with the counts of the plan's own statuses."""
        return {
            "id": self.id,
            "name": self.name,
            "counts": {status: self.counts.get(status, 0) for status in statuses},
            "total": self.total,
            "overall_status": self.overall,
            "updated": self.updated,
            "expected": self.expected,
            "past_target_date": self.past_target,
            "waiting_for_sign_off": self.pending,
        }


@dataclass
class Rollup:
    version: PlanVersion
    period: ReportingPeriod
    priorities: list[RollupRow]
    priority_totals: RollupRow
    themes: list[RollupRow]
    theme_totals: RollupRow

    def as_dict(self) -> dict[str, object]:
        scale = scale_of(self.version.plan)
        statuses = scale.statuses
        return {
            "plan": self.version.plan.name,
            "plan_version": self.version.label,
            "period": {
                "id": self.period.id,
                "name": self.period.name,
                "start": self.period.start_date.isoformat(),
                "end": self.period.end_date.isoformat(),
            },
            "status_scale": scale.key,
            "statuses": list(statuses),
            "status_definitions": definitions_of(self.version.plan),
            "priorities": [row.as_dict(statuses) for row in self.priorities],
            "priority_totals": self.priority_totals.as_dict(statuses),
            "themes": [row.as_dict(statuses) for row in self.themes],
            "theme_totals": self.theme_totals.as_dict(statuses),
        }


def _counted_actions(version: PlanVersion, *, retired_too: bool = False) -> ColumnElement[bool]:
    """Actions a roll-up counts: not closed as business as usual, and under a priority still
    in the plan (a retired priority's own page still counts its actions)."""
    return _counted_actions_of(version.id, retired_too=retired_too)


def _counted_actions_of(version_id: int, *, retired_too: bool = False) -> ColumnElement[bool]:
    counted = (Priority.plan_version_id == version_id) & (Action.state != ActionState.CLOSED.value)
    return counted if retired_too else counted & Priority.retired_at.is_(None)


def rollup(session: DbSession, version: PlanVersion, period: ReportingPeriod) -> Rollup:
    """Counts per status for every priority and theme of a plan version; four queries.

    Each action's status is worked out once, in SQL; counting by priority and by theme is
    then a pass over those rows, so themes cost one cheap query rather than a second
    round of status look-ups.
    """
    priorities = session.scalars(
        select(Priority)
        .where(Priority.plan_version_id == version.id, Priority.retired_at.is_(None))
        .order_by(Priority.position, Priority.id)
    ).all()
    themes = session.scalars(
        select(Theme)
        .where(Theme.plan_version_id == version.id, Theme.retired_at.is_(None))
        .order_by(Theme.position, Theme.id)
    ).all()
    statuses = scale_of(version.plan).statuses
    by_priority = {p.id: RollupRow(p.id, p.name, _zeros(statuses)) for p in priorities}
    by_theme = {t.id: RollupRow(t.id, t.name, _zeros(statuses)) for t in themes}

    status_of_action = {}
    past_target = set()
    # Only when something waits does each action's latest update of any kind cost a look-up.
    pending = waiting_update_ids(session, period) if version.plan.sign_off_required else set()
    latest_of_any_kind = (
        _of_latest_update_in(period.id, Update.id, counted_only=False)
        if pending
        else literal(None, Integer)
    )
    for action_id, priority_id, action_status, target_date, latest_id in session.execute(
        select(
            Action.id,
            Action.priority_id,
            status_in_period(period),
            Action.target_date,
            latest_of_any_kind,
        )
        .join(Priority, Priority.id == Action.priority_id)
        .where(_counted_actions(version))
    ):
        status_of_action[action_id] = action_status
        counts = by_priority[priority_id].counts
        counts[action_status] = counts.get(action_status, 0) + 1
        if is_past_target(target_date, action_status):
            past_target.add(action_id)
            by_priority[priority_id].past_target += 1
        if latest_id in pending:
            by_priority[priority_id].pending += 1
    for action_id, theme_id in session.execute(
        select(action_theme.c.action_id, action_theme.c.theme_id)
        .join(Theme, Theme.id == action_theme.c.theme_id)
        .where(Theme.plan_version_id == version.id, Theme.retired_at.is_(None))
    ):
        if action_id in status_of_action:  # actions closed as business as usual are not
            counts = by_theme[theme_id].counts
            counts[status_of_action[action_id]] = counts.get(status_of_action[action_id], 0) + 1
            by_theme[theme_id].past_target += action_id in past_target

    return Rollup(
        version,
        period,
        list(by_priority.values()),
        _totals("All priorities", by_priority.values(), statuses),
        list(by_theme.values()),
        _totals("All themes", by_theme.values(), statuses),
    )


def _zeros(statuses: Sequence[str]) -> dict[str, int]:
    """A row's counts: one per status of the plan's scale."""
    return dict.fromkeys(statuses, 0)


def _totals(name: str, rows: object, statuses: Sequence[str]) -> RollupRow:
    total = RollupRow(None, name, _zeros(statuses))
    for row in rows:  # type: ignore[attr-defined]
        for status, count in row.counts.items():
            total.counts[status] = total.counts.get(status, 0) + count
        total.past_target += row.past_target
        total.pending += row.pending
    return total


@dataclass
class Trend:
    """The roll-up of every period of a plan version, for each priority and overall."""

    periods: list[ReportingPeriod]
    priorities: list[tuple[Priority, list[RollupRow]]]  # one row per period, oldest first
    overall: list[RollupRow]

    def for_priority(self, priority_id: int) -> list[RollupRow]:
        return next(rows for priority, rows in self.priorities if priority.id == priority_id)


def trend(session: DbSession, version: PlanVersion, priority_id: int | None = None) -> Trend:
    """Counts per status for each priority (or just the one asked for) in each period:
    three queries in all."""
    periods = periods_of(session, version)
    which = Priority.plan_version_id == version.id
    if priority_id is not None:
        which &= Priority.id == priority_id
    else:
        which &= Priority.retired_at.is_(None)
    priorities = session.scalars(
        select(Priority).where(which).order_by(Priority.position, Priority.id)
    ).all()
    statuses = scale_of(version.plan).statuses
    cells = {
        (priority.id, period.id): RollupRow(period.id, period.name, _zeros(statuses))
        for priority in priorities
        for period in periods
    }
    status = status_for(
        ReportingPeriod.id, ReportingPeriod.start_date, ReportingPeriod.plan_version_id
    ).label("status")
    per_action_and_period = (
        select(Action.priority_id, ReportingPeriod.id.label("period_id"), status)
        .join(Priority, Priority.id == Action.priority_id)
        .join(ReportingPeriod, ReportingPeriod.plan_version_id == Priority.plan_version_id)
        .where(_counted_actions(version, retired_too=priority_id is not None), which)
        .subquery()
    )
    for priority_id, period_id, action_status, count in session.execute(
        select(
            per_action_and_period.c.priority_id,
            per_action_and_period.c.period_id,
            per_action_and_period.c.status,
            func.count(),
        ).group_by(
            per_action_and_period.c.priority_id,
            per_action_and_period.c.period_id,
            per_action_and_period.c.status,
        )
    ):
        counts = cells[(priority_id, period_id)].counts
        counts[action_status] = counts.get(action_status, 0) + count
    by_priority = [
        (priority, [cells[(priority.id, period.id)] for period in periods])
        for priority in priorities
    ]
    overall = [
        _totals(period.name, (rows[index] for _priority, rows in by_priority), statuses)
        for index, period in enumerate(periods)
    ]
    for row, period in zip(overall, periods, strict=True):
        row.id = period.id
    return Trend(periods, by_priority, overall)


def default_period(session: DbSession, version: PlanVersion) -> ReportingPeriod | None:
    """The open period, else the latest one."""
    return chosen_period(periods_of(session, version), None)


def chosen_period(
    periods: Sequence[ReportingPeriod], requested: str | None
) -> ReportingPeriod | None:
    """The period a page asks for by id, None if it is not one of these; without a
    request (or a blank one), the open period, else the latest (periods come oldest first)."""
    if requested is None or not requested.strip():
        return next((p for p in periods if p.is_open), periods[-1] if periods else None)
    return next((p for p in periods if str(p.id) == requested.strip()), None)


def previous_period(session: DbSession, period: ReportingPeriod) -> ReportingPeriod | None:
    """The period of the same plan version that started last before this one."""
    return session.scalar(
        select(ReportingPeriod)
        .where(
            ReportingPeriod.plan_version_id == period.plan_version_id,
            ReportingPeriod.start_date < period.start_date,
        )
        .order_by(ReportingPeriod.start_date.desc())
        .limit(1)
    )


def waiting_update_ids(session: DbSession, period: ReportingPeriod) -> set[int]:
    """The period's updates that wait for sign-off (needed it, no decision yet)."""
    return set(
        session.scalars(
            select(Update.id).where(Update.period_id == period.id, waits_for_sign_off())
        )
    )


def _of_latest_update_in(period_id: int, column: Any, *, counted_only: bool = True) -> Any:
    """A column of the action's latest update written in the period (that counts, unless
    counted_only is False), as a correlated subquery (an index seek per action)."""
    return (
        select(column)
        .where(
            Update.action_id == Action.id,
            Update.period_id == period_id,
            counts_towards_status() if counted_only else true(),
        )
        .order_by(Update.recorded_at.desc(), Update.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Movement:
    action_id: int
    title: str
    priority: str
    before: str
    after: str
    recovery: str | None = None  # for a move to red: what is being done about it


@dataclass
class WhatMoved:
    previous: ReportingPeriod | None
    changed: list[Movement]  # RAG changed, worst first: anything that went to red at the top
    completed: list[Movement]
    added: list[Movement]
    gone_quiet: list[Movement]  # updated last period, not this one


def what_moved(session: DbSession, version: PlanVersion, period: ReportingPeriod) -> WhatMoved:
    """What changed since the previous period; one query over the plan version's actions."""
    before_period = previous_period(session, period)
    now = status_in_period(period).label("now")
    before = (status_in_period(before_period) if before_period else literal("none", String)).label(
        "before"
    )
    completed_now = (
        select(func.count())
        .where(
            Update.action_id == Action.id,
            Update.period_id == period.id,
            Update.completes_action.is_(True),
        )
        .correlate(Action)
        .scalar_subquery()
    )
    recovery_now = _of_latest_update_in(period.id, Update.mitigation_text)
    rows = session.execute(
        select(
            Action.id,
            Action.title,
            Priority.name,
            Action.created_at,
            before,
            now,
            completed_now,
            recovery_now,
        )
        .join(Priority, Priority.id == Action.priority_id)
        .where(_counted_actions(version))
        .order_by(Priority.position, Action.position, Action.id)
    ).all()
    result = WhatMoved(before_period, [], [], [], [])
    for action_id, title, priority, created_at, was, is_now, completions, recovery in rows:
        movement = Movement(
            action_id, title, priority, was, is_now, recovery if is_now == "red" else None
        )
        if completions:
            result.completed.append(movement)
        elif was in MOVE_ORDER and is_now in MOVE_ORDER and was != is_now:
            result.changed.append(movement)
        elif was in MOVE_ORDER and is_now == "none":
            result.gone_quiet.append(movement)
        if period.start_date <= created_at.date() <= period.end_date:
            result.added.append(movement)
    result.changed.sort(key=lambda move: (MOVE_ORDER[move.after], -MOVE_ORDER[move.before]))
    return result


# Not frozen, and with slots: a frozen dataclass sets each field through object.__setattr__,
# and a plan's CSV builds one of these for each of its thousands of actions.
@dataclass(slots=True)
class DrillRow:
    action_id: int
    title: str
    priority: str
    owner: str | None
    status: str
    progress: str | None
    # What is being done about it: shown with a red status wherever it appears.
    recovery: str | None = None
    updated_at: datetime | None = None  # when the period's latest update was written
    target_date: date | None = None
    waiting: bool = False  # a later update in the period waits for sign-off

    @property
    def is_past_target(self) -> bool:
        return is_past_target(self.target_date, self.status)


@dataclass(frozen=True)
class DrillFilters:
    """What a drill-down is narrowed to; None is "all"."""

    priority_id: int | None = None
    theme_id: int | None = None
    organisation_id: int | None = None
    status: str | None = None


# A drill-down's statements are built once per process for each version, period and set of
# filters: building a statement and its cache key cost more than running it.
PeriodKey = tuple[int, date, int]  # a period's id, start and version: what its SQL needs


def _period_key(period: ReportingPeriod) -> PeriodKey:
    return (period.id, period.start_date, period.plan_version_id)


def _narrowed(query: Any, period: PeriodKey, filters: DrillFilters) -> Any:
    if filters.priority_id:
        query = query.where(Action.priority_id == filters.priority_id)
    if filters.theme_id:
        query = query.where(
            Action.id.in_(
                select(action_theme.c.action_id).where(action_theme.c.theme_id == filters.theme_id)
            )
        )
    if filters.organisation_id:
        query = query.where(Action.owner_organisation_id == filters.organisation_id)
    if filters.status in ALL_STATUSES:
        query = query.where(status_in_period_of(*period) == filters.status)
    return query


def count_in_rollup(
    session: DbSession,
    version: PlanVersion,
    period: ReportingPeriod,
    filters: DrillFilters = DrillFilters(),  # noqa: B008 - frozen, so safe to share
) -> int:
    """How many actions a drill-down holds, on every page of it."""
    return int(session.scalar(_count_statement(version.id, _period_key(period), filters)) or 0)


@lru_cache(maxsize=256)
def _count_statement(version_id: int, period: PeriodKey, filters: DrillFilters) -> Select[int]:
    counted = select(Action.id).join(Priority, Priority.id == Action.priority_id)
    counted = _narrowed(counted.where(_counted_actions_of(version_id)), period, filters)
    return select(func.count()).select_from(counted.subquery())


def actions_in_rollup(
    session: DbSession,
    version: PlanVersion,
    period: ReportingPeriod,
    filters: DrillFilters = DrillFilters(),  # noqa: B008 - frozen, so safe to share
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[DrillRow]:
    """The actions behind a roll-up count, with their progress text for the period, in plan
    order; limit and offset take one page of them."""
    waiting = waiting_update_ids(session, period) if version.plan.sign_off_required else set()
    statement = _drill_statement(
        version.id,
        _period_key(period),
        filters,
        paged=limit is not None,
        waiting=bool(waiting),
        lateral=session.get_bind().dialect.name == "postgresql",
    )
    return [
        DrillRow(
            action_id,
            title,
            priority,
            owner,
            row_status,
            progress,
            recovery if row_status == "red" else None,
            updated_at,
            target_date,
            latest_id in waiting,
        )
        for (
            action_id,
            title,
            priority,
            owner,
            row_status,
            progress,
            recovery,
            updated_at,
            target_date,
            latest_id,
        ) in session.execute(statement, {"limit": limit, "offset": offset})
    ]


@lru_cache(maxsize=256)
def _drill_statement(
    version_id: int,
    period: PeriodKey,
    filters: DrillFilters,
    *,
    paged: bool,
    waiting: bool,
    lateral: bool,
) -> Select[Any]:
    """The drill-down's rows; with paged, a page of them (`limit` and `offset` given when it
    runs); with waiting, each action's latest update of any kind (to flag one that waits);
    lateral, the period's latest update joined as PostgreSQL plans it best."""
    period_id = period[0]
    latest, joined_on = latest_update(lateral=lateral, period_id=period_id)
    latest_of_any_kind = (
        _of_latest_update_in(period_id, Update.id, counted_only=False)
        if waiting
        else literal(None, Integer)
    )
    query = (
        select(
            Action.id,
            Action.title,
            Priority.name,
            Organisation.name,
            status_in_period_of(*period),
            latest.progress_text,
            latest.mitigation_text,
            latest.recorded_at,
            Action.target_date,
            latest_of_any_kind,
        )
        .join(Priority, Priority.id == Action.priority_id)
        .outerjoin(Organisation, Organisation.id == Action.owner_organisation_id)
        .outerjoin(latest, joined_on)
        .where(_counted_actions_of(version_id))
        .order_by(Priority.position, Action.position, Action.id)
    )
    if paged:
        query = query.limit(bindparam("limit")).offset(bindparam("offset"))
    return _narrowed(query, period, filters)
