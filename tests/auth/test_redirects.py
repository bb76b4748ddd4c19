"""Redirect targets a request supplies never leave the site, however they are dressed up."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from, sign_in
from tests.support.factories import TEST_PASSWORD, make_action, make_plan_version, make_user
from tracker.models import Role
from tracker.redirects import safe_local_path

# Each of these is read by some browser as another site, splits a header, or is not a path.
HOSTILE_TARGETS = [
    "////evil.example/phish",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\r\nX-Injected: 1",
    "/%0D%0AX-Injected:%201",
    " /plans",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_hostile_targets_are_refused(target):
    assert safe_local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/plans/3/rollup?priority=2&status=red", "/actions/7"])
def test_our_own_paths_are_followed(target):
    assert safe_local_path(target) == target


def _sign_in_with_next(client, next_value: str):
    page = client.get("/login", query_string={"next": next_value}).get_data(as_text=True)
    return client.post(
        "/login",
        query_string={"next": next_value},
        data={
            "email": "lead@example.org",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_sign_in_never_sends_the_browser_off_site(client, session, target):
    make_user(session, email="lead@example.org", role=Role.VIEWER)
    make_plan_version(session)
    session.commit()
    response = _sign_in_with_next(client, target)
    assert response.status_code == 302, "signed in, not an error page"
    assert response.headers["Location"] == "/", "the home page (the plan), not the target"
    assert "X-Injected" not in response.headers


def test_sign_in_follows_a_path_on_this_site(client, session):
    make_user(session, email="lead@example.org", role=Role.VIEWER)
    plan_id = make_plan_version(session).plan_id
    session.commit()
    response = _sign_in_with_next(client, f"/plans/{plan_id}/rollup?status=red")
    assert response.headers["Location"] == f"/plans/{plan_id}/rollup?status=red"


def test_a_hostile_return_to_after_moving_an_action_stays_on_the_site(client, session):
    coordinator = make_user(session, role=Role.COORDINATOR, two_factor=True)
    action = make_action(session)
    make_action(session, priority=action.priority)
    session.commit()
    sign_in(client, coordinator.email, TEST_PASSWORD, coordinator.totp_secret)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    response = client.post(
        f"/actions/{action.id}/move",
        data={
            "csrf_token": csrf_token_from(page),
            "direction": "down",
            "return_to": "////evil.example/phish",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/plans/{action.priority.plan_version.plan_id}"
