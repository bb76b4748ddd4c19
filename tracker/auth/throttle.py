"""Brute-force defence: too many failed sign-ins for an account or an address lock it out.

Attempts are kept in the database, so the limit holds across all server processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from tracker.extensions import DbSession
from tracker.models import SignInAttempt, User, utcnow

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKED_MESSAGE = (
    "Too many failed attempts to sign in. Wait 15 minutes, then try again. "
    "If you have forgotten your password, ask your administrator to reset it."
)


def _failures(session: DbSession, matches: ColumnElement[bool], now: datetime) -> int:
    """Failures within the window since the last successful sign-in matching the same key."""
    since = now - WINDOW
    last_success = session.scalar(
        select(func.max(SignInAttempt.attempted_at)).where(
            matches, SignInAttempt.succeeded.is_(True), SignInAttempt.attempted_at >= since
        )
    )
    return (
        session.scalar(
            select(func.count()).where(
                matches,
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.attempted_at >= max(since, last_success or since),
            )
        )
        or 0
    )


def is_locked(
    session: DbSession, email: str, client_address: str, now: datetime | None = None
) -> bool:
    """True if this account or this address has had too many recent failures."""
    now = now or utcnow()
    return (
        _failures(session, SignInAttempt.email == email, now) >= MAX_FAILURES
        or _failures(session, SignInAttempt.client_address == client_address, now) >= MAX_FAILURES
    )


def record_attempt(
    session: DbSession, email: str, client_address: str, succeeded: bool, user: User | None
) -> None:
    """Count an attempt (password or code) towards the limits."""
    session.add(
        SignInAttempt(
            email=email,
            client_address=client_address,
            succeeded=succeeded,
            user_id=user.id if user else None,
        )
    )
