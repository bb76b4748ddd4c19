"""Factories that build valid rows with sensible defaults; tests override what they care about."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from functools import cache

import pyotp
from sqlalchemy.orm import Session

from tracker.auth.passwords import hash_password
from tracker.models import (
    Action,
    Organisation,
    Plan,
    PlanVersion,
    Priority,
    ReportingPeriod,
    Theme,
    Update,
    User,
)

TEST_PASSWORD = "a-long-test-passphrase"
_numbers = itertools.count(1)


@cache
def _test_password_hash() -> str:
    # Hashed once per run (and cheaply: see CHEAP_PASSWORD_HASHER in tests/conftest.py).
    return hash_password(TEST_PASSWORD)


def make_organisation(session: Session, **fields) -> Organisation:
    organisation = Organisation(**{"name": f"Organisation {next(_numbers)}", **fields})
    session.add(organisation)
    session.flush()
    return organisation


def make_user(session: Session, two_factor: bool = False, **fields) -> User:
    """A user who can sign in with TEST_PASSWORD; with two_factor, enrolled for codes too."""
    number = next(_numbers)
    if two_factor:
        fields.setdefault("totp_secret", pyotp.random_base32())
        fields.setdefault("totp_confirmed_at", datetime.now(UTC))
    if "password_hash" not in fields:
        fields["password_hash"] = _test_password_hash()
    user = User(
        **{
            "email": f"user{number}@example.org",
            "name": f"Test User {number}",
            "role": "lead",
            **fields,
        }
    )
    session.add(user)
    session.flush()
    return user


def make_plan_version(session: Session, **fields) -> PlanVersion:
    plan = fields.pop("plan", None) or Plan(name=f"Plan {next(_numbers)}")
    version = PlanVersion(
        **{
            "plan": plan,
            "version_number": 1,
            "label": "2026/27",
            "effective_from": date(2026, 4, 1),
            "is_current": True,
            **fields,
        }
    )
    session.add(version)
    session.flush()
    return version


def make_priority(session: Session, **fields) -> Priority:
    version = fields.pop("plan_version", None) or make_plan_version(session)
    priority = Priority(**{"plan_version": version, "name": f"Priority {next(_numbers)}", **fields})
    session.add(priority)
    session.flush()
    return priority


def make_theme(session: Session, **fields) -> Theme:
    version = fields.pop("plan_version", None) or make_plan_version(session)
    theme = Theme(**{"plan_version": version, "name": f"Theme {next(_numbers)}", **fields})
    session.add(theme)
    session.flush()
    return theme


def make_period(session: Session, **fields) -> ReportingPeriod:
    version = fields.pop("plan_version", None) or make_plan_version(session)
    period = ReportingPeriod(
        **{
            "plan_version": version,
            "name": f"Period {next(_numbers)}",
            "start_date": date(2026, 10, 1),
            "end_date": date(2026, 11, 30),
            **fields,
        }
    )
    session.add(period)
    session.flush()
    return period


def make_action(session: Session, **fields) -> Action:
    priority = fields.pop("priority", None) or make_priority(session)
    action = Action(**{"priority": priority, "title": f"Action {next(_numbers)}", **fields})
    session.add(action)
    session.flush()
    return action


def make_update(session: Session, **fields) -> Update:
    action = fields.pop("action", None) or make_action(session)
    author = fields.pop("author", None) or make_user(session)
    update = Update(
        **{
            "action": action,
            "author": author,
            "rag": "green",
            "progress_text": "On track: first milestone met.",
            "recorded_at": datetime.now(UTC),
            **fields,
        }
    )
    session.add(update)
    session.flush()
    return update
