"""Who gets a reminder, when, and sending each stage once.

For the open period of each plan's current version, a person who owes updates gets one
digest of those actions at each of three stages: a set number of days before the due date
(per plan), on the due date, and once it is overdue. Only the stage that applies on the day
goes: a run that missed the early stage does not send it late on the due date.

Each send is claimed first by writing its Reminder row (unique per period, person and stage)
in its own transaction, so however many runs overlap, on however many servers, one of them
sends. A failure is recorded on the row and the next run tries again.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from tracker.extensions import DbSession
from tracker.models import (
    Action,
    Plan,
    PlanVersion,
    Reminder,
    ReminderStage,
    ReminderStatus,
    ReportingPeriod,
    User,
    utcnow,
)
from tracker.periods.services import outstanding_updates
from tracker.reminders.senders import ReminderEmail, Sender, SendFailed

log = logging.getLogger(__name__)

# The partnerships are in England: "today" and "the due date" are the local calendar day.
LOCAL_TIME = ZoneInfo("Europe/London")
# A send claimed this long ago and never finished (the server stopped mid-send) is retried.
STALE_CLAIM = timedelta(minutes=30)
# After this many failed tries the address is left alone; the chase list shows the error.
MAX_ATTEMPTS = 10
WRAP = 72


def local_today() -> date:
    return datetime.now(LOCAL_TIME).date()


def stage_on(today: date, due: date, days_before: int) -> ReminderStage | None:
    """The reminder stage a day falls in, or None before the first reminder is due."""
    if today > due:
        return ReminderStage.OVERDUE
    if today == due:
        return ReminderStage.DUE_TODAY
    if today >= due - timedelta(days=days_before):
        return ReminderStage.BEFORE_DUE
    return None


def stage_dates(period: ReportingPeriod, days_before: int) -> dict[ReminderStage, date]:
    """The first day each stage applies, for the coordinator's schedule."""
    assert period.due_date is not None  # noqa: S101 - callers check the period has a due date
    return {
        ReminderStage.BEFORE_DUE: period.due_date - timedelta(days=days_before),
        ReminderStage.DUE_TODAY: period.due_date,
        ReminderStage.OVERDUE: period.due_date + timedelta(days=1),
    }


@dataclass
class Digest:
    """One person's reminder: the actions they still owe an update on."""

    person: User
    actions: list[Action]
    stage: ReminderStage
    period: ReportingPeriod
    plan: Plan
    previous: Reminder | None = None  # this stage's earlier send or attempt, if any

    @property
    def already_sent(self) -> bool:
        return self.previous is not None and self.previous.status == ReminderStatus.SENT

    @property
    def given_up(self) -> bool:
        return (
            self.previous is not None
            and self.previous.status == ReminderStatus.FAILED
            and self.previous.attempts >= MAX_ATTEMPTS
        )

    def email(self, public_url: str) -> ReminderEmail:
        return compose(self, public_url)


@dataclass
class PlanReminders:
    """What a run would do for one plan today."""

    plan: Plan
    version: PlanVersion
    period: ReportingPeriod | None
    stage: ReminderStage | None
    digests: list[Digest] = field(default_factory=list)
    reason: str = ""  # why nothing would go, when nothing would

    @property
    def to_send(self) -> list[Digest]:
        return [d for d in self.digests if not d.already_sent and not d.given_up]


def _current_versions(session: DbSession, plan_id: int | None) -> list[PlanVersion]:
    query = (
        select(PlanVersion)
        .where(PlanVersion.is_current.is_(True))
        .options(joinedload(PlanVersion.plan))
        .order_by(PlanVersion.plan_id)
    )
    if plan_id is not None:
        query = query.where(PlanVersion.plan_id == plan_id)
    return list(session.scalars(query))


def reminders_for(
    session: DbSession, version: PlanVersion, today: date, *, early: bool = False
) -> PlanReminders:
    """Who would get which reminder today for a plan's current version. With early (the
    coordinator's "send now"), a plan not yet at its first stage gets that stage now."""
    plan = version.plan
    period = next((p for p in version.periods if p.is_open), None)
    result = PlanReminders(plan, version, period, None)
    if period is None:
        result.reason = "No reporting period is open, so no updates are due."
        return result
    if period.due_date is None:
        result.reason = f"{period.name} has no due date, so reminders have no date to count from."
        return result
    stage = stage_on(today, period.due_date, plan.reminder_days_before)
    if stage is None and early:
        stage = ReminderStage.BEFORE_DUE
    result.stage = stage
    if stage is None:
        first = stage_dates(period, plan.reminder_days_before)[ReminderStage.BEFORE_DUE]
        result.reason = f"The first reminder for {period.name} goes on {first:%-d %B %Y}."
        return result
    sent_before = {
        reminder.user_id: reminder
        for reminder in session.scalars(
            select(Reminder).where(Reminder.period_id == period.id, Reminder.stage == stage.value)
        )
    }
    for group in outstanding_updates(session, version, period):
        if group.person is None or not group.person.active:
            continue
        result.digests.append(
            Digest(
                group.person,
                group.actions,
                stage,
                period,
                plan,
                previous=sent_before.get(group.person.id),
            )
        )
    if not result.digests:
        result.reason = f"Everyone has given their updates for {period.name}."
    return result


def plans_due_reminders(
    session: DbSession, today: date, plan_id: int | None = None
) -> list[PlanReminders]:
    """For each plan with reminders on: what a run would send today."""
    return [
        reminders_for(session, version, today)
        for version in _current_versions(session, plan_id)
        if version.plan.reminders_enabled
    ]


@dataclass
class RunReport:
    sent: list[Digest] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    skipped: int = 0  # already sent, given up on, or being sent by another run

    def summary(self) -> str:
        parts = [f"{len(self.sent)} sent"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed (tried again on the next run)")
        if self.skipped:
            parts.append(f"{self.skipped} already sent or being sent")
        return ", ".join(parts)


def send_reminders(
    session: DbSession,
    sender: Sender,
    plans: Iterable[PlanReminders],
    public_url: str,
) -> RunReport:
    """Send each digest that has not gone yet; one failure does not stop the others."""
    report = RunReport()
    for planned in plans:
        for digest in planned.to_send:
            claim = _claim(session, digest)
            if claim is None:
                report.skipped += 1
                continue
            message = digest.email(public_url)
            try:
                sender.send(message)
            except SendFailed as failure:
                error = str(failure)
                log.warning(
                    "Reminder to %s for %s (%s) failed, attempt %d: %s",
                    digest.person.email,
                    digest.period.name,
                    digest.stage.value,
                    claim.attempts,
                    error,
                )
                _finish(session, claim, ReminderStatus.FAILED, error)
                report.failed.append((digest, error))
            else:
                _finish(session, claim, ReminderStatus.SENT, "")
                report.sent.append(digest)
    return report


def _claim(session: DbSession, digest: Digest) -> Reminder | None:
    """Take this send for this run, in its own committed transaction; None if another run
    has it or it went already."""
    now = utcnow()
    existing = session.scalar(
        select(Reminder).where(
            Reminder.period_id == digest.period.id,
            Reminder.user_id == digest.person.id,
            Reminder.stage == digest.stage.value,
        )
    )
    if existing is None:
        claim = Reminder(
            period_id=digest.period.id,
            user_id=digest.person.id,
            stage=digest.stage.value,
            status=ReminderStatus.SENDING.value,
            email=digest.person.email,
            action_count=len(digest.actions),
            attempts=1,
            claimed_at=now,
        )
        session.add(claim)
        try:
            session.commit()
        except IntegrityError:  # another run claimed it a moment ago
            session.rollback()
            return None
        return claim
    retryable = existing.status == ReminderStatus.FAILED and existing.attempts < MAX_ATTEMPTS
    abandoned = (
        existing.status == ReminderStatus.SENDING and existing.claimed_at < now - STALE_CLAIM
    )
    if not (retryable or abandoned):
        return None
    taken = session.execute(
        update(Reminder)
        .where(
            Reminder.id == existing.id,
            Reminder.status == existing.status,
            Reminder.attempts == existing.attempts,
        )
        .values(
            status=ReminderStatus.SENDING.value,
            attempts=existing.attempts + 1,
            claimed_at=now,
            email=digest.person.email,
            action_count=len(digest.actions),
        )
    )
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(existing)
    return existing


def _finish(session: DbSession, claim: Reminder, status: ReminderStatus, error: str) -> None:
    claim.status = status.value
    claim.last_error = error
    claim.sender = current_app.config.get("REMINDER_SENDER") or ""
    if status == ReminderStatus.SENT:
        claim.sent_at = utcnow()
    session.commit()


def latest_reminders(session: DbSession, period: ReportingPeriod) -> dict[int, Reminder]:
    """Each person's most recent reminder for a period (sent or failed), for the chase list."""
    latest: dict[int, Reminder] = {}
    for reminder in session.scalars(
        select(Reminder)
        .where(Reminder.period_id == period.id)
        .order_by(Reminder.claimed_at, Reminder.id)
    ):
        latest[reminder.user_id] = reminder
    return latest


# --- The e-mail ------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def compose(digest: Digest, public_url: str) -> ReminderEmail:
    period, plan, count = digest.period, digest.plan, len(digest.actions)
    assert period.due_date is not None  # noqa: S101 - only periods with a due date remind
    due = f"{period.due_date:%A %-d %B %Y}"
    actions = _plural(count, "action")
    subject, opening = {
        ReminderStage.BEFORE_DUE: (
            f"Updates due by {period.due_date:%-d %B}: {actions} in {plan.name}",
            f"Updates for {period.name} are due by {due}. You have {actions} still to update:",
        ),
        ReminderStage.DUE_TODAY: (
            f"Updates due today: {actions} in {plan.name}",
            f"Updates for {period.name} are due today, {due}. You still have {actions} to update:",
        ),
        ReminderStage.OVERDUE: (
            f"Overdue updates: {actions} in {plan.name}",
            f"Updates for {period.name} were due on {due}. {actions.capitalize()} "
            f"{'is' if count == 1 else 'are'} still waiting for your update:",
        ),
    }[digest.stage]
    lines = [f"{action.title} ({action.priority.name})" for action in digest.actions]
    link = f"{public_url}/plans/{plan.id}/my-actions?due=yes" if public_url else ""
    where = (
        f"Add your updates at {link}"
        if link
        else "Sign in to the action plan tracker and open Your actions to add your updates."
    )
    paragraphs = [
        f"Dear {digest.person.name},",
        textwrap.fill(opening, WRAP),
        "\n".join(
            textwrap.fill(line, WRAP, initial_indent="  - ", subsequent_indent="    ")
            for line in lines
        ),
        where,
        textwrap.fill(
            f"You get this because you lead a priority, or are named responsible for actions, "
            f"in {plan.name}. A coordinator can change who is responsible.",
            WRAP,
        ),
    ]
    return ReminderEmail(
        to=digest.person.email,
        name=digest.person.name,
        subject=subject,
        body="\n\n".join(paragraphs) + "\n",
        stage=digest.stage.value,
        personalisation={
            "name": digest.person.name,
            "plan": plan.name,
            "period": period.name,
            "due_date": due,
            "stage": digest.stage.label,
            "action_count": str(count),
            "actions": lines,
            "link": link,
            "subject": subject,
            "body": "\n\n".join(paragraphs[1:]),
        },
        reference=f"reminder-{period.id}-{digest.person.id}-{digest.stage.value}",
    )
