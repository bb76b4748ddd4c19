"""Accounts: creating users, set-up codes for choosing a password, changing passwords."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from tracker.auth.passwords import hash_password, password_problem
from tracker.extensions import DbSession
from tracker.models import Organisation, Priority, Role, User, utcnow

SETUP_CODE_LIFETIME = timedelta(days=7)
# Read out or typed by hand: no easily confused characters.
SETUP_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class AccountError(ValueError):
    """A change to an account that cannot be made, with a message for the user."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    """Check an email address and return its canonical, lower-case form."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise AccountError(
            "Enter an email address in the correct format, like name@example.org", "email"
        ) from None
    return checked.normalized.lower()


def _hash_code(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def issue_setup_code(user: User, now: datetime | None = None) -> str:
    """A one-time code, valid for 7 days, with which the user sets their own password.

    It is typed into a form rather than carried in a link, so it never appears in a URL or
    in a server's access log. Issuing a new code cancels any earlier one.
    """
    raw = "".join(secrets.choice(SETUP_CODE_ALPHABET) for _ in range(16))
    user.password_setup_token_hash = _hash_code(raw)
    user.password_setup_expires_at = (now or utcnow()) + SETUP_CODE_LIFETIME
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def user_for_setup_code(session: DbSession, email: str, code: str) -> User | None:
    """The active user this unexpired set-up code was issued to, if the email matches."""
    user = session.scalar(
        select(User).where(
            User.email == email.strip().lower(),
            User.password_setup_token_hash == _hash_code(code),
        )
    )
    if user is None or not user.active or user.password_setup_expires_at is None:
        return None
    if user.password_setup_expires_at < utcnow():
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Give the user a new password: checks the rules, ends their sessions everywhere."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, "new_password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.password_setup_token_hash = None
    user.password_setup_expires_at = None
    user.end_all_sessions()


def create_user(
    session: DbSession,
    *,
    email: str,
    name: str,
    role: str,
    organisation: Organisation | None = None,
    lead_of: Iterable[Priority] = (),
) -> User:
    """A new, active user with no password yet; raises AccountError for bad input."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise AccountError("Enter the person's name", "name")
    if len(name) > 200:
        raise AccountError("Name must be 200 characters or fewer", "name")
    if role not in set(Role):
        raise AccountError("Choose a role: admin, coordinator, lead or viewer", "role")
    taken = session.scalar(select(func.count()).where(User.email == email))
    if taken:
        raise AccountError("A user with this email address already exists", "email")
    user = User(email=email, name=name, role=role, organisation=organisation)
    user.led_priorities = list(lead_of)
    session.add(user)
    return user
