"""Signing in and out with email and password."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import csrf_token_from, sign_in
from tests.support.factories import TEST_PASSWORD, make_plan_version, make_user
from tracker.models import AuditEvent


def test_sign_in_with_correct_password_reaches_the_plan(client, session):
    make_user(session, email="lead@example.org")
    plan_id = make_plan_version(session).plan_id
    session.commit()
    response = sign_in(client, "LEAD@example.org ", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{plan_id}/my-actions", (
        "leads land on their own actions"
    )
    assert client.get("/account").status_code == 200
    assert session.scalars(select(AuditEvent.verb).where(AuditEvent.verb.like("sign%"))).all() == [
        "sign_in"
    ]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    make_user(session, email="lead@example.org")
    session.commit()
    wrong = sign_in(client, "lead@example.org", "not-the-password")
    unknown = sign_in(client, "nobody@example.org", TEST_PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = "Enter a correct email address and password"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/account").status_code == 302, "still signed out"
    assert session.scalars(select(AuditEvent.verb).where(AuditEvent.verb.like("sign%"))).all() == [
        "sign_in_failed",
        "sign_in_failed",
    ]


def test_deactivated_user_cannot_sign_in(client, session):
    make_user(session, email="gone@example.org", active=False)
    session.commit()
    assert sign_in(client, "gone@example.org", TEST_PASSWORD).status_code == 401


def test_empty_fields_get_messages_next_to_them(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": "", "password": "", "csrf_token": csrf_token_from(page)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert 'class="govuk-error-summary' in html


def test_sign_in_without_csrf_token_is_refused(client, session):
    make_user(session, email="lead@example.org")
    session.commit()
    response = client.post("/login", data={"email": "lead@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_sign_out_needs_a_post_with_csrf_token(client, session):
    make_user(session, email="lead@example.org")
    session.commit()
    sign_in(client, "lead@example.org", TEST_PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200, "still signed in after the refused sign-out"
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, session):
    make_user(session, email="lead@example.org")
    session.commit()
    page = client.get("/login?next=https://evil.example/").get_data(as_text=True)
    response = client.post(
        "/login?next=https://evil.example/",
        data={
            "email": "lead@example.org",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.headers["Location"] == "/", "no plan yet: the page that says so"
