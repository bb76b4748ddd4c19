"""Brute-force defence: five failures in 15 minutes lock an account or an address out."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from sqlalchemy import func, select

from tests.conftest import sign_in
from tests.support.factories import TEST_PASSWORD, make_user
from tracker.auth import views as auth_views
from tracker.auth.throttle import WINDOW, is_locked
from tracker.extensions import db
from tracker.models import AuditEvent, SignInAttempt, utcnow


def fail_times(client, email: str, times: int, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        response = client.post(
            "/login",
            data={"email": email, "password": "wrong-password-here", "csrf_token": token(client)},
            environ_base={"REMOTE_ADDR": address},
        )
        assert response.status_code == 401


def token(client) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/login").get_data(as_text=True))


def test_account_locked_after_five_failures_even_for_the_right_password(client, session):
    make_user(session, email="lead@example.org")
    session.commit()
    fail_times(client, "lead@example.org", 5)
    with mock.patch.object(
        auth_views, "verify_password", wraps=auth_views.verify_password
    ) as verify:
        response = sign_in(client, "lead@example.org", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts to sign in" in response.get_data(as_text=True)
    assert verify.call_count == 0, "no password hash is computed while locked"
    assert client.get("/account").status_code == 302
    locked = session.scalar(select(func.count()).where(AuditEvent.verb == "sign_in_locked"))
    assert locked == 1


def test_four_failures_still_allow_the_right_password(client, session):
    make_user(session, email="lead@example.org")
    session.commit()
    fail_times(client, "lead@example.org", 4)
    assert sign_in(client, "lead@example.org", TEST_PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_locked(client, session):
    make_user(session, email="target@example.org")
    session.commit()
    for number in range(5):
        fail_times(client, f"guess{number}@example.org", 1, address="203.0.113.9")
    response = client.post(
        "/login",
        data={
            "email": "target@example.org",
            "password": TEST_PASSWORD,
            "csrf_token": token(client),
        },
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 429
    other_address = client.post(
        "/login",
        data={
            "email": "target@example.org",
            "password": TEST_PASSWORD,
            "csrf_token": token(client),
        },
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert other_address.status_code == 302


def test_lock_lifts_when_failures_are_older_than_the_window(session):
    old = utcnow() - WINDOW - timedelta(minutes=1)
    for _ in range(5):
        session.add(
            SignInAttempt(
                email="a@example.org", client_address="10.0.0.1", succeeded=False, attempted_at=old
            )
        )
    session.commit()
    assert not is_locked(session, "a@example.org", "10.0.0.2")
    assert is_locked(session, "a@example.org", "10.0.0.2", now=old + timedelta(minutes=1))


def test_lock_is_shared_by_every_server_process(app, session, databases):
    """The count lives in the database: a second app on the same database sees the lock."""
    from tests.conftest import make_app

    make_user(session, email="lead@example.org")
    session.commit()
    fail_times(app.test_client(), "lead@example.org", 5)
    other_process = make_app(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    try:
        assert (
            sign_in(other_process.test_client(), "lead@example.org", TEST_PASSWORD).status_code
            == 429
        )
    finally:
        with other_process.app_context():
            db.engine.dispose()
