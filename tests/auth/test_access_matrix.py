"""Every route × every role, built from the app's URL map.

A new route without a line in EXPECTED fails this test: whoever adds a route decides, here,
who may use it. Requests carry a valid CSRF token, so what is tested is authorisation alone.
POSTs send an empty form: allowed roles get the form back with errors (422) or a redirect,
refused roles get 403, and anonymous visitors are sent to sign in (302).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tracker.models import (
    Action,
    GrantPot,
    GrantProject,
    IndicatorValue,
    Organisation,
    Plan,
    Priority,
    ReportingPeriod,
    Theme,
    Update,
    User,
)
from tracker.plans.demo_content import DEMO_PASSWORD
from tracker.plans.legacy import OLD_ADDRESSES
from tracker.reports.services import start_draft

ROLES = ("anonymous", "viewer", "lead", "coordinator", "admin")
SIGN_INS = {
    "viewer": "viewer@example.org",
    "lead": "lead.police@example.org",  # leads Anti-Social Behaviour and Serious Violence
    "coordinator": "coordinator@example.org",
    "admin": "admin@example.org",
}


def everyone_signed_in(status: int) -> dict[str, int]:
    return {
        "anonymous": 302,
        "viewer": status,
        "lead": status,
        "coordinator": status,
        "admin": status,
    }


def only(allowed: dict[str, int]) -> dict[str, int]:
    """Signed-in roles not named get 403; anonymous visitors are sent to sign in."""
    return {"anonymous": 302, **{role: 403 for role in SIGN_INS}, **allowed}


def public(anonymous: int, signed_in: int) -> dict[str, int]:
    return {"anonymous": anonymous, **{role: signed_in for role in SIGN_INS}}


EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("auth.login", "GET"): public(200, 302),
    ("auth.login", "POST"): public(422, 302),
    ("auth.two_factor_code", "GET"): public(302, 302),  # nobody is half-way through signing in
    ("auth.two_factor_code", "POST"): public(302, 302),
    ("auth.two_factor_enrol", "GET"): public(302, 302),
    ("auth.two_factor_enrol", "POST"): public(302, 302),
    ("auth.set_up_account", "GET"): public(200, 200),
    ("auth.set_up_account", "POST"): public(422, 422),
    ("auth.logout", "POST"): everyone_signed_in(302),
    ("auth.account", "GET"): everyone_signed_in(200),
    ("auth.change_password", "GET"): everyone_signed_in(200),
    ("auth.change_password", "POST"): everyone_signed_in(422),
    ("auth.account_two_factor", "GET"): everyone_signed_in(200),
    ("auth.account_two_factor", "POST"): everyone_signed_in(422),
    ("auth.new_recovery_codes", "POST"): everyone_signed_in(302),  # no codes to replace yet
    ("auth.two_factor_off", "POST"): everyone_signed_in(302),
    ("plans.index", "GET"): everyone_signed_in(302),  # to the default plan's overview
    ("plans.choose", "GET"): everyone_signed_in(200),
    ("plans.new", "GET"): only({"admin": 200, "coordinator": 200}),
    ("plans.new", "POST"): only({"admin": 422, "coordinator": 422}),
    # Plan structure: admins and coordinators. Empty POSTs are refused with their reason.
    ("structure.index", "GET"): only({"admin": 200, "coordinator": 200}),
    **{
        (f"structure.{endpoint}", method): only({"admin": status, "coordinator": status})
        for endpoint in (
            "new_priority",
            "edit_priority_page",
            "retire_priority_page",
            "new_theme",
            "edit_theme_page",
            "retire_theme_page",
            "new_indicator",
            "edit_indicator_page",
            "retire_indicator_page",
        )
        for method, status in (("GET", 200), ("POST", 422))
    },
    **{
        (f"structure.move_{noun}_page", "POST"): only({"admin": 400, "coordinator": 400})
        for noun in ("priority", "theme", "indicator")
    },  # no direction given
    ("periods.add_year", "POST"): only({"coordinator": 422}),
    # The annual refresh: admins and coordinators. The demo has no refresh under way, so
    # its pages other than the start answer 404 (saying so).
    ("refresh.draft", "GET"): only({"admin": 200, "coordinator": 200}),
    ("refresh.draft", "POST"): only({"admin": 422, "coordinator": 422}),
    ("refresh.actions", "GET"): only({"admin": 404, "coordinator": 404}),
    **{
        (f"refresh.{endpoint}", "POST"): only({"admin": 404, "coordinator": 404})
        for endpoint in ("publish", "discard", "accept", "decide_action")
    },
    # Importing a plan: admins and coordinators; an upload is confirmed by its uploader only.
    ("imports.upload", "GET"): only({"admin": 200, "coordinator": 200}),
    ("imports.upload", "POST"): only({"admin": 422, "coordinator": 422}),  # no file chosen
    ("imports.template", "GET"): only({"admin": 200, "coordinator": 200}),
    ("imports.confirm", "POST"): only({"admin": 404, "coordinator": 404}),  # nothing uploaded
    ("imports.cancel", "POST"): only({"admin": 404, "coordinator": 404}),
    ("structure.edit_organisation", "GET"): only({"admin": 200}),
    ("structure.edit_organisation", "POST"): only({"admin": 422}),
    ("dashboard.rollup_page", "GET"): everyone_signed_in(200),
    ("dashboard.drilldown", "GET"): everyone_signed_in(200),
    ("dashboard.trend_page", "GET"): everyone_signed_in(200),
    ("reports.performance_summary", "GET"): everyone_signed_in(200),
    ("reports.index", "GET"): everyone_signed_in(200),
    ("reports.new", "GET"): only({"coordinator": 200}),
    ("reports.new", "POST"): only({"coordinator": 422}),
    # The sample report is a draft: only coordinators may read or export it.
    ("reports.detail", "GET"): only({"coordinator": 200}),
    ("reports.print_view", "GET"): only({"coordinator": 200}),
    ("reports.download", "GET"): only({"coordinator": 200}),
    ("reports.edit", "GET"): only({"coordinator": 200}),
    ("reports.edit", "POST"): only({"coordinator": 422}),
    ("reports.autosave", "POST"): only({"coordinator": 422}),
    ("reports.publish_report", "POST"): only({"coordinator": 422}),
    ("reports.withdraw_report", "POST"): only({"coordinator": 422}),
    ("reports.new_draft", "POST"): only({"coordinator": 303}),  # from a draft: told no
    ("reports.word_template", "GET"): only({"admin": 200}),
    ("reports.word_template", "POST"): only({"admin": 422}),
    ("reports.remove_word_template", "POST"): only({"admin": 303}),
    ("priorities.page", "GET"): everyone_signed_in(200),
    # The sample priority is Domestic Abuse, which the demo lead does not lead.
    ("priorities.context", "GET"): only({"coordinator": 200}),
    ("priorities.context", "POST"): only({"coordinator": 422}),
    ("priorities.new_reading", "GET"): only({"coordinator": 200}),
    ("priorities.new_reading", "POST"): only({"coordinator": 422}),
    ("priorities.edit_reading", "GET"): only({"coordinator": 200}),
    ("priorities.edit_reading", "POST"): only({"coordinator": 422}),
    ("dashboard.rollup_json", "GET"): {**everyone_signed_in(200), "anonymous": 401},
    ("plans.overview", "GET"): everyone_signed_in(200),
    ("actions.detail", "GET"): everyone_signed_in(200),
    ("actions.my_actions", "GET"): everyone_signed_in(200),
    ("actions.my_action_counts", "GET"): everyone_signed_in(200),
    # Without htmx the update form is the action page's, which everyone may read.
    ("actions.update_form", "GET"): everyone_signed_in(302),
    ("actions.card", "GET"): only({"coordinator": 200}),
    ("actions.edit", "GET"): only({"coordinator": 200}),
    ("actions.edit", "POST"): only({"coordinator": 422}),
    ("actions.set_state", "POST"): only({"coordinator": 303}),  # no state chosen: told so
    ("actions.move", "POST"): only({"coordinator": 400}),  # no direction given
    ("actions.new_action", "GET"): only({"coordinator": 200}),
    ("actions.new_action", "POST"): only({"coordinator": 422}),
    ("periods.index", "GET"): only({"coordinator": 200}),
    ("periods.index", "POST"): only({"coordinator": 422}),
    ("periods.open_", "POST"): only({"coordinator": 303}),  # another period is open: told so
    ("periods.close", "POST"): only({"coordinator": 303}),
    ("periods.outstanding", "GET"): only({"coordinator": 200}),
    ("periods.reopen", "GET"): only({"coordinator": 200}),
    ("periods.reopen", "POST"): only({"coordinator": 422}),  # no reason given
    ("reminders.index", "GET"): only({"coordinator": 200}),
    ("plans.status_scale", "GET"): only({"coordinator": 200}),
    ("plans.save_status_scale", "POST"): only({"coordinator": 303}),  # blank: the scale's words
    ("signoff.index", "GET"): only({"coordinator": 200}),  # and a priority's sign-off person
    ("signoff.setting", "POST"): only({"coordinator": 303}),
    ("signoff.decide", "POST"): only({"coordinator": 422}),  # the demo's updates need none
    ("reminders.settings", "POST"): only({"coordinator": 422}),  # no number of days given
    ("reminders.send_now", "POST"): only({"coordinator": 303}),  # no sender set up: told so
    # The sample action is under Domestic Abuse, which the demo lead does not lead.
    ("actions.add_update", "POST"): only({"coordinator": 422}),
    ("admin.users", "GET"): only({"admin": 200}),
    ("admin.new_user", "GET"): only({"admin": 200}),
    ("admin.new_user", "POST"): only({"admin": 422}),
    ("admin.edit_user", "GET"): only({"admin": 200}),
    ("admin.edit_user", "POST"): only({"admin": 422}),
    ("admin.deactivate_user", "POST"): only({"admin": 302}),
    ("admin.reactivate_user", "POST"): only({"admin": 302}),
    ("admin.new_setup_code", "POST"): only({"admin": 200}),
    ("admin.reset_two_factor", "POST"): only({"admin": 302}),
    ("admin.organisation_list", "GET"): only({"admin": 200}),
    ("admin.organisation_list", "POST"): only({"admin": 422}),
    ("admin.audit_log", "GET"): only({"admin": 200, "coordinator": 200}),
    ("grants.index", "GET"): everyone_signed_in(200),
    ("grants.new_pot", "GET"): only({"coordinator": 200}),
    ("grants.new_pot", "POST"): only({"coordinator": 422}),
    ("grants.edit_pot", "GET"): only({"coordinator": 200}),
    ("grants.edit_pot", "POST"): only({"coordinator": 422}),
    ("grants.new_project", "GET"): only({"coordinator": 200}),
    ("grants.new_project", "POST"): only({"coordinator": 422}),
    ("grants.edit_project", "GET"): only({"coordinator": 200}),
    ("grants.edit_project", "POST"): only({"coordinator": 422}),
    # The demo draft has actions without an update: publishing asks to accept the gaps.
    ("reports.confirm_publish", "GET"): only({"coordinator": 200}),
    ("reports.confirm_publish", "POST"): only({"coordinator": 422}),
}
# Addresses from before plans were named in them redirect (keeping the method) into a plan.
EXPECTED.update(
    {
        (f"legacy.{endpoint.replace('.', '_')}", method): everyone_signed_in(307)
        for endpoint in OLD_ADDRESSES.values()
        for method in (
            ("GET", "POST") if endpoint in {"periods.index", "reports.new"} else ("GET",)
        )
    }
)
EXPECTED[("legacy.dashboard_rollup_json", "GET")]["anonymous"] = 401

# htmx requests get the same answers, except where a route serves htmx differently.
EXPECTED_HTMX = {("actions.update_form", "GET"): only({"coordinator": 200})}

# Records that do not exist are 404 for anyone allowed to look, and still sign-in for visitors.
MISSING_RECORDS = {
    "plans.overview": {"plan_id": 999_999},
    "actions.detail": {"action_id": 999_999},
    "admin.edit_user": {"user_id": 999_999},
    "actions.new_action": {"priority_id": 999_999},
    "priorities.page": {"priority_id": 999_999},
    "priorities.context": {"priority_id": 999_999},
    "priorities.new_reading": {"indicator_id": 999_999},
    "priorities.edit_reading": {"indicator_id": 999_999, "reading_id": 999_999},
    "reports.detail": {"report_id": 999_999},
    "reports.print_view": {"report_id": 999_999},
    "reports.download": {"report_id": 999_999, "fmt": "csv"},
    "structure.index": {"plan_id": 999_999},
    "structure.edit_priority_page": {"priority_id": 999_999},
    "structure.edit_theme_page": {"theme_id": 999_999},
    "structure.edit_indicator_page": {"indicator_id": 999_999},
    "structure.edit_organisation": {"organisation_id": 999_999},
}


@pytest.fixture
def demo(session, demo_plan):
    domestic_abuse = session.scalar(select(Priority).where(Priority.name == "Domestic Abuse"))
    draft = start_draft(
        session,
        period=session.scalar(select(ReportingPeriod).where(ReportingPeriod.is_open)),
        subject="Action plan update",
        author=session.scalar(select(User).where(User.email == SIGN_INS["coordinator"])),
    )
    session.commit()
    return {
        "plan_id": session.scalar(select(Plan.id)),
        "action_id": session.scalar(
            select(Action.id).where(Action.priority_id == domestic_abuse.id)
        ),
        # A demo author who cannot sign in, so the admin's POSTs about them disturb nobody.
        "user_id": session.scalar(select(User.id).where(User.email == "da.lead@example.org")),
        "priority_id": domestic_abuse.id,
        "indicator_id": (indicator_id := domestic_abuse.indicators[0].id),
        "reading_id": session.scalar(
            select(IndicatorValue.id).where(IndicatorValue.indicator_id == indicator_id).limit(1)
        ),
        "report_id": draft.id,
        "pending_id": 999_999,
        "theme_id": session.scalar(select(Theme.id).order_by(Theme.id).limit(1)),
        "organisation_id": session.scalar(select(Organisation.id).order_by(Organisation.id)),
        "fmt": "csv",
        "pot_id": session.scalar(select(GrantPot.id)),
        "project_id": session.scalar(select(GrantProject.id).order_by(GrantProject.id).limit(1)),
        "update_id": session.scalar(select(Update.id).order_by(Update.id).limit(1)),
        # A closed period: closing it again changes nothing.
        "period_id": session.scalar(
            select(ReportingPeriod.id).where(ReportingPeriod.is_open.is_(False))
        ),
    }


def client_for(app, role: str):
    """A fresh client, signed in as the role (or not), and the CSRF token of its session."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = csrf_token_from(page)
    if role != "anonymous":
        response = client.post(
            "/login", data={"email": SIGN_INS[role], "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, f"{role} could not sign in"
        token = csrf_token_from(client.get("/account").get_data(as_text=True))
    return client, token


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_expected_outcome_for_every_role(app):
    declared = {(rule.endpoint, method) for rule, method in routes(app)}
    missing = sorted(declared - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - declared)
    assert not missing, f"routes without an access expectation: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


def test_every_route_enforces_its_rule_for_every_role(app, demo):
    clients = {role: client_for(app, role) for role in ROLES}
    failures = []
    for rule, method in routes(app):
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(demo[m.group(1)]), rule.rule)
        for role in ROLES:
            client, token = clients[role]
            response = client.open(
                url, method=method, data={"csrf_token": token} if method == "POST" else None
            )
            expected = EXPECTED[(rule.endpoint, method)][role]
            if response.status_code != expected:
                failures.append(
                    f"{method} {url} as {role}: {response.status_code}, expected {expected}"
                )
            if role != "anonymous" and (rule.endpoint, method) == ("auth.logout", "POST"):
                clients[role] = client_for(app, role)  # signing out ended that session
    assert failures == []


def test_htmx_requests_get_the_same_answers(app, demo):
    """Fragment requests are checked like pages; a visitor is sent to sign in as a whole page."""
    for role in ROLES:
        client, _token = client_for(app, role)
        for rule, method in routes(app):
            if method != "GET":
                continue
            url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(demo[m.group(1)]), rule.rule)
            response = client.get(url, headers={"HX-Request": "true"})
            key = (rule.endpoint, method)
            expected = EXPECTED_HTMX.get(key, EXPECTED[key])[role]
            if (
                expected == 302
                and role == "anonymous"
                and rule.endpoint
                not in {
                    "auth.two_factor_code",
                    "auth.two_factor_enrol",
                }
            ):
                assert response.status_code == 401, url
                assert response.headers["HX-Redirect"].startswith("/login?next=")
            else:
                assert response.status_code == expected, f"{url} as {role}"


@pytest.mark.parametrize(("endpoint", "values"), MISSING_RECORDS.items())
def test_missing_records_are_not_found(app, demo, endpoint, values):
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
    admin, _ = client_for(app, "admin")
    assert admin.get(url).status_code == 404
    anonymous, _ = client_for(app, "anonymous")
    assert anonymous.get(url).status_code == 302
