"""Admins add users (who set their own password with a one-time code), edit and deactivate them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from, sign_in
from tracker.models import AuditEvent, Priority, User
from tracker.plans.demo_content import DEMO_PASSWORD


@pytest.fixture
def admin(client, session, demo_plan):
    assert sign_in(client, "admin@example.org", DEMO_PASSWORD).status_code == 302
    return client


def submit(client, url: str, **data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_new_user_sets_their_password_with_the_code_and_signs_in(admin, app, session):
    road_safety = session.scalar(select(Priority).where(Priority.name == "Road Safety"))
    response = submit(
        admin,
        "/admin/users/new",
        name="Taylor Brooks",
        email="Taylor.Brooks@Example.org",
        role="lead",
        organisation="",
        lead_of=[str(road_safety.id)],
    )
    assert response.status_code == 200
    code = re.search(r'id="setup-code">([A-Z0-9-]+)<', response.get_data(as_text=True)).group(1)
    user = session.scalar(select(User).where(User.email == "taylor.brooks@example.org"))
    assert user.password_hash is None and [p.name for p in user.led_priorities] == ["Road Safety"]

    newcomer = app.test_client()
    wrong = submit(
        newcomer,
        "/account/set-up",
        email="taylor.brooks@example.org",
        code="AAAA-BBBB-CCCC-DDDD",
        new_password="a fine long pass phrase",
        confirm_password="a fine long pass phrase",
    )
    assert wrong.status_code == 401
    done = submit(
        newcomer,
        "/account/set-up",
        email="taylor.brooks@example.org",
        code=code.lower(),
        new_password="a fine long pass phrase",
        confirm_password="a fine long pass phrase",
    )
    assert done.status_code == 302
    assert (
        sign_in(newcomer, "taylor.brooks@example.org", "a fine long pass phrase").status_code == 302
    )
    reused = submit(
        app.test_client(),
        "/account/set-up",
        email="taylor.brooks@example.org",
        code=code,
        new_password="another long pass phrase",
        confirm_password="another long pass phrase",
    )
    assert reused.status_code == 401, "a set-up code works once"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "email": "a@example.org", "role": "lead"}, "Enter the person&#39;s name"),
        ({"name": "x" * 201, "email": "a@example.org", "role": "lead"}, "200 characters or fewer"),
        ({"name": "Someone", "email": "not-an-email", "role": "lead"}, "correct format"),
        ({"name": "Someone", "email": "viewer@example.org", "role": "lead"}, "already exists"),
        ({"name": "Someone", "email": "a@example.org", "role": "superuser"}, "Not a valid choice"),
        ({"name": "Someone", "email": "a@example.org"}, "Choose a role"),
    ],
)
def test_bad_user_details_are_refused_and_nothing_is_saved(admin, session, fields, message):
    users_before = session.scalars(select(User.email)).all()
    response = submit(admin, "/admin/users/new", organisation="", **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session.scalars(select(User.email)).all() == users_before


def test_script_in_a_name_is_shown_as_text_everywhere(admin, session):
    submit(
        admin,
        "/admin/users/new",
        name='<script>alert("x")</script>',
        email="x@example.org",
        role="viewer",
        organisation="",
    )
    for page in ("/admin/users", "/admin/audit"):
        html = admin.get(page).get_data(as_text=True)
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_role_change_is_audited_with_before_and_after(admin, session):
    viewer = session.scalar(select(User).where(User.email == "viewer@example.org"))
    response = submit(
        admin,
        f"/admin/users/{viewer.id}",
        name=viewer.name,
        email=viewer.email,
        role="lead",
        organisation="",
    )
    assert response.status_code == 302
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "user_account",
            AuditEvent.verb == "update",
            AuditEvent.entity_id == viewer.id,
        )
    )
    assert event.before["role"] == "viewer" and event.after["role"] == "lead"
    assert event.actor.email == "admin@example.org"


def test_deactivated_user_keeps_history_and_can_be_reactivated(admin, app, session):
    lead = session.scalar(select(User).where(User.email == "lead.police@example.org"))
    assert (
        submit(
            admin,
            f"/admin/users/{lead.id}/deactivate".replace("/deactivate", ""),
            name=lead.name,
            email=lead.email,
            role="lead",
            organisation="",
        ).status_code
        == 302
    )
    page = admin.get(f"/admin/users/{lead.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{lead.id}/deactivate", data={"csrf_token": csrf_token_from(page)})
    assert sign_in(app.test_client(), "lead.police@example.org", DEMO_PASSWORD).status_code == 401
    assert lead.id in session.scalars(select(User.id)).all(), "history stays"
    page = admin.get(f"/admin/users/{lead.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{lead.id}/reactivate", data={"csrf_token": csrf_token_from(page)})
    assert sign_in(app.test_client(), "lead.police@example.org", DEMO_PASSWORD).status_code == 302


def test_admin_cannot_deactivate_themselves(admin, session):
    me = session.scalar(select(User).where(User.email == "admin@example.org"))
    page = admin.get(f"/admin/users/{me.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{me.id}/deactivate", data={"csrf_token": csrf_token_from(page)})
    session.expire_all()
    assert session.get(User, me.id).active


def test_audit_log_filters_by_what_happened(admin, session):
    html = admin.get("/admin/audit?verb=sign_in").get_data(as_text=True)
    assert "sign in" in html and "create" not in re.sub(r"<option.*?</option>", "", html)
    bad = admin.get("/admin/audit?from=not-a-date").get_data(as_text=True)
    assert "Enter a real date" in bad


def test_organisation_added_once(admin, session):
    assert (
        submit(
            admin, "/admin/organisations", name="Swale Borough Council", short_name="Swale"
        ).status_code
        == 302
    )
    again = submit(admin, "/admin/organisations", name="Swale Borough Council", short_name="")
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)
