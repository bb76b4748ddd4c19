"""The data model: partnership plans, their actions, progress updates and the audit trail.

Rules that must hold whatever code writes to the database live in the database itself:
foreign keys, NOT NULL, unique names within a plan version, CHECK constraints on enumerated
values, and triggers (in the migrations) that make updates and audit events append-only.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from tracker.encryption import EncryptedString
from tracker.extensions import db


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_change_stamp() -> int:
    """A plan's change stamp: random rather than counted, so that no two states of a plan's
    data share one, even across a restore from backup or a database rebuilt from scratch
    (where a counter would start again, and a worker could serve a page it kept for other
    data under the same number)."""
    return secrets.randbits(62)


def new_session_token() -> str:
    """A fresh random session token for a user."""
    return secrets.token_urlsafe(32)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone (SQLite has none) and always returns aware datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Rag(StrEnum):
    """Every status an update can give; a plan's scale (tracker.statuses) offers some."""

    RED = "red"
    AMBER_RED = "amber_red"
    AMBER = "amber"
    AMBER_GREEN = "amber_green"
    GREEN = "green"
    BLUE = "blue"  # BRAG: complete

    @property
    def label(self) -> str:
        return self.value.replace("_", "/").title()


STATUS_SCALES = ("rag", "brag", "five_point")


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    LEAD = "lead"
    VIEWER = "viewer"


class ActionState(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CLOSED = "closed"  # closed as business as usual: it leaves the plan at the next refresh

    @property
    def label(self) -> str:
        return {
            "active": "Active",
            "completed": "Completed",
            "closed": "Business as usual",
        }[self.value]


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


def _one_of(column: str, values: type[StrEnum]) -> str:
    """SQL for a CHECK constraint limiting a column to an enum's values."""
    quoted = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({quoted})"


# Spaces, tabs and line breaks: text made only of these counts as blank.
BLANK_CHARACTERS = " \t\n\r"


def _not_blank(column: str) -> str:
    """SQL for a CHECK constraint refusing empty or whitespace-only text (SQLite and PostgreSQL)."""
    return f"length(trim({column}, '{BLANK_CHARACTERS}')) > 0"


# Many-to-many links. Composite primary keys stop the same link being made twice.
priority_lead = Table(
    "priority_lead",
    db.metadata,
    Column("priority_id", ForeignKey("priority.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    # A person's own rows, found without reading the table (tracker.auth.permissions).
    Index("ix_priority_lead_user_id", "user_id"),
)

action_theme = Table(
    "action_theme",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)

action_partner = Table(
    "action_partner",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
)

# A priority or theme of a new plan version continues one (renamed) or several (merged) of
# the version before; two that continue the same one split it.
priority_predecessor = Table(
    "priority_predecessor",
    db.metadata,
    Column("priority_id", ForeignKey("priority.id", ondelete="CASCADE"), primary_key=True),
    Column("predecessor_id", ForeignKey("priority.id", ondelete="CASCADE"), primary_key=True),
)

theme_predecessor = Table(
    "theme_predecessor",
    db.metadata,
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
    Column("predecessor_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)

action_responsible_user = Table(
    "action_responsible_user",
    db.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_action_responsible_user_user_id", "user_id"),
)


class Organisation(db.Model):  # type: ignore[name-defined]
    """A partner agency: police, fire and rescue, county or district council, health…"""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __table_args__ = (CheckConstraint(_not_blank("name"), name="name_not_blank"),)

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A person who signs in. `user` is reserved in PostgreSQL, hence the table name."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.VIEWER.value)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # NULL means no usable password: the account cannot sign in until one is set.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the session cookie names instead of the user id. Replacing it ends every session
    # of this user at once (sign-out, password change, deactivation), copied cookies included.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    # Time-based one-time codes: the shared secret, when enrolment was confirmed, and the
    # last time-step accepted, so that no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString)  # encrypted at rest
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    # A single-use link for setting a password (invitations and resets); only its hash is kept.
    password_setup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_setup_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()
    led_priorities: Mapped[list[Priority]] = relationship(
        secondary=priority_lead, back_populates="leads"
    )

    __table_args__ = (
        CheckConstraint(_one_of("role", Role), name="role_known"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login stores this in the session: the session token, never the user id."""
        return self.session_token

    def end_all_sessions(self) -> None:
        """Invalidate every existing session of this user, on every device."""
        self.session_token = new_session_token()

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.email!r} {self.role}>"


class RecoveryCode(db.Model):  # type: ignore[name-defined]
    """A one-time code that stands in for an authenticator app that has been lost."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInAttempt(db.Model):  # type: ignore[name-defined]
    """Each sign-in attempt: kept in the database so limits hold across server processes."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email: Mapped[str] = mapped_column(String(254))
    client_address: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        Index("ix_sign_in_attempt_email_time", "email", "attempted_at"),
        Index("ix_sign_in_attempt_address_time", "client_address", "attempted_at"),
    )


class SiteSetting(db.Model):  # type: ignore[name-defined]
    """A setting kept with the data, such as the demo database relaxing two-factor sign-in."""

    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


DEFAULT_REMINDER_DAYS_BEFORE = 7
MAX_REMINDER_DAYS_BEFORE = 60


class Plan(db.Model):  # type: ignore[name-defined]
    """A standing agreement, such as a county's community safety agreement."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # E-mail reminders to the people who owe an update (see tracker.reminders): the first goes
    # this many days before the open period's due date, then one on it and one once overdue.
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reminder_days_before: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_REMINDER_DAYS_BEFORE, server_default=text("7")
    )
    # Sign-off: a lead's update counts only once a coordinator (or the priority's named
    # sign-off person) approves it; see tracker.signoff.
    sign_off_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The statuses a lead chooses from (tracker.statuses.SCALES), and the plan's own words for
    # what each means ({status: definition}; None or a missing key keeps the scale's own).
    status_scale: Mapped[str] = mapped_column(String(20), default="rag", server_default="rag")
    status_definitions: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True))
    # Drawn afresh in the same transaction as every write that can change what the roll-up,
    # drill-down or trend of any of the plan's versions shows (tracker.changes): a page
    # computed at one stamp stays right until it changes, in every worker and on every server.
    change_stamp: Mapped[int] = mapped_column(
        BigInteger, default=new_change_stamp, server_default=text("0")
    )

    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.version_number"
    )

    __table_args__ = (
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint(
            f"reminder_days_before BETWEEN 1 AND {MAX_REMINDER_DAYS_BEFORE}",
            name="reminder_days_before_in_range",
        ),
        CheckConstraint(
            "status_scale IN (" + ", ".join(f"'{key}'" for key in STATUS_SCALES) + ")",
            name="status_scale_known",
        ),
    )


class PlanVersion(db.Model):  # type: ignore[name-defined]
    """One year's refresh of a plan; exactly one version of a plan is current.

    A refresh starts as a draft (at most one per plan) copied from the current version.
    Publishing it makes it current and the version it replaced read-only ("superseded").
    """

    __tablename__ = "plan_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    version_number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    effective_from: Mapped[date] = mapped_column(Date)
    # The agreement's own version number, as its version-control table shows it ("3.0").
    agreement_version: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # Free text for the version-control table, beside the changes the refresh lists itself.
    change_log: Mapped[str] = mapped_column(Text, default="")
    # What the refresh changed, worked out and frozen when it was published (see
    # tracker.refresh.changes); None for a first version and for a draft.
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("plan_version.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan: Mapped[Plan] = relationship(back_populates="versions")
    based_on: Mapped[PlanVersion | None] = relationship(remote_side=[id])
    published_by: Mapped[User | None] = relationship()
    priorities: Mapped[list[Priority]] = relationship(
        back_populates="plan_version", order_by="Priority.position"
    )
    themes: Mapped[list[Theme]] = relationship(
        back_populates="plan_version", order_by="Theme.position"
    )
    periods: Mapped[list[ReportingPeriod]] = relationship(
        back_populates="plan_version", order_by="ReportingPeriod.start_date"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "version_number"),
        UniqueConstraint("plan_id", "label"),
        CheckConstraint("version_number > 0", name="version_number_positive"),
        CheckConstraint("NOT (is_current AND is_draft)", name="draft_is_not_current"),
        Index(
            "uq_plan_version_one_current_per_plan",
            "plan_id",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
        Index(
            "uq_plan_version_one_draft_per_plan",
            "plan_id",
            unique=True,
            sqlite_where=text("is_draft = 1"),
            postgresql_where=text("is_draft"),
        ),
    )

    @property
    def is_superseded(self) -> bool:
        """Replaced by a later version: kept, readable, and closed to changes."""
        return not self.is_current and not self.is_draft

    @property
    def status_label(self) -> str:
        return "Draft" if self.is_draft else "Current" if self.is_current else "Superseded"


class Priority(db.Model):  # type: ignore[name-defined]
    """A priority of a plan version, led by a named role in a partner agency."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    includes: Mapped[str] = mapped_column(Text, default="")
    lead_role: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Retired priorities leave the plan but keep their actions and history.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # Who signs off this priority's updates when the plan asks for sign-off, besides the
    # coordinators.
    sign_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan_version: Mapped[PlanVersion] = relationship(back_populates="priorities")
    sign_off_by: Mapped[User | None] = relationship()
    leads: Mapped[list[User]] = relationship(
        secondary=priority_lead, back_populates="led_priorities", order_by="User.name"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="priority", order_by="Action.position"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="priority", order_by="Indicator.position"
    )
    # The priorities of the version before that this one continues (see priority_predecessor).
    predecessors: Mapped[list[Priority]] = relationship(
        secondary=priority_predecessor,
        primaryjoin=lambda: Priority.id == priority_predecessor.c.priority_id,
        secondaryjoin=lambda: Priority.id == priority_predecessor.c.predecessor_id,
        order_by="Priority.position",
    )

    __table_args__ = (
        UniqueConstraint("plan_version_id", "name"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
    )


class Theme(db.Model):  # type: ignore[name-defined]
    """A cross-cutting theme that runs through all priorities of a plan version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    plan_version: Mapped[PlanVersion] = relationship(back_populates="themes")
    predecessors: Mapped[list[Theme]] = relationship(
        secondary=theme_predecessor,
        primaryjoin=lambda: Theme.id == theme_predecessor.c.theme_id,
        secondaryjoin=lambda: Theme.id == theme_predecessor.c.predecessor_id,
        order_by="Theme.position",
    )

    __table_args__ = (
        UniqueConstraint("plan_version_id", "name"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
    )


class Action(db.Model):  # type: ignore[name-defined]
    """Something partners will do under one priority; its status comes from its updates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    state: Mapped[str] = mapped_column(String(20), default=ActionState.ACTIVE.value)
    start_date: Mapped[date | None] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    carried_forward_from_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Goes up by one with every saved change or update. A form carries the version it was
    # loaded at, and saving compares and sets it in one statement, so of two people saving
    # from the same page state exactly one succeeds and the other is told (no lost updates).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    priority: Mapped[Priority] = relationship(back_populates="actions")
    owner_organisation: Mapped[Organisation | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=action_theme, order_by="Theme.position")
    partners: Mapped[list[Organisation]] = relationship(
        secondary=action_partner, order_by="Organisation.name"
    )
    responsible_users: Mapped[list[User]] = relationship(
        secondary=action_responsible_user, order_by="User.name"
    )
    carried_forward_from: Mapped[Action | None] = relationship(remote_side=[id])

    __table_args__ = (
        CheckConstraint(_one_of("state", ActionState), name="state_known"),
        CheckConstraint(_not_blank("title"), name="title_not_blank"),
        CheckConstraint(
            "start_date IS NULL OR target_date IS NULL OR target_date >= start_date",
            name="target_not_before_start",
        ),
    )


class ReportingPeriod(db.Model):  # type: ignore[name-defined]
    """The window an update counts towards, e.g. "2026/27 Q3"; at most one open per version."""

    __tablename__ = "reporting_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the period is closed after being open: from then on it is locked (no updates,
    # context or indicator values) until a coordinator reopens it with a reason.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    plan_version: Mapped[PlanVersion] = relationship(back_populates="periods")
    closed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("plan_version_id", "name"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint("end_date >= start_date", name="end_not_before_start"),
        Index(
            "uq_reporting_period_one_open_per_version",
            "plan_version_id",
            unique=True,
            sqlite_where=text("is_open = 1"),
            postgresql_where=text("is_open"),
        ),
    )

    @property
    def is_locked(self) -> bool:
        """Closed after being open: the board may have seen it, so it takes no changes."""
        return not self.is_open and self.closed_at is not None

    @property
    def state_label(self) -> str:
        return "Open" if self.is_open else "Closed" if self.is_locked else "Not yet open"


class Update(db.Model):  # type: ignore[name-defined]
    """One progress entry on an action. Immutable: a correction is a new update."""

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    rag: Mapped[str] = mapped_column(String(20))
    progress_text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The author's organisation when they wrote it; people move between agencies.
    author_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    corrects_update_id: Mapped[int | None] = mapped_column(ForeignKey("action_update.id"))
    # For a red status: what is being done about it.
    mitigation_text: Mapped[str | None] = mapped_column(Text)
    # The author marked the action complete with this update.
    completes_action: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Written while the plan asked for sign-off: it counts only once approved (UpdateReview).
    needs_sign_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    action: Mapped[Action] = relationship()
    corrects: Mapped[Update | None] = relationship(remote_side=[id])
    period: Mapped[ReportingPeriod | None] = relationship()
    author: Mapped[User] = relationship()
    author_organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint(_one_of("rag", Rag), name="rag_known"),
        CheckConstraint(_not_blank("progress_text"), name="progress_text_not_blank"),
        # Finding an action's latest update is an index seek, however long its history,
        # overall and within a reporting period (the roll-up).
        Index("ix_action_update_latest", "action_id", "recorded_at", "id"),
        Index("ix_action_update_period_latest", "action_id", "period_id", "recorded_at", "id"),
    )

    @validates("progress_text")
    def _require_text(self, key: str, value: str) -> str:
        if value is None or not value.strip():
            raise ValueError("An update needs progress text")
        return value

    @validates("rag")
    def _require_known_rag(self, key: str, value: str) -> str:
        if value not in {member.value for member in Rag}:
            raise ValueError(f"Unknown status {value!r}: use one of {', '.join(Rag)}")
        return value


class ReviewDecision(StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"  # sent back to the lead with a reason


class UpdateReview(db.Model):  # type: ignore[name-defined]
    """A sign-off decision on one update: its own record, so the update is never edited.
    Append-only, and one per update."""

    __tablename__ = "update_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("action_update.id"), unique=True)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    update: Mapped[Update] = relationship()
    reviewer: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(_one_of("decision", ReviewDecision), name="decision_known"),
        CheckConstraint(
            "decision = 'approved' OR length(trim(reason)) > 0", name="return_has_reason"
        ),
    )


class Indicator(db.Model):  # type: ignore[name-defined]
    """A proxy performance measure for a priority: it shows direction of travel only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(50), default="")
    polarity: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # The same measure in the version before: its readings are this one's history, so
    # "same period last year" and direction of travel carry across a refresh.
    continues_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"))

    priority: Mapped[Priority] = relationship(back_populates="indicators")
    continues: Mapped[Indicator | None] = relationship(remote_side=[id])

    __table_args__ = (
        UniqueConstraint("priority_id", "name"),
        CheckConstraint(_one_of("polarity", Polarity), name="polarity_known"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
    )


class IndicatorValue(db.Model):  # type: ignore[name-defined]
    """One reading of an indicator for a period, with what it is compared against."""

    __tablename__ = "indicator_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    comparison_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    comparison_label: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Two people correcting the same reading: SQLAlchemy refuses the second save (StaleDataError).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    indicator: Mapped[Indicator] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("indicator_id", "period_id"),)
    __mapper_args__ = {"version_id_col": version}


class PriorityNarrative(db.Model):  # type: ignore[name-defined]
    """The 'context' text of a priority for a reporting period, used in the board report."""

    __tablename__ = "priority_narrative"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # Numbered source notes, one per line; the body cites them as [1], [2]…
    sources: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    priority: Mapped[Priority] = relationship()
    period: Mapped[ReportingPeriod] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("priority_id", "period_id"),)
    __mapper_args__ = {"version_id_col": version}


class ReportStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Classification(StrEnum):
    FOR_INFORMATION = "For Information"
    FOR_DECISION = "For Decision"


class Report(db.Model):  # type: ignore[name-defined]
    """A periodic update paper for the board: written sections and appendices, with the
    generated blocks placed among them.

    A draft is edited freely. Publishing freezes everything the paper shows into `snapshot`,
    so a published report reads and exports the same however the plan changes afterwards.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DRAFT.value)
    # By: [{"name": …, "role": …}, …] in the order they appear on the paper.
    authors: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    meeting: Mapped[str] = mapped_column(String(200), default="")
    meeting_date: Mapped[date | None] = mapped_column(Date)
    classification: Mapped[str] = mapped_column(
        String(30), default=Classification.FOR_INFORMATION.value
    )
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Numbered sections: [{"heading": …, "body": …, "block": …}, …]. Paragraphs are split by
    # blank lines; "block" names the generated block (tracker.reports.document) shown after
    # the text, or is empty.
    sections: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    recommendations: Mapped[str] = mapped_column(Text, default="")
    # Other papers sent with this one, one per line (the appendices are listed anyway).
    attachments: Mapped[str] = mapped_column(Text, default="", server_default="")
    # [{"name", "role", "organisation", "email", "telephone"}, …], one block per person.
    contact_people: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Lettered A, B, … in order: [{"title": …, "intro": …, "block": …}, …].
    appendices: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # Loaded only when a copy is rendered (it can run to hundreds of KB). The audit log notes
    # that a snapshot was taken; the report itself is the record of it.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), deferred=True, info={"audit_as": "(the published copy)"}
    )
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    # Two people (or two tabs) saving the same draft: the second save is refused, not lost.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    period: Mapped[ReportingPeriod] = relationship()
    based_on: Mapped[Report | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    __table_args__ = (
        CheckConstraint(_one_of("status", ReportStatus), name="status_known"),
        CheckConstraint(_one_of("classification", Classification), name="classification_known"),
        CheckConstraint(_not_blank("subject"), name="subject_not_blank"),
        CheckConstraint(
            "status = 'draft' OR (snapshot IS NOT NULL AND published_at IS NOT NULL)",
            name="published_has_snapshot",
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def report_status(self) -> ReportStatus:
        return ReportStatus(self.status)


class PendingImport(db.Model):  # type: ignore[name-defined]
    """A spreadsheet uploaded for import and previewed, waiting for its uploader to confirm.

    Kept in the database rather than on one server's disk, so any app process can confirm it.
    """

    __tablename__ = "pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(
        LargeBinary, deferred=True, info={"audit_as": "(the uploaded file)"}
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionOutcome(StrEnum):
    """What a refresh does with an action that is active in the version it replaces."""

    CARRY = "carry"  # carried forward: a new action in the new version, linked to this one
    COMPLETE = "complete"
    CLOSE = "close"  # closed as business as usual

    @property
    def label(self) -> str:
        return {
            "carry": "Carry forward",
            "complete": "Complete",
            "close": "Close as business as usual",
        }[self.value]


refresh_decision_theme = Table(
    "refresh_decision_theme",
    db.metadata,
    Column("decision_id", ForeignKey("refresh_decision.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class RefreshDecision(db.Model):  # type: ignore[name-defined]
    """A coordinator's choice for one active action of the current version in a refresh:
    carry it forward (under which new priority and themes), complete it or close it.

    An action without one follows the refresh's proposal, where there is one.
    """

    __tablename__ = "refresh_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_version.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    action: Mapped[Action] = relationship()
    priority: Mapped[Priority | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        secondary=refresh_decision_theme, order_by="Theme.position"
    )

    __table_args__ = (
        UniqueConstraint("draft_version_id", "action_id"),
        CheckConstraint(_one_of("outcome", ActionOutcome), name="outcome_known"),
        CheckConstraint(
            "(outcome = 'carry') = (priority_id IS NOT NULL)", name="carry_has_priority"
        ),
    )


class WordTemplate(db.Model):  # type: ignore[name-defined]
    """The .docx an administrator uploaded for Word exports (letterhead, fonts, styles)."""

    __tablename__ = "word_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(
        LargeBinary, deferred=True, info={"audit_as": "(the uploaded file)"}
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()


class ReminderStage(StrEnum):
    """When in a period a reminder goes: each at most once per person and period."""

    BEFORE_DUE = "before_due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {
            "before_due": "Before the due date",
            "due_today": "On the due date",
            "overdue": "Overdue",
        }[self.value]


class ReminderStatus(StrEnum):
    SENDING = "sending"  # claimed by a run that has not finished yet
    SENT = "sent"
    FAILED = "failed"  # retried by the next run


class Reminder(db.Model):  # type: ignore[name-defined]
    """One reminder e-mail to one person for one stage of a period.

    The unique key is what makes a stage go once: a run claims the row before sending, so
    reruns, overlapping runs and several servers cannot send the same stage twice.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ReminderStatus.SENDING.value)
    email: Mapped[str] = mapped_column(String(254))
    action_count: Mapped[int] = mapped_column(Integer, default=0)
    sender: Mapped[str] = mapped_column(String(20), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    period: Mapped[ReportingPeriod] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("period_id", "user_id", "stage"),
        CheckConstraint(_one_of("stage", ReminderStage), name="stage_known"),
        CheckConstraint(_one_of("status", ReminderStatus), name="status_known"),
    )

    @property
    def stage_label(self) -> str:
        return ReminderStage(self.stage).label


class GrantStatus(StrEnum):
    PROPOSED = "proposed"  # a bid, not yet agreed: not counted against the grant
    APPROVED = "approved"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"  # kept on record, not counted

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_allocated(self) -> bool:
        """Approved and delivered projects are what the grant has been spent or promised on."""
        return self in (GrantStatus.APPROVED, GrantStatus.DELIVERED)


grant_project_priority = Table(
    "grant_project_priority",
    db.metadata,
    Column("project_id", ForeignKey("grant_project.id", ondelete="CASCADE"), primary_key=True),
    Column("priority_id", ForeignKey("priority.id", ondelete="CASCADE"), primary_key=True),
)


class GrantPot(db.Model):  # type: ignore[name-defined]
    """A year's funding for the partnership's projects: the funder, the year, the amount."""

    __tablename__ = "grant_pot"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    funder: Mapped[str] = mapped_column(String(200))
    financial_year: Mapped[str] = mapped_column(String(7))  # "2026/27"
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    plan: Mapped[Plan] = relationship()
    projects: Mapped[list[GrantProject]] = relationship(
        back_populates="pot", order_by="GrantProject.id"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "funder", "financial_year"),
        CheckConstraint(_not_blank("funder"), name="funder_not_blank"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )
    __mapper_args__ = {"version_id_col": version}


class GrantProject(db.Model):  # type: ignore[name-defined]
    """A project a grant pays (or may pay) for, the priorities it supports and what it did."""

    __tablename__ = "grant_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("grant_pot.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    lead_organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=GrantStatus.PROPOSED.value)
    # What it achieved, in words, and as a number with what the number counts.
    achieved: Mapped[str] = mapped_column(Text, default="", server_default="")
    reach: Mapped[int | None] = mapped_column(Integer)
    reach_measure: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Why the working group agreed to allocate more than the grant holds, when it did.
    over_allocation_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    pot: Mapped[GrantPot] = relationship(back_populates="projects")
    priorities: Mapped[list[Priority]] = relationship(
        secondary=grant_project_priority, order_by="Priority.position"
    )

    __table_args__ = (
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(_one_of("status", GrantStatus), name="status_known"),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name="end_not_before_start",
        ),
        CheckConstraint("reach IS NULL OR reach >= 0", name="reach_not_negative"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def grant_status(self) -> GrantStatus:
        return GrantStatus(self.status)


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """Who did what, when: every change and every sign-in. Append-only."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    verb: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    client_address: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(_not_blank("verb"), name="verb_not_blank"),
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
    )


def _receive_set(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return value


@event.listens_for(Mapper, "mapper_configured")
def _keep_old_values_for_audit(mapper: Mapper[Any], class_: type) -> None:
    """Load a column's old value before it is overwritten, so the audit trail shows it."""
    for prop in mapper.column_attrs:
        event.listen(
            getattr(class_, prop.key), "set", _receive_set, active_history=True, retval=True
        )


APPEND_ONLY_MODELS: tuple[type[db.Model], ...] = (Update, UpdateReview, AuditEvent)  # type: ignore[name-defined]


class AppendOnlyViolation(Exception):
    """Raised when code tries to change or delete an update or an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_append_only_rows(
    session: Session, flush_context: Any, instances: Any
) -> None:
    """The model-layer half of append-only; database triggers are the other half."""
    for obj in session.deleted:
        if isinstance(obj, APPEND_ONLY_MODELS):
            raise AppendOnlyViolation(f"{type(obj).__name__} rows cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, APPEND_ONLY_MODELS) and session.is_modified(obj):
            raise AppendOnlyViolation(
                f"{type(obj).__name__} rows cannot be changed: record a new one instead"
            )
