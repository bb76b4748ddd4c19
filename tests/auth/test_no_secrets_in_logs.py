"""No password, code or cookie is ever written to a log."""

from __future__ import annotations

import logging
import re

import pyotp

from tests.conftest import csrf_token_from, sign_in
from tests.support.factories import TEST_PASSWORD, make_user
from tracker.auth.accounts import issue_setup_code


def test_sign_in_codes_and_cookies_stay_out_of_logs(app, session, caplog):
    caplog.set_level(logging.DEBUG)
    admin = make_user(session, email="admin@example.org", role="admin", two_factor=True)
    newcomer = make_user(session, email="new@example.org", password_hash=None)
    setup_code = issue_setup_code(newcomer)
    session.commit()

    client = app.test_client()
    sign_in(client, "admin@example.org", "a-wrong-password-value")
    code = pyotp.TOTP(admin.totp_secret).now()
    sign_in(client, "admin@example.org", TEST_PASSWORD)
    page = client.get("/login/code").get_data(as_text=True)
    client.post("/login/code", data={"code": code, "csrf_token": csrf_token_from(page)})
    cookie = client.get_cookie("session").value

    other = app.test_client()
    page = other.get("/account/set-up").get_data(as_text=True)
    other.post(
        "/account/set-up",
        data={
            "email": "new@example.org",
            "code": setup_code,
            "new_password": "a secret new pass phrase",
            "confirm_password": "a secret new pass phrase",
            "csrf_token": csrf_token_from(page),
        },
    )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "sign_in_failed for admin@example.org from 127.0.0.1" in logged
    for secret in (
        TEST_PASSWORD,
        "a-wrong-password-value",
        code,
        setup_code,
        "a secret new pass phrase",
        cookie,
        admin.totp_secret,
    ):
        assert secret not in logged
    assert not re.search(r"csrf_token=\w", logged)
