"""Brute-force defence: too many failed sign-ins for an account or an address lock it out.

Attempts are kept in the database, so the limit holds across all server processes. An attempt
is written down as a failure *before* the password is checked, and counted in the same short
transaction, one claim at a time: of any number of simultaneous attempts exactly the limit go
on to have their password checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from tracker.database import take_write_lock
from tracker.extensions import DbSession
from tracker.models import SignInAttempt, User, utcnow

MAX_FAILURES = 5
# Many people can share one address (a council's network), so it gets more room than one
# account; unlike an account's count, a success from the address does not reset it, or one
# account holder could reset it between guesses at other people's passwords.
ADDRESS_MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
SIGN_IN_CLAIMS_LOCK = 0x5167_6E49  # any constant no other lock uses
LOCKED_MESSAGE = (
    "Too many failed attempts to sign in. Wait 15 minutes, then try again. "
    "If you have forgotten your password, ask your administrator to reset it."
)


def _count_failures(session: DbSession, matches: ColumnElement[bool], since: datetime) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                matches,
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.attempted_at >= since,
            )
        )
        or 0
    )


def _account_failures(session: DbSession, email: str, now: datetime) -> int:
    """Failures within the window since the account's last successful sign-in."""
    since = now - WINDOW
    matches = SignInAttempt.email == email
    last_success = session.scalar(
        select(func.max(SignInAttempt.attempted_at)).where(
            matches, SignInAttempt.succeeded.is_(True), SignInAttempt.attempted_at >= since
        )
    )
    return _count_failures(session, matches, max(since, last_success or since))


def _address_failures(session: DbSession, client_address: str, now: datetime) -> int:
    """Every failure from the address within the window, whoever signed in since."""
    return _count_failures(session, SignInAttempt.client_address == client_address, now - WINDOW)


def is_locked(
    session: DbSession, email: str, client_address: str, now: datetime | None = None
) -> bool:
    """True if this account or this address has had too many recent failures."""
    now = now or utcnow()
    return (
        _account_failures(session, email, now) >= MAX_FAILURES
        or _address_failures(session, client_address, now) >= ADDRESS_MAX_FAILURES
    )


def claim_attempt(
    session: DbSession, email: str, client_address: str, user: User | None = None
) -> SignInAttempt | None:
    """Write this attempt down as a failure, then count, one claim at a time: the attempt if it
    is within the limits (it stays a failure unless `attempt_succeeded` is called), else None.
    """
    session.commit()  # a fresh transaction, whose first statement below writes
    take_write_lock(session, SIGN_IN_CLAIMS_LOCK)
    now = utcnow()
    attempt = SignInAttempt(
        email=email,
        client_address=client_address,
        succeeded=False,
        user_id=user.id if user else None,
        attempted_at=now,
    )
    session.add(attempt)
    session.flush()
    # The counts include this attempt and every claim made before it.
    within_limits = (
        _account_failures(session, email, now) <= MAX_FAILURES
        and _address_failures(session, client_address, now) <= ADDRESS_MAX_FAILURES
    )
    if not within_limits:
        release_attempt(session, attempt)
    session.commit()
    return attempt if within_limits else None


def attempt_succeeded(attempt: SignInAttempt, user: User) -> None:
    """The person proved who they are: the account's count starts again."""
    attempt.succeeded = True
    attempt.user_id = user.id


def attempt_failed(attempt: SignInAttempt, user: User | None) -> None:
    """Keep the attempt as a failure, noting whose account it was against."""
    attempt.user_id = user.id if user else None


def release_attempt(session: DbSession, attempt: SignInAttempt) -> None:
    """Neither a failure nor a success: refused while locked, or a right password whose
    second factor is still to come (the code step claims an attempt of its own)."""
    session.delete(attempt)


def record_success(session: DbSession, email: str, client_address: str, user: User) -> None:
    """A sign-in completed without a checked secret of its own (enrolment just confirmed)."""
    session.add(
        SignInAttempt(email=email, client_address=client_address, succeeded=True, user_id=user.id)
    )
