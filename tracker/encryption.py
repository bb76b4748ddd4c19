"""Secrets kept encrypted in the database (two-factor secrets), with keys that can be rotated.

ENCRYPTION_KEYS lists Fernet keys newest first: values are encrypted with the first and read
with any of them, so a new key can be put in front, `rotate-encryption-keys` run, and the old
key dropped afterwards.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import String, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.types import TypeDecorator

from tracker.extensions import DbSession


class SecretUnreadable(Exception):
    """A value none of the configured keys can decrypt (a key was dropped too early)."""


def keyring() -> MultiFernet:
    return _keyring_for(tuple(current_app.config["ENCRYPTION_KEYS"]))


@lru_cache(maxsize=4)
def _keyring_for(keys: tuple[str, ...]) -> MultiFernet:
    # Built once per set of keys: every request loads the signed-in user, secret included.
    return MultiFernet([Fernet(key) for key in keys])


class EncryptedString(TypeDecorator[str]):
    """A string column stored as a Fernet token, read back as the plain string."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return keyring().decrypt(value.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable(
                "a two-factor secret cannot be decrypted with any key in ENCRYPTION_KEYS: "
                "put back the key it was encrypted with"
            ) from None


def rotate_encryption(session: DbSession) -> int:
    """Re-encrypt every stored secret with the newest key; the number re-encrypted."""
    from tracker.models import User  # the models import this module for their column type

    users = session.scalars(select(User).where(User.totp_secret.is_not(None))).all()
    for user in users:
        # Loading decrypted it with whichever key fits; writing it encrypts with the newest.
        flag_modified(user, "totp_secret")
    session.flush()
    return len(users)
