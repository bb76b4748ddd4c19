"""Password rules and hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tests.conftest import sign_in
from tests.support.factories import make_user
from tracker.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from tracker.models import User


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass1", "at least 12 characters"),
        ("x" * 1025, "1024 characters or fewer"),
        ("            ", "something other than spaces"),
        ("1qaz2wsx3edc", "too common"),
        ("1q2w3e4r5t6y", "too common"),
        ("my-Tracker-login-2026", "name of this service"),
        ("Partnership!rocks-2026", "name of this service"),
        ("alex.morgan-is-great", "your name or email"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    message = password_problem(password, email="alex.morgan@example.org", name="Alex Morgan")
    assert message is not None and problem in message


@pytest.mark.parametrize(
    "password",
    [
        "amber lantern orchard",
        "ünïcödé-pässwörd-✓-名前",
        "correct horse battery staple " * 30,  # long pass-phrases are welcome
        "x" * 1024,
    ],
)
def test_good_passwords_are_accepted(password):
    assert password_problem(password, email="sam@example.org", name="Sam Patel") is None


def test_hashes_are_argon2id_with_at_least_owasp_parameters(production_password_hashing):
    encoded = hash_password("amber lantern orchard")
    assert encoded.startswith("$argon2id$")
    parameters = dict(part.split("=") for part in encoded.split("$")[3].split(","))
    assert (
        int(parameters["m"]) >= 19 * 1024
        and int(parameters["t"]) >= 2
        and int(parameters["p"]) >= 1
    )
    assert verify_password(encoded, "amber lantern orchard")
    assert not verify_password(encoded, "amber lantern orchard!")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    "older_hasher",
    [
        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),  # weaker than today's
        PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4),  # the earlier default
    ],
    ids=["weaker", "earlier-default"],
)
def test_a_hash_with_other_parameters_is_made_again_at_sign_in(
    production_password_hashing, client, session, older_hasher
):
    weak = older_hasher.hash("an old but long password")
    assert needs_rehash(weak)
    make_user(session, email="old@example.org", password_hash=weak)
    session.commit()
    assert sign_in(client, "old@example.org", "an old but long password").status_code == 302
    session.expire_all()
    stored = session.scalar(select(User.password_hash).where(User.email == "old@example.org"))
    assert stored != weak and not needs_rehash(stored)
    assert verify_password(stored, "an old but long password")
