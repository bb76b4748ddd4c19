"""Each plan's change stamp, drawn afresh in the same transaction as every write that can
change what its roll-up, drill-down or trend shows.

Pages that are costly to compute and read far more often than the data changes (the roll-up
a working group opens in the minutes before a meeting) are kept per plan, period and stamp
(tracker.dashboard.cache). The stamp lives in the database, so every worker and every server
sees it change at the moment the write commits, and nothing has to be told to forget
anything. It is a random number rather than a count (models.new_change_stamp): a count
would start again in a restored or rebuilt database and could name other data.

The stamp is changed by SQLAlchemy session events rather than by each service, so a new
feature that writes an action or an update cannot forget to: after each flush the session
notes which plans the written rows belong to, and just before the commit one UPDATE gives
them a new stamp. That UPDATE is the transaction's last statement, so the plan row is
locked only for the moment before the commit, and always after any other row the
transaction locked (no deadlock between two writers). Writes made with a bare SQL statement
rather than through the ORM say so with `note_plan_changed`.

A reader must read the stamp before the data it computes from it (PlanScope loads the plan
first): then a page kept under a stamp never misses a write made before that stamp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import event, or_, select, true, update
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.sql import ColumnElement

from tracker.extensions import DbSession
from tracker.models import (
    Action,
    Organisation,
    Plan,
    PlanVersion,
    Priority,
    ReportingPeriod,
    Theme,
    Update,
    UpdateReview,
    new_change_stamp,
)

_PENDING_KEY = "tracker.plans_changed"


@dataclass
class _Written:
    """What this transaction wrote, by the nearest record each row names (its own plan,
    version, priority, action or update): resolved to plans only once, at the commit."""

    every_plan: bool = False  # an organisation's name shows in every plan's drill-down
    plans: set[int] = field(default_factory=set)
    versions: set[int] = field(default_factory=set)
    priorities: set[int] = field(default_factory=set)
    actions: set[int] = field(default_factory=set)
    updates: set[int] = field(default_factory=set)

    def note(self, record: object) -> None:
        if isinstance(record, Plan):
            self.plans.add(record.id)
        elif isinstance(record, PlanVersion):
            self.plans.add(record.plan_id)
        elif isinstance(record, Priority | Theme | ReportingPeriod):
            self.versions.add(record.plan_version_id)
        elif isinstance(record, Action):
            self.priorities.add(record.priority_id)
        elif isinstance(record, Update):
            self.actions.add(record.action_id)
        elif isinstance(record, UpdateReview):
            self.updates.add(record.update_id)
        elif isinstance(record, Organisation):
            self.every_plan = True

    def __bool__(self) -> bool:
        return self.every_plan or any(
            (self.plans, self.versions, self.priorities, self.actions, self.updates)
        )


def _written(session: DbSession) -> _Written:
    return session.info.setdefault(_PENDING_KEY, _Written())


def note_plan_changed(session: DbSession, plan_id: int) -> None:
    """For a write made with a bare SQL statement, which the session events do not see."""
    _written(session).plans.add(plan_id)


def _note_flushed_rows(session: Session, _flush: UOWTransaction) -> None:
    written = _written(session)
    for record in (*session.new, *session.deleted):
        written.note(record)
    for record in session.dirty:
        # A plan's own change stamp is never written through the ORM, so noting a plan
        # here cannot loop; is_modified leaves out objects that were only touched.
        if session.is_modified(record):
            written.note(record)


def _stamp_changed_plans(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook: make its rows noted too
    written = session.info.pop(_PENDING_KEY, None)
    if not written:
        return
    session.connection().execute(
        update(Plan.__table__)
        .where(_plans_written(written))
        .values(change_stamp=new_change_stamp())
    )


def _plans_written(written: _Written) -> ColumnElement[bool]:
    if written.every_plan:
        return true()
    version_plan = select(PlanVersion.plan_id)
    # Only the kinds of record written: most transactions write one or two of them.
    clauses = []
    if written.plans:
        clauses.append(Plan.id.in_(written.plans))
    if written.versions:
        clauses.append(Plan.id.in_(version_plan.where(PlanVersion.id.in_(written.versions))))
    if written.priorities:
        clauses.append(
            Plan.id.in_(version_plan.join(Priority).where(Priority.id.in_(written.priorities)))
        )
    if written.actions:
        clauses.append(
            Plan.id.in_(
                version_plan.join(Priority)
                .join(Action, Action.priority_id == Priority.id)
                .where(Action.id.in_(written.actions))
            )
        )
    if written.updates:
        clauses.append(
            Plan.id.in_(
                version_plan.join(Priority)
                .join(Action, Action.priority_id == Priority.id)
                .join(Update, Update.action_id == Action.id)
                .where(Update.id.in_(written.updates))
            )
        )
    return or_(*clauses)


def _forget_written(session: Session, *_: object) -> None:
    session.info.pop(_PENDING_KEY, None)


def stamp_plan_changes() -> None:
    """Listen on every session (Flask-SQLAlchemy's and the CLI's alike); once per process."""
    if event.contains(Session, "after_flush", _note_flushed_rows):
        return
    event.listen(Session, "after_flush", _note_flushed_rows)
    event.listen(Session, "before_commit", _stamp_changed_plans)
    event.listen(Session, "after_rollback", _forget_written)
