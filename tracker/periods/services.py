"""Reporting periods: creating, opening and closing them, and who still owes an update."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.orm import selectinload

from tracker.actions.services import UpdateRefused
from tracker.audit import record_event
from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    PlanVersion,
    Priority,
    ReportingPeriod,
    ReviewDecision,
    Update,
    User,
    utcnow,
)
from tracker.plans.versions import refuse_if_superseded, refuse_unless_current
from tracker.statuses import owes_an_update, reviewed


def periods_of(session: DbSession, version: PlanVersion) -> list[ReportingPeriod]:
    """The version's reporting periods, oldest first."""
    return list(session.scalars(_periods_statement(), {"version_id": version.id}))


@cache  # every plan page asks: built once per process, as building cost more than running
def _periods_statement() -> Select[ReportingPeriod]:
    return (
        select(ReportingPeriod)
        .where(ReportingPeriod.plan_version_id == bindparam("version_id"))
        .order_by(ReportingPeriod.start_date)
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
    refuse_if_superseded(version, "add reporting periods")
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


# How a year of reporting periods is cut: months per period, and how each is named.
FREQUENCIES = {
    "quarterly": "Quarterly: four periods of three months (Q1 to Q4)",
    "two-monthly": "Every two months: six periods (such as Apr–May)",
}
MONTHS_PER_PERIOD = {"quarterly": 3, "two-monthly": 2}
LONGEST_DUE_DELAY = 90


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def year_of_periods(
    version: PlanVersion, frequency: str | None, first_day: date | None, due_after_days: int | None
) -> list[tuple[str, date, date, date]]:
    """The name, start, end and due date of each period of a year from first_day (the first
    of a month); UpdateRefused for a choice that cannot be."""
    if frequency not in MONTHS_PER_PERIOD:
        raise UpdateRefused("Choose how often the partnership reports", "frequency")
    if first_day is None:
        raise UpdateRefused("Enter the first day of the first period", "first_day")
    if first_day.day != 1:
        raise UpdateRefused(
            "Periods start on the first of a month: enter a date like 1 4 2027", "first_day"
        )
    if due_after_days is None or not 0 <= due_after_days <= LONGEST_DUE_DELAY:
        raise UpdateRefused(
            "Enter how many days after a period ends updates are due, from 0 to "
            f"{LONGEST_DUE_DELAY}",
            "due_after_days",
        )
    months = MONTHS_PER_PERIOD[frequency]
    periods = []
    for number in range(12 // months):
        start = _add_months(first_day, number * months)
        end = _add_months(start, months) - timedelta(days=1)
        if frequency == "quarterly":
            name = f"{version.label} Q{number + 1}"
        else:
            name = (
                f"{start:%b}–{end:%b %Y}"
                if start.year == end.year
                else f"{start:%b %Y}–{end:%b %Y}"
            )
        periods.append((name, start, end, end + timedelta(days=due_after_days)))
    return periods


def create_year_of_periods(
    session: DbSession,
    version: PlanVersion,
    *,
    frequency: str | None,
    first_day: date | None,
    due_after_days: int | None,
) -> list[ReportingPeriod]:
    """A year of closed periods with due dates; all or none (the caller rolls back on
    UpdateRefused, which names the first period that clashes)."""
    created = []
    for name, start, end, due in year_of_periods(version, frequency, first_day, due_after_days):
        try:
            created.append(
                create_period(session, version, name=name, start=start, end=end, due=due)
            )
        except UpdateRefused as refusal:
            raise UpdateRefused(f"{name}: {refusal}", "first_day") from None
        session.flush()
    return created


def _open_period_in(session: DbSession, version_id: int) -> ReportingPeriod | None:
    return session.scalar(
        select(ReportingPeriod).where(
            ReportingPeriod.plan_version_id == version_id, ReportingPeriod.is_open.is_(True)
        )
    )


def open_period(session: DbSession, period: ReportingPeriod) -> None:
    """Open a period for updates; only one may be open in a plan version at a time."""
    refuse_unless_current(period.plan_version, "open reporting periods")
    already = _open_period_in(session, period.plan_version_id)
    if already is not None and already.id != period.id:
        raise UpdateRefused(f"Close {already.name} before opening {period.name}", "period")
    if period.is_locked:
        raise UpdateRefused(
            f"{period.name} has been closed: reopen it with a reason instead", "period"
        )
    period.is_open = True


def close_period(period: ReportingPeriod, closed_by: User | None) -> None:
    """Close a period and lock it: no more updates, context or indicator values."""
    refuse_if_superseded(period.plan_version, "close reporting periods")
    if period.is_open:
        period.closed_at = utcnow()
        period.closed_by = closed_by
    period.is_open = False


MIN_REOPEN_REASON = 10
MAX_REOPEN_REASON = 500


def reopen_period(
    session: DbSession, period: ReportingPeriod, reopened_by: User, reason: str | None
) -> None:
    """Unlock a closed period for late updates or corrections; the reason goes in the audit
    trail with who and when. UpdateRefused (field "reason" or "period") if it cannot."""
    refuse_unless_current(period.plan_version, "reopen reporting periods")
    if not period.is_locked:
        raise UpdateRefused(f"{period.name} is not closed", "period")
    reason = (reason or "").strip()
    if len(reason) < MIN_REOPEN_REASON:
        raise UpdateRefused(
            "Say why the period is being reopened, in at least "
            f"{MIN_REOPEN_REASON} characters: the audit trail keeps it",
            "reason",
        )
    if len(reason) > MAX_REOPEN_REASON:
        raise UpdateRefused(f"The reason must be {MAX_REOPEN_REASON} characters or fewer", "reason")
    already = _open_period_in(session, period.plan_version_id)
    if already is not None:
        raise UpdateRefused(f"Close {already.name} before reopening {period.name}", "period")
    closed_on = f"{period.closed_at:%-d %B %Y}" if period.closed_at else "an earlier date"
    period.closed_at = None
    period.closed_by = None
    open_period(session, period)
    record_event(
        session,
        "period_reopened",
        actor=reopened_by,
        entity_type="reporting_period",
        entity_id=period.id,
        summary=f"Reopened {period.name} (closed on {closed_on}): {reason}",
        after={"reason": reason},
    )


@dataclass
class LeadGroup:
    """The actions one person owes an update on (person None: actions nobody is chased for)."""

    lead: str
    person: User | None = None
    actions: list[Action] = field(default_factory=list)


NO_LEAD = "No lead assigned"


def outstanding_updates(
    session: DbSession, version: PlanVersion, period: ReportingPeriod
) -> list[LeadGroup]:
    """Active actions with no update in the period, grouped by who is chased for them (the
    priority's leads and the people responsible); an action with two such people appears
    under each. Actions nobody is chased for come last."""
    # An update returned at sign-off was not given: its lead is chased again.
    updated = exists().where(
        Update.action_id == Action.id,
        Update.period_id == period.id,
        ~reviewed(ReviewDecision.RETURNED),
    )
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
            selectinload(Action.priority)
            .selectinload(Priority.leads)
            .joinedload(User.organisation),
            selectinload(Action.responsible_users).joinedload(User.organisation),
        )
        .order_by(Priority.position, Action.position, Action.id)
    ).all()
    groups: dict[int | None, LeadGroup] = {}
    for action in actions:
        people = owes_an_update(action)
        for person in people:
            groups.setdefault(person.id, LeadGroup(person.name, person)).actions.append(action)
        if not people:
            groups.setdefault(None, LeadGroup(NO_LEAD)).actions.append(action)
    return sorted(
        groups.values(),
        key=lambda group: (group.person is None, group.lead.lower(), group.lead),
    )


CHASE_LIST_WIDTH = 72


def chase_list_text(period: ReportingPeriod, groups: list[LeadGroup]) -> str:
    """The chase list as plain text for an e-mail: a heading, a blank line, then each person
    with their organisation and address and their actions, wrapped to fit a mail window."""
    heading = f"Outstanding updates for {period.name}"
    if period.due_date:
        heading += f" (due {period.due_date:%-d %B %Y})"
    blocks = [textwrap.fill(heading, CHASE_LIST_WIDTH)]
    for group in groups:
        who = group.lead
        if group.person is not None:
            if group.person.organisation is not None:
                who += f", {group.person.organisation.name}"
            who += f" <{group.person.email}>"
        lines = [textwrap.fill(f"{who} ({len(group.actions)}):", CHASE_LIST_WIDTH)]
        lines += [
            textwrap.fill(
                f"{action.title} [{action.priority.name}]",
                CHASE_LIST_WIDTH,
                initial_indent="  - ",
                subsequent_indent="    ",
            )
            for action in group.actions
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
