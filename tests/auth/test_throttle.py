"""Brute-force defence: five failures in 15 minutes lock an account or an address out."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest import mock

from sqlalchemy import func, select

from tests.conftest import sign_in
from tests.support.factories import TEST_PASSWORD, make_user
from tests.support.served import csrf_token, gunicorn_serving, person, threaded_serving
from tracker.auth import views as auth_views
from tracker.auth.throttle import ADDRESS_MAX_FAILURES, MAX_FAILURES, WINDOW, is_locked
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
    for number in range(ADDRESS_MAX_FAILURES):
        fail_times(client, f"guess{number}@example.org", 1, address="203.0.113.9")
    assert attempt_from(client, "203.0.113.9", "target@example.org").status_code == 429
    assert attempt_from(client, "198.51.100.4", "target@example.org").status_code == 302


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


def attempt_from(client, address: str, email: str, password: str = TEST_PASSWORD):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_success_from_an_address_does_not_reset_its_count(client, session):
    """An account holder signing in between guesses at other accounts is still stopped."""
    make_user(session, email="insider@example.org")
    session.commit()
    address = "203.0.113.7"
    for number in range(ADDRESS_MAX_FAILURES):
        fail_times(client, f"colleague{number}@example.org", 1, address=address)
        if number == ADDRESS_MAX_FAILURES - 2:
            assert attempt_from(client, address, "insider@example.org").status_code == 302
            client.post("/logout", data={"csrf_token": token_from_account(client)})
    response = attempt_from(client, address, "insider@example.org")
    assert response.status_code == 429, "the address is locked, whoever signed in from it"


def token_from_account(client) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/account").get_data(as_text=True))


def _twenty_wrong_passwords_at_once(base_url: str, email: str) -> Counter[int]:
    def attempt(_: int) -> int:
        with person() as http:
            csrf = csrf_token(http, f"{base_url}/login")
            barrier.wait()
            return http.post(
                f"{base_url}/login",
                data={"email": email, "password": "wrong-password-here", "csrf_token": csrf},
                timeout=60,
            ).status_code

    barrier = threading.Barrier(20)
    with ThreadPoolExecutor(max_workers=20) as pool:
        return Counter(pool.map(attempt, range(20)))


def test_twenty_simultaneous_guesses_on_the_threaded_server_check_only_five(app, session):
    make_user(session, email="lead@example.org")
    session.commit()
    with threaded_serving(app) as base_url:
        answers = _twenty_wrong_passwords_at_once(base_url, "lead@example.org")
    assert answers == {401: MAX_FAILURES, 429: 20 - MAX_FAILURES}
    checked = session.scalar(select(func.count()).where(SignInAttempt.email == "lead@example.org"))
    assert checked == MAX_FAILURES, "only the checked guesses are counted"


def test_twenty_simultaneous_guesses_under_gunicorn_check_only_five(session, database_url):
    make_user(session, email="lead@example.org")
    session.commit()
    with gunicorn_serving(database_url, workers=4, threads=4) as served:
        answers = _twenty_wrong_passwords_at_once(served.base_url, "lead@example.org")
    assert answers == {401: MAX_FAILURES, 429: 20 - MAX_FAILURES}
