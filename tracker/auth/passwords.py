"""Passwords: argon2id hashing and the rules a new password must meet."""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with OWASP's configuration of 19 MiB, t=2, p=1 (Password Storage Cheat Sheet).
# argon2-cffi's default, RFC 9106's 64 MiB, t=3, p=4, took 145 ms and 64 MB of a worker's
# memory for each sign-in on a 2-core server: with two workers, half the server's memory
# budget, and p=4 gains nothing on two cores. A hash made with other parameters is made
# again with these at its owner's next sign-in.
PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_hasher = PRODUCTION_HASHER

MIN_LENGTH = 12
MAX_LENGTH = 1024  # generous for pass-phrases; a bound keeps hashing time predictable
# 20,000 common passwords (from Django's password validation, BSD licence).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
# Words a user might build a password from that an attacker would try first.
SERVICE_WORDS = ("tracker", "actionplan", "partnership")


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches the stored hash; False for no hash or a mismatch."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _squashed(text: str) -> str:
    """Lower case, compatibility-normalised, without spaces or punctuation: for comparisons."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(character for character in folded if character.isalnum())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password may not be used, as a message for the user, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if not password.strip():
        return "Password must contain something other than spaces"
    if password.lower() in _common_passwords():
        return "That password is too common: choose one that would be hard to guess"
    squashed = _squashed(password)
    if any(word in squashed for word in SERVICE_WORDS):
        return "Password must not contain the name of this service"
    personal = [_squashed(email.split("@")[0]), *(_squashed(part) for part in name.split())]
    if any(len(word) >= 4 and word in squashed for word in personal):
        return "Password must not contain your name or email address"
    return None
