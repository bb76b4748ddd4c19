"""Two-factor sign-in: time-based one-time codes (TOTP) and one-time recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from tracker.config import parse_role_list
from tracker.extensions import DbSession
from tracker.models import RecoveryCode, Role, SiteSetting, User, utcnow

DEFAULT_REQUIRED_ROLES = frozenset({Role.ADMIN.value, Role.COORDINATOR.value})
REQUIRED_ROLES_SETTING = "two_factor_required_roles"
DEMO_SETTING = "demo_database"
RECOVERY_CODE_COUNT = 10
# No 0/O or 1/I/L: recovery codes are copied by hand from paper.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TIME_STEP_SECONDS = 30


def required_roles(session: DbSession) -> frozenset[str]:
    """Roles that must use two-factor sign-in: from TWO_FACTOR_REQUIRED_ROLES, else the
    database (the demo database relaxes it), else admins and coordinators."""
    configured: frozenset[str] | None = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES")
    if configured is not None:
        return configured
    stored = session.scalar(
        select(SiteSetting.value).where(SiteSetting.key == REQUIRED_ROLES_SETTING)
    )
    return DEFAULT_REQUIRED_ROLES if stored is None else parse_role_list(stored)


def is_demo_database(session: DbSession) -> bool:
    """True when the database was created by loading the demo plan into an empty database."""
    return session.get(SiteSetting, DEMO_SETTING) is not None


def demo_relaxes_two_factor(session: DbSession) -> bool:
    """True when this is the demo database and it asks no role for two-factor sign-in."""
    return is_demo_database(session) and not required_roles(session)


def must_use_two_factor(session: DbSession, user: User) -> bool:
    return user.role in required_roles(session)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str) -> Markup:
    """The QR code as inline SVG markup, drawn on the server (no script, no external image)."""
    import segno  # a few MB a worker, for a page each person sees once: loaded then

    svg = segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app", svgclass="app-qr-code"
    )
    # Safe: segno draws the code as path data; the only text in the SVG is our own title.
    return Markup(svg)  # noqa: S704  # nosec B704


def _counter(moment: datetime) -> int:
    return int(moment.timestamp()) // TIME_STEP_SECONDS


def verify_code(user: User, code: str, now: datetime | None = None) -> bool:
    """Accept a current code once: a code (or an older one) that was used is refused."""
    if not user.totp_secret:
        return False
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = _counter(now or utcnow())
    for counter in (current - 1, current, current + 1):  # allow a little clock drift
        if hmac.compare_digest(totp.at(counter * TIME_STEP_SECONDS), code):
            if user.totp_last_counter is not None and counter <= user.totp_last_counter:
                return False
            user.totp_last_counter = counter
            return True
    return False


def _hash_recovery_code(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def issue_recovery_codes(session: DbSession, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; the plain codes are shown once only."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(raw)))
    return codes


def use_recovery_code(session: DbSession, user: User, code: str) -> bool:
    """Accept an unused recovery code of this user, once."""
    stored = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if stored is None:
        return False
    stored.used_at = utcnow()
    return True


def unused_recovery_codes(session: DbSession, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def switch_off(session: DbSession, user: User) -> None:
    """Remove two-factor sign-in from an account (its owner, or an admin after a lost phone)."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_counter = None
    for code in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(code)
