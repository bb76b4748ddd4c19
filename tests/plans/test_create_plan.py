"""A partnership creates its own plan: name, description and the first version's year."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, sign_in
from tests.support.factories import TEST_PASSWORD, make_plan_version, make_user
from tests.support.pages import field_error
from tracker.models import AuditEvent, Plan, PlanVersion


@pytest.fixture
def admin(client, session):
    user = make_user(session, email="admin@example.org", role="admin", two_factor=True)
    session.commit()
    assert sign_in(client, user.email, TEST_PASSWORD, user.totp_secret).status_code == 302
    return client


def create(client, **fields):
    page = client.get("/plans/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "name": "Riverside District Community Safety Plan",
        "description": "The district's own plan, agreed by its community safety partnership.",
        "version_label": "2027/28",
        "effective_from": ["1", "4", "2027"],
        **fields,
    }
    return client.post("/plans/new", data=data)


def test_an_admin_creates_a_plan_which_opens_empty_and_is_listed(admin, session):
    response = create(admin)
    assert response.status_code == 303
    plan = session.scalar(select(Plan))
    assert response.headers["Location"] == f"/plans/{plan.id}"
    version = session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan.id))
    assert (version.label, version.version_number, version.is_current) == ("2027/28", 1, True)
    assert str(version.effective_from) == "2027-04-01"

    overview = admin.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Riverside District Community Safety Plan" in overview
    assert "The district&#39;s own plan" in overview
    assert "This plan has no priorities yet." in overview
    assert "Riverside District Community Safety Plan" in admin.get("/plans").get_data(as_text=True)
    created = session.scalars(
        select(AuditEvent).where(AuditEvent.verb == "create", AuditEvent.entity_type == "plan")
    ).all()
    assert [event.after["name"] for event in created] == [plan.name]


def test_an_empty_deployment_offers_to_create_the_first_plan(admin):
    page = admin.get("/").get_data(as_text=True)
    assert "No plan yet" in page and 'href="/plans/new"' in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the plan's name"),
        ({"name": ""}, "name", "Enter the plan's name"),
        ({"name": "x" * 201}, "name", "The name must be 200 characters or fewer"),
        ({"version_label": ""}, "version_label", "Enter the year the plan covers"),
        ({"effective_from": ["31", "2", "2027"]}, "effective_from", "Enter a real date"),
        ({"effective_from": ["", "", ""]}, "effective_from", "Enter the date the plan takes"),
        ({"description": "x" * 2001}, "description", "The description must be 2,000"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    admin, session, fields, field, message
):
    response = create(admin, **fields)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field).startswith(message)
    assert session.scalar(select(func.count()).select_from(Plan)) == 0


def test_a_name_already_taken_is_refused_whatever_its_case(admin, session):
    make_plan_version(session, plan=Plan(name="County Community Safety Agreement"))
    session.commit()
    response = create(admin, name="county community safety agreement ")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == (
        "There is already a plan called County Community Safety Agreement"
    )
    assert session.scalar(select(func.count()).select_from(Plan)) == 1


def test_a_new_plan_without_periods_says_so_instead_of_a_roll_up(admin, session):
    create(admin)
    plan_id = session.scalar(select(Plan.id))
    for page in ("rollup", "rollup/actions", "reports/performance-summary"):
        response = admin.get(f"/plans/{plan_id}/{page}")
        assert response.status_code == 200, page
        assert "This plan has no reporting periods yet" in response.get_data(as_text=True)
    assert admin.get(f"/plans/{plan_id}/rollup?period=1").status_code == 404
