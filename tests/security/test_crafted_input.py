"""Crafted input gets a 4xx with a message, never a server error.

The fuzz walks every route of the app's URL map (as the access matrix does) with hostile
values in every query parameter the app reads, plus names that collide with url_for's own.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.auth.test_access_matrix import client_for, demo, routes  # noqa: F401 - a fixture
from tests.conftest import csrf_token_from, form_value
from tests.support.factories import TEST_PASSWORD, make_user
from tracker.extensions import db
from tracker.models import Role, Update

# Every query parameter some view reads, and the names url_for treats as its own.
PARAMETERS = [
    "actor", "correct", "due", "entity", "from", "group", "moved", "next", "organisation",
    "page", "period", "plan", "priority", "rag", "status", "theme", "to", "verb",
    "endpoint", "_external", "_anchor", "_method", "_scheme", "values", "plan_id", "fmt",
]  # fmt: skip
HOSTILE_VALUES = [
    "99999999999999999999999",
    "-1",
    "1e309",
    "/%0D%0AX-Injected:%201",
    "\r\nX-Injected: 1",
    "\x00",
    "////evil.example/phish",
    "' OR 1=1 --",
    "\N{RIGHT-TO-LEFT OVERRIDE}\N{PILE OF POO}",
    "x" * 5000,
]


# One test per role: each walks every page, and apart the suite's workers can share them.
@pytest.mark.parametrize("role", ["anonymous", "lead", "coordinator", "admin"])
def test_no_query_value_makes_any_page_fail(app, demo, role):  # noqa: F811
    failures = []
    client, _token = client_for(app, role)
    for rule, method in routes(app):
        if method != "GET" or rule.endpoint == "auth.logout":
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(demo[m.group(1)]), rule.rule)
        for value in HOSTILE_VALUES:
            response = client.get(url, query_string=dict.fromkeys(PARAMETERS, value))
            if response.status_code >= 500:
                failures.append(f"GET {url} as {role} with {value[:30]!r}: {response.status_code}")
            assert "X-Injected" not in response.headers
    assert failures == []


def test_no_query_value_makes_any_form_post_fail(app, demo):  # noqa: F811
    """POSTs carry a valid CSRF token and an empty form, so the query string is what is tested."""
    client, token = client_for(app, "admin")
    failures = []
    for rule, method in routes(app):
        if method != "POST" or rule.endpoint == "auth.logout":
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(demo[m.group(1)]), rule.rule)
        for value in HOSTILE_VALUES[:8]:
            response = client.post(
                url, query_string=dict.fromkeys(PARAMETERS, value), data={"csrf_token": token}
            )
            if response.status_code >= 500:
                failures.append(f"POST {url} with {value[:30]!r}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/actions/99999999999999999999999",
        "/plans/99999999999999999999999",
        "/plans/2147483648/rollup",
        "/priorities/99999999999999999999999",
        "/reports/99999999999999999999999",
    ],
)
def test_record_numbers_too_large_for_a_key_are_not_found(app, demo, path):  # noqa: F811
    admin, _ = client_for(app, "admin")
    response = admin.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_named_crafted_requests_get_a_4xx_with_a_message(app, demo):  # noqa: F811
    admin, _ = client_for(app, "admin")
    lead, _ = client_for(app, "lead")
    plan_id = demo["plan_id"]
    for path in (
        f"/plans/{plan_id}/my-actions?endpoint=x",
        f"/plans/{plan_id}/my-actions/counts?endpoint=x",
        f"/plans/{plan_id}/my-actions?_external=1&_scheme=javascript",
    ):
        response = lead.get(path)
        assert response.status_code == 200, f"{path}: the page, the stray parameter ignored"
        assert "endpoint=x" not in response.get_data(as_text=True)
    audit = admin.get("/admin/audit?page=99999999999999999999999")
    assert audit.status_code == 404
    assert "There is no page 99999999999999999999999 of this list" in audit.get_data(as_text=True)


def test_a_sign_in_with_a_header_splitting_next_lands_on_the_site(app, session):
    make_user(session, email="viewer@example.org", role=Role.VIEWER)
    session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login?next=/%0D%0AX-Injected:+1",
        data={
            "email": "viewer@example.org",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "X-Injected" not in response.headers


def test_a_nul_character_in_a_form_is_refused_with_a_message_and_nothing_saved(app, demo):  # noqa: F811
    coordinator, _ = client_for(app, "coordinator")
    action_id = demo["action_id"]
    page = coordinator.get(f"/actions/{action_id}").get_data(as_text=True)
    before = db.session.scalar(select(func.count()).select_from(Update))
    response = coordinator.post(
        f"/actions/{action_id}/updates",
        data={
            "csrf_token": csrf_token_from(page),
            "version": form_value(page, "version"),
            "rag": "green",
            "progress_text": "Pasted from a PDF\x00 with a stray character",
        },
    )
    assert response.status_code == 400
    assert "contained a NUL character" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Update)) == before


def test_a_record_number_too_large_for_a_key_in_a_form_field_is_not_a_server_error(app, demo):  # noqa: F811
    coordinator, _ = client_for(app, "coordinator")
    action_id = demo["action_id"]
    page = coordinator.get(f"/actions/{action_id}").get_data(as_text=True)
    response = coordinator.post(
        f"/actions/{action_id}/updates",
        data={
            "csrf_token": csrf_token_from(page),
            "version": form_value(page, "version"),
            "rag": "green",
            "progress_text": "Correcting an update that does not exist.",
            "corrects": "99999999999999999999999",
        },
    )
    assert response.status_code == 303, "saved as a plain update: no such update to correct"
