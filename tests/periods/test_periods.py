"""Reporting periods, one open at a time, and the outstanding-updates chase list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from, form_value, sign_in
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tests.support.paths import only_plan_path
from tracker.auth.permissions import editable_action_ids
from tracker.models import Action, Priority, ReportingPeriod, Update
from tracker.periods.services import outstanding_updates
from tracker.plans.demo_content import DEMO_PASSWORD


@pytest.fixture
def coordinator(client, session, demo_plan):
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    return client


def add_period(client, session, name, start, end, due=("", "", "")):
    page = client.get(only_plan_path(session, "periods")).get_data(as_text=True)
    return client.post(
        only_plan_path(session, "periods"),
        data={
            "csrf_token": csrf_token_from(page),
            "name": name,
            "start_date": list(start),
            "end_date": list(end),
            "due_date": list(due),
        },
    )


def period(session, name):
    return session.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))


def press(client, url):
    page = client.get("/account").get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(page)})


def test_add_a_period(coordinator, session):
    response = add_period(
        coordinator,
        session,
        "Dec 2026–Jan 2027",
        ("1", "12", "2026"),
        ("31", "1", "2027"),
        ("5", "2", "2027"),
    )
    assert response.status_code == 303
    added = period(session, "Dec 2026–Jan 2027")
    assert not added.is_open and str(added.due_date) == "2027-02-05"


@pytest.mark.parametrize(
    ("name", "start", "end", "message"),
    [
        ("", ("1", "12", "2026"), ("31", "1", "2027"), "Enter a name"),
        (
            "Backwards",
            ("1", "2", "2027"),
            ("1", "1", "2027"),
            "end date must be the same as or after",
        ),
        (
            "Overlapping",
            ("15", "11", "2026"),
            ("31", "12", "2026"),
            "These dates overlap Oct–Nov 2026",
        ),
        ("Oct–Nov 2026", ("1", "12", "2027"), ("31", "12", "2027"), "already a period called"),
        ("No start", ("", "", ""), ("31", "12", "2027"), "Enter the start date"),
    ],
)
def test_bad_periods_are_refused(coordinator, session, name, start, end, message):
    count = len(session.scalars(select(ReportingPeriod)).all())
    response = add_period(coordinator, session, name, start, end)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(session.scalars(select(ReportingPeriod)).all()) == count


def test_only_one_period_open_at_a_time(coordinator, session):
    add_period(coordinator, session, "Dec 2026–Jan 2027", ("1", "12", "2026"), ("31", "1", "2027"))
    new = period(session, "Dec 2026–Jan 2027")
    refused = press(coordinator, f"/periods/{new.id}/open")
    assert "Close Oct–Nov 2026 before opening Dec 2026–Jan 2027" in coordinator.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    session.refresh(new)
    assert not new.is_open
    press(coordinator, f"/periods/{period(session, 'Oct–Nov 2026').id}/close")
    press(coordinator, f"/periods/{new.id}/open")
    session.expire_all()
    assert (
        period(session, "Dec 2026–Jan 2027").is_open and not period(session, "Oct–Nov 2026").is_open
    )


def test_outstanding_updates_grouped_by_lead_and_cleared_by_an_update(coordinator, session):
    html = coordinator.get(only_plan_path(session, "periods/outstanding")).get_data(as_text=True)
    open_period = period(session, "Oct–Nov 2026")
    active = session.scalars(select(Action).where(Action.state == "active")).all()
    updated = set(
        session.scalars(select(Update.action_id).where(Update.period_id == open_period.id))
    )
    missing = [a for a in active if a.id not in updated]
    assert (
        f"{len(missing)} active actions without an update for <strong>Oct–Nov 2026</strong>" in html
    )
    assert "Jordan Reid" in html and "Priya Shah" in html
    assert "Chase list as plain text" in html
    target = next(a for a in missing if a.priority.name == "Anti-Social Behaviour")
    assert target.title in html
    page = coordinator.get(f"/actions/{target.id}").get_data(as_text=True)
    coordinator.post(
        f"/actions/{target.id}/updates",
        data={
            "csrf_token": csrf_token_from(page),
            "version": form_value(page, "version"),
            "rag": "amber",
            "progress_text": "Legal review now booked for December.",
        },
    )
    after = coordinator.get(only_plan_path(session, "periods/outstanding")).get_data(as_text=True)
    assert target.title not in after
    assert f"{len(missing) - 1} active actions without an update" in after


def test_update_written_with_no_open_period_has_none(coordinator, session):
    press(coordinator, f"/periods/{period(session, 'Oct–Nov 2026').id}/close")
    action = session.scalar(
        select(Action)
        .join(Priority)
        .where(Priority.name == "Road Safety", Action.state == "active")
    )
    page = coordinator.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "No reporting period is open" in page
    coordinator.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(page),
            "version": form_value(page, "version"),
            "rag": "green",
            "progress_text": "Between periods, still on track.",
        },
    )
    latest = session.scalar(
        select(Update).where(Update.action_id == action.id).order_by(Update.id.desc())
    )
    assert latest.period_id is None
    assert "No reporting period is open, so no updates are due" in coordinator.get(
        only_plan_path(session, "periods/outstanding")
    ).get_data(as_text=True)


def test_the_chase_list_names_everyone_who_finds_the_action_under_your_actions(session):
    version = make_plan_version(session)
    open_period = make_period(session, plan_version=version, is_open=True)
    lead, helper, other_lead = (make_user(session, role="lead") for _ in range(3))
    led = make_priority(session, plan_version=version, leads=[lead])
    unled = make_priority(session, plan_version=version)
    other = make_priority(session, plan_version=version, leads=[other_lead])
    shared = make_action(session, priority=led, responsible_users=[helper])
    lead_only = make_action(session, priority=led)
    helper_only = make_action(session, priority=unled, responsible_users=[helper])
    nobody = make_action(session, priority=unled)
    updated = make_action(session, priority=other)
    make_update(session, action=updated, period=open_period)
    session.commit()

    chased = {
        group.lead: {action.id for action in group.actions}
        for group in outstanding_updates(session, version, open_period)
    }
    assert chased == {
        lead.name: {shared.id, lead_only.id},
        helper.name: {shared.id, helper_only.id},
        "No lead assigned": {nobody.id},
    }
    for person in (lead, helper, other_lead):
        yours = editable_action_ids(session, person, version.id) - {updated.id}
        assert chased.get(person.name, set()) == yours, person.name
