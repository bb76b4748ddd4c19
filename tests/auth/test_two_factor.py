"""Two-factor sign-in with authenticator codes and recovery codes."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from, sign_in
from tests.support.factories import TEST_PASSWORD, make_user
from tracker.models import RecoveryCode, User
from tracker.plans.demo_content import DEMO_PASSWORD


def post_code(client, code: str, url: str = "/login/code"):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"code": code, "csrf_token": csrf_token_from(page)})


def test_admin_must_enrol_before_finishing_sign_in(client, session):
    make_user(session, email="admin@example.org", role="admin")
    session.commit()
    response = sign_in(client, "admin@example.org", TEST_PASSWORD)
    assert response.headers["Location"].startswith("/login/two-factor")
    assert client.get("/account").status_code == 302, "not signed in before the code"

    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "<svg" in page and "QR code for your authenticator app" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)

    wrong = post_code(client, "000000", "/login/two-factor")
    assert wrong.status_code == 422
    done = post_code(client, pyotp.TOTP(secret).now(), "/login/two-factor")
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/account").status_code == 200
    assert session.scalar(select(User.totp_confirmed_at).where(User.email == "admin@example.org"))


def test_code_is_accepted_once_only(app, session):
    user = make_user(session, email="coordinator@example.org", role="coordinator", two_factor=True)
    session.commit()
    code = pyotp.TOTP(user.totp_secret).now()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "coordinator@example.org", TEST_PASSWORD)
    assert post_code(first, code).status_code == 302
    sign_in(second, "coordinator@example.org", TEST_PASSWORD)
    replay = post_code(second, code)
    assert replay.status_code == 401
    assert "each works once" in replay.get_data(as_text=True)
    assert second.get("/account").status_code == 302


def test_recovery_code_signs_in_once(app, session):
    user = make_user(session, email="admin@example.org", role="admin", two_factor=True)
    session.commit()
    from tracker.auth.two_factor import issue_recovery_codes

    codes = issue_recovery_codes(session, user)
    session.commit()
    first = app.test_client()
    sign_in(first, "admin@example.org", TEST_PASSWORD)
    assert post_code(first, codes[0].lower()).status_code == 302
    again = app.test_client()
    sign_in(again, "admin@example.org", TEST_PASSWORD)
    assert post_code(again, codes[0]).status_code == 401
    used = session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 1


def test_lead_may_choose_two_factor_and_turn_it_off(client, session):
    make_user(session, email="lead@example.org", role="lead")
    session.commit()
    assert sign_in(client, "lead@example.org", TEST_PASSWORD).headers["Location"] == "/"
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert post_code(client, pyotp.TOTP(secret).now(), "/account/two-factor").status_code == 200
    assert "two-factor on" in client.get("/account").get_data(
        as_text=True
    ).lower() or "On since" in client.get("/account").get_data(as_text=True)

    page = client.get("/account").get_data(as_text=True)
    client.post("/account/two-factor/off", data={"csrf_token": csrf_token_from(page)})
    assert session.scalar(select(User.totp_secret).where(User.email == "lead@example.org")) is None


def test_required_roles_come_from_the_setting(app, client, session):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = frozenset({"lead"})
    make_user(session, email="lead@example.org", role="lead")
    session.commit()
    assert (
        sign_in(client, "lead@example.org", TEST_PASSWORD)
        .headers["Location"]
        .startswith("/login/two-factor")
    )


def test_required_role_cannot_turn_two_factor_off(app, session):
    user = make_user(session, email="admin@example.org", role="admin", two_factor=True)
    session.commit()
    client = app.test_client()
    sign_in(client, "admin@example.org", TEST_PASSWORD, user.totp_secret)
    page = client.get("/account").get_data(as_text=True)
    assert "Turn off two-factor" not in page
    client.post("/account/two-factor/off", data={"csrf_token": csrf_token_from(page)})
    assert session.scalar(select(User.totp_secret).where(User.email == "admin@example.org"))


def test_demo_database_relaxes_two_factor_and_says_so(client, session, demo_plan):
    page = client.get("/login").get_data(as_text=True)
    assert "Demo database." in page and "Two-factor sign-in is switched off" in page
    assert sign_in(client, "admin@example.org", DEMO_PASSWORD).headers["Location"] == "/"


def test_real_database_shows_no_demo_notice(client, session):
    make_user(session, email="someone@example.org")
    session.commit()
    assert "Demo database." not in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("bad", ["12345", "abcdef", "1234567"])
def test_malformed_codes_are_refused(app, session, bad):
    make_user(session, email="admin@example.org", role="admin", two_factor=True)
    session.commit()
    client = app.test_client()
    sign_in(client, "admin@example.org", TEST_PASSWORD)
    assert post_code(client, bad).status_code == 401
