"""Keeping a plan's structure right by hand: priorities, themes, indicators, organisations.

Plans are built here by the factories, as a partnership that set its plan up itself would
have it, not from the demo.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import client_signed_in_as, csrf_token_from, form_value
from tests.support.factories import (
    make_action,
    make_organisation,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tests.support.pages import field_error
from tests.support.paths import plan_path
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Indicator, IndicatorValue, Priority, Theme, Update


@pytest.fixture
def plan(session):
    version = make_plan_version(session)
    lead = make_user(session, role="lead", name="Lee Lead")
    road = make_priority(session, plan_version=version, name="Road Safety", position=1)
    asb = make_priority(session, plan_version=version, name="Anti-Social Behaviour", position=2)
    early = make_theme(session, plan_version=version, name="Early intervention")
    victims = make_theme(session, plan_version=version, name="Support victims")
    period = make_period(session, plan_version=version, is_open=True)
    patrols = make_action(session, priority=road, title="Speed patrols", themes=[early])
    schools = make_action(session, priority=road, title="School talks", themes=[early])
    make_update(session, action=patrols, author=lead, rag="amber", period=period)
    done = make_action(session, priority=road, title="Finished survey", state="completed")
    session.commit()
    return {
        "version": version,
        "lead": lead,
        "road": road,
        "asb": asb,
        "early": early,
        "victims": victims,
        "period": period,
        "patrols": patrols,
        "schools": schools,
        "done": done,
    }


def signed_in(app, role):
    """A client signed in as a new user with that role."""
    with app.app_context():
        user = make_user(db.session, role=role, two_factor=role in ("admin", "coordinator"))
        db.session.commit()
        email = user.email
    return client_signed_in_as(app, email)


@pytest.fixture
def coordinator(app, plan):
    return signed_in(app, "coordinator")


def submit(client, url, **fields):
    """Post the form at url as a browser would: its CSRF token and loaded version included.
    After a save, the page it leads to is read too, as a browser would (showing the notice)."""
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page)}
    if 'name="version"' in page:
        data["version"] = form_value(page, "version")
    response = client.post(url, data={**data, **fields})
    if response.status_code == 303:
        client.get(response.headers["Location"])
    return response


def names_in_order(html: str, ids: dict[str, int]) -> list[str]:
    found = [(html.find(f'id="priorities-{pid}"'), name) for name, pid in ids.items()]
    return [name for position, name in sorted(found) if position >= 0]


def test_a_coordinator_adds_a_priority_with_leads_and_it_joins_the_plan(coordinator, session, plan):
    response = submit(
        coordinator,
        plan_path(plan["version"], "structure/priorities/new"),
        name="  Serious   Violence ",
        description="Reduce knife crime and violence in public places.",
        includes="Knife crime, county lines",
        lead_role="Detective Superintendent, County Police",
        leads=[str(plan["lead"].id)],
    )
    assert response.status_code == 303
    added = session.scalar(select(Priority).where(Priority.name == "Serious Violence"))
    assert added.position == 3 and [lead.name for lead in added.leads] == ["Lee Lead"]
    overview = coordinator.get(plan_path(plan["version"])).get_data(as_text=True)
    assert names_in_order(
        overview,
        {"Road Safety": plan["road"].id, "ASB": plan["asb"].id, "SV": added.id},
    ) == ["Road Safety", "ASB", "SV"]
    rollup = coordinator.get(plan_path(plan["version"], "rollup")).get_data(as_text=True)
    assert "Serious Violence" in rollup
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "priority", AuditEvent.entity_id == added.id)
        .where(AuditEvent.verb == "create")
    )
    assert event.after["name"] == "Serious Violence"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter the priority's name"),
        ({"name": "road safety"}, "name", "There is already a priority called Road Safety"),
        ({"name": "x" * 201}, "name", "The name must be 200 characters or fewer"),
        ({"name": "Hate", "description": "x" * 5001}, "description", "The description must be"),
    ],
)
def test_bad_priorities_are_refused_next_to_the_field(
    coordinator, session, plan, fields, field, message
):
    before = session.scalar(select(func.count()).select_from(Priority))
    response = submit(coordinator, plan_path(plan["version"], "structure/priorities/new"), **fields)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field).startswith(message)
    assert session.scalar(select(func.count()).select_from(Priority)) == before


def test_a_lead_must_be_an_active_user_with_the_lead_role(coordinator, session, plan):
    gone = make_user(session, role="lead", name="Gone Person", active=False)
    viewer = make_user(session, role="viewer", name="Vic Viewer")
    session.commit()
    url = plan_path(plan["version"], "structure/priorities/new")
    for person in (gone, viewer):
        response = submit(coordinator, url, name="Hate Crime", leads=[str(person.id)])
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "leads") == (
            f"{person.name} cannot lead a priority: choose an active user with the lead role"
        )
    assert session.scalar(select(Priority).where(Priority.name == "Hate Crime")) is None


def test_two_people_renaming_from_the_same_page_the_second_is_told(app, coordinator, session, plan):
    other = signed_in(app, "admin")
    url = f"/priorities/{plan['road'].id}/edit"
    mine = coordinator.get(url).get_data(as_text=True)
    theirs = other.get(url).get_data(as_text=True)
    first = other.post(
        url,
        data={
            "csrf_token": csrf_token_from(theirs),
            "version": form_value(theirs, "version"),
            "name": "Roads Policing",
        },
    )
    assert first.status_code == 303
    second = coordinator.post(
        url,
        data={
            "csrf_token": csrf_token_from(mine),
            "version": form_value(mine, "version"),
            "name": "Safer Roads",
        },
    )
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Someone else changed this priority" in html and "Roads Policing" in html
    assert 'value="Safer Roads"' in html, "what the second person typed is kept"
    session.expire_all()
    assert session.get(Priority, plan["road"].id).name == "Roads Policing"
    again = coordinator.post(
        url,
        data={
            "csrf_token": csrf_token_from(html),
            "version": form_value(html, "version"),
            "name": "Safer Roads",
        },
    )
    assert again.status_code == 303


def test_moving_a_priority_down_changes_the_plans_order(coordinator, session, plan):
    page = coordinator.get(plan_path(plan["version"], "structure")).get_data(as_text=True)
    response = coordinator.post(
        f"/priorities/{plan['road'].id}/move",
        data={"csrf_token": csrf_token_from(page), "direction": "down"},
    )
    assert response.status_code == 303
    overview = coordinator.get(plan_path(plan["version"])).get_data(as_text=True)
    assert names_in_order(overview, {"road": plan["road"].id, "asb": plan["asb"].id}) == [
        "asb",
        "road",
    ]


def test_retiring_a_priority_with_actions_asks_what_happens_to_them(coordinator, session, plan):
    url = f"/priorities/{plan['road'].id}/retire"
    page = coordinator.get(url).get_data(as_text=True)
    assert "Speed patrols" in page and "School talks" in page
    refused = submit(coordinator, url)
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "what_happens") == (
        "Choose what happens to the 2 active actions"
    )
    no_target = submit(coordinator, url, what_happens="move", move_to="")
    assert field_error(no_target.get_data(as_text=True), "move_to") == (
        "Choose the priority the actions move to"
    )
    session.expire_all()
    assert session.get(Priority, plan["road"].id).retired_at is None

    moved = submit(coordinator, url, what_happens="move", move_to=str(plan["asb"].id))
    assert moved.status_code == 303
    session.expire_all()
    road = session.get(Priority, plan["road"].id)
    assert road.retired_at is not None
    assert {a.priority_id for a in (session.get(Action, plan["patrols"].id),)} == {plan["asb"].id}
    assert session.get(Action, plan["done"].id).priority_id == road.id, "finished work stays"
    assert session.scalar(select(func.count()).select_from(Update)) == 1, "history is kept"

    overview = coordinator.get(plan_path(plan["version"])).get_data(as_text=True)
    rollup = coordinator.get(plan_path(plan["version"], "rollup")).get_data(as_text=True)
    assert f'id="priorities-{road.id}"' not in overview and "Road Safety" not in rollup
    assert "Speed patrols" in overview, "the moved actions are under their new priority"
    page = coordinator.get(f"/priorities/{road.id}").get_data(as_text=True)
    assert "Retired" in page and "left the plan on" in page


def test_retiring_a_priority_can_close_its_actions_as_business_as_usual(coordinator, session, plan):
    response = submit(coordinator, f"/priorities/{plan['road'].id}/retire", what_happens="close")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Action, plan["schools"].id).state == "closed"
    timeline = coordinator.get(f"/actions/{plan['schools'].id}").get_data(as_text=True)
    assert "Closed as business as usual" in timeline


def test_retiring_a_theme_can_tag_its_actions_with_another(coordinator, session, plan):
    url = f"/themes/{plan['early'].id}/retire"
    refused = submit(coordinator, url)
    assert field_error(refused.get_data(as_text=True), "what_happens") == (
        "Choose what happens to the 2 active actions"
    )
    assert (
        submit(
            coordinator, url, what_happens="replace", replace_with=str(plan["victims"].id)
        ).status_code
        == 303
    )
    session.expire_all()
    assert [t.name for t in session.get(Action, plan["patrols"].id).themes] == ["Support victims"]
    rollup = coordinator.get(plan_path(plan["version"], "rollup")).get_data(as_text=True)
    assert "Early intervention" not in rollup and "Support victims" in rollup
    assert session.get(Theme, plan["early"].id).retired_at is not None


def test_themes_are_added_and_renamed_with_the_same_rules(coordinator, session, plan):
    url = plan_path(plan["version"], "structure/themes/new")
    duplicate = submit(coordinator, url, name="EARLY INTERVENTION")
    assert field_error(duplicate.get_data(as_text=True), "name") == (
        "There is already a theme called Early intervention"
    )
    assert submit(coordinator, url, name="Mental health").status_code == 303
    renamed = submit(coordinator, f"/themes/{plan['victims'].id}/edit", name="Reduce re-offending")
    assert renamed.status_code == 303
    overview = coordinator.get(plan_path(plan["version"], "?group=themes")).get_data(as_text=True)
    assert "Mental health" in overview and "Reduce re-offending" in overview


def test_an_indicator_needs_a_polarity_and_its_readings_outlive_retirement(
    coordinator, session, plan
):
    url = plan_path(plan["version"], "structure/indicators/new")
    fields = {"name": "People killed or seriously injured", "priority": str(plan["road"].id)}
    no_polarity = submit(coordinator, url, **fields)
    assert no_polarity.status_code == 422
    assert field_error(no_polarity.get_data(as_text=True), "polarity") == (
        "Choose whether a rise or a fall is better"
    )
    no_priority = submit(coordinator, url, name="KSI", polarity="lower_is_better")
    assert field_error(no_priority.get_data(as_text=True), "priority") == (
        "Choose the priority the indicator belongs to"
    )
    assert (
        submit(coordinator, url, polarity="lower_is_better", unit="people", **fields).status_code
        == 303
    )
    indicator = session.scalar(select(Indicator))
    session.add(IndicatorValue(indicator=indicator, period=plan["period"], value=41))
    session.commit()
    page = coordinator.get(f"/priorities/{plan['road'].id}").get_data(as_text=True)
    assert "People killed or seriously injured" in page

    assert submit(coordinator, f"/indicators/{indicator.id}/retire").status_code == 303
    page = coordinator.get(f"/priorities/{plan['road'].id}").get_data(as_text=True)
    assert "People killed or seriously injured" not in page
    assert session.scalar(select(func.count()).select_from(IndicatorValue)) == 1


def test_an_admin_renames_an_organisation_everywhere(app, session, plan):
    council = make_organisation(session, name="Riverside Borough Council")
    make_organisation(session, name="County Fire Service")
    session.commit()
    admin = signed_in(app, "admin")
    url = f"/admin/organisations/{council.id}"
    taken = submit(admin, url, name="county fire service")
    assert field_error(taken.get_data(as_text=True), "name") == (
        "There is already an organisation called County Fire Service"
    )
    assert (
        submit(admin, url, name="Riverside District Council", short_name="RDC").status_code == 303
    )
    session.expire_all()
    assert session.get(type(council), council.id).name == "Riverside District Council"
    assert "Riverside District Council" in admin.get("/admin/organisations").get_data(as_text=True)


def test_the_structure_page_lists_everything_in_order_with_counts(coordinator, plan):
    html = coordinator.get(plan_path(plan["version"], "structure")).get_data(as_text=True)
    assert html.index("Road Safety") < html.index("Anti-Social Behaviour")
    road_row = html[html.index(f'id="priority-{plan["road"].id}"') :][:1500]
    assert re.search(r'data-label="Active actions">2<', road_row), "two active, one finished"
    assert "Early intervention" in html and "Support victims" in html
