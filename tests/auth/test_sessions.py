"""Sessions end everywhere on sign-out, password change and deactivation; and time out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import csrf_token_from, sign_in
from tests.support.factories import TEST_PASSWORD, make_user
from tracker.auth.sessions import LAST_SEEN, SIGNED_IN_AT
from tracker.models import User, utcnow


@pytest.fixture
def user(session):
    made = make_user(session, email="lead@example.org", role="lead")
    session.commit()
    return made


def signed_in_client(app):
    client = app.test_client()
    assert sign_in(client, "lead@example.org", TEST_PASSWORD).status_code == 302
    return client


def copy_of_cookie(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def test_session_cookie_holds_a_token_not_the_user_id(app, session, user):
    client = signed_in_client(app)
    with client.session_transaction() as stored:
        assert stored["_user_id"] == user.session_token
        assert stored["_user_id"] != str(user.id)


def test_session_cookie_flags(app, user):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "email": "lead@example.org",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_out_ends_copied_sessions_too(app, user):
    client = signed_in_client(app)
    thief = copy_of_cookie(app, client)
    assert thief.get("/account").status_code == 200
    client.post(
        "/logout",
        data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))},
    )
    assert thief.get("/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, session, user):
    client = signed_in_client(app)
    other_device = signed_in_client(app)
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a brand new pass phrase",
            "confirm_password": "a brand new pass phrase",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    assert (
        sign_in(app.test_client(), "lead@example.org", "a brand new pass phrase").status_code == 302
    )


def test_wrong_current_password_changes_nothing(app, session, user):
    client = signed_in_client(app)
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": "a brand new pass phrase",
            "confirm_password": "a brand new pass phrase",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 422
    assert "Your current password is not correct" in response.get_data(as_text=True)
    assert sign_in(app.test_client(), "lead@example.org", TEST_PASSWORD).status_code == 302


def test_deactivating_a_user_ends_their_sessions(app, session, user):
    victim = make_user(session, email="leaving@example.org")
    session.commit()
    their_browser = app.test_client()
    sign_in(their_browser, "leaving@example.org", TEST_PASSWORD)
    assert their_browser.get("/account").status_code == 200
    make_user(session, email="admin@example.org", role="admin", two_factor=True)
    session.commit()
    admin = app.test_client()
    admin_user = session.query(User).filter_by(email="admin@example.org").one()
    assert (
        sign_in(admin, "admin@example.org", TEST_PASSWORD, admin_user.totp_secret).status_code
        == 302
    )
    page = admin.get(f"/admin/users/{victim.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{victim.id}/deactivate", data={"csrf_token": csrf_token_from(page)})
    assert their_browser.get("/account").status_code == 302
    assert sign_in(app.test_client(), "leaving@example.org", TEST_PASSWORD).status_code == 401


def backdate(client, **ages: timedelta) -> None:
    with client.session_transaction() as stored:
        for key, age in ages.items():
            stored[key] = (utcnow() - age).timestamp()


def test_idle_session_times_out(app, user):
    client = signed_in_client(app)
    backdate(client, **{LAST_SEEN: timedelta(minutes=31)})
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "Your session ended" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_active_session_stays_within_the_idle_limit(app, user):
    client = signed_in_client(app)
    backdate(client, **{LAST_SEEN: timedelta(minutes=29)})
    assert client.get("/account").status_code == 200


def test_idle_limit_is_configurable(app, user):
    app.config["SESSION_IDLE_MINUTES"] = 5
    client = signed_in_client(app)
    backdate(client, **{LAST_SEEN: timedelta(minutes=6)})
    assert client.get("/account").status_code == 302


def test_session_ends_after_twelve_hours_however_active(app, user):
    client = signed_in_client(app)
    backdate(
        client, **{SIGNED_IN_AT: timedelta(hours=12, minutes=1), LAST_SEEN: timedelta(minutes=1)}
    )
    assert client.get("/account").status_code == 302


def test_sign_in_starts_a_fresh_session(app, user, session):
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as stored:
        stored["planted"] = "by an attacker"
    sign_in(client, "lead@example.org", TEST_PASSWORD)
    with client.session_transaction() as stored:
        assert "planted" not in stored
    assert session.get(User, user.id).session_token == user.session_token
