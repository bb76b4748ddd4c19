"""Locked periods: once a coordinator closes a period, it takes no updates, context or
indicator values, refused on the server with a message that says who can reopen it; a
coordinator reopens it with a reason, which the audit trail keeps."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.conftest import client_signed_in_as, csrf_token_from, form_value
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_user,
)
from tests.support.paths import plan_path
from tracker.models import (
    AuditEvent,
    Indicator,
    IndicatorValue,
    PriorityNarrative,
    ReportingPeriod,
    Update,
)

HX = {"HX-Request": "true"}


@pytest.fixture
def plan(session):
    version = make_plan_version(session, label="2027/28", effective_from=date(2027, 4, 1))
    lead = make_user(session, role="lead", name="Lee Lead")
    coordinator = make_user(session, role="coordinator", name="Cora Ordinator", two_factor=True)
    parks = make_priority(session, plan_version=version, name="Safer Parks")
    parks.leads.append(lead)
    spring = make_period(
        session,
        plan_version=version,
        name="Spring 2027",
        start_date=date(2027, 4, 1),
        end_date=date(2027, 6, 30),
        is_open=True,
    )
    summer = make_period(
        session,
        plan_version=version,
        name="Summer 2027",
        start_date=date(2027, 7, 1),
        end_date=date(2027, 9, 30),
    )
    lights = make_action(session, priority=parks, title="Better lighting on paths")
    indicator = Indicator(
        priority=parks, name="Reports of antisocial behaviour", polarity="lower_is_better"
    )
    session.add(indicator)
    session.commit()
    return {
        "version": version,
        "lead": lead,
        "coordinator": coordinator,
        "parks": parks,
        "spring": spring,
        "summer": summer,
        "lights": lights,
        "indicator": indicator,
    }


def post_with_token(client, page_url, url, data, headers=None):
    page = client.get(page_url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(page), **data}, headers=headers)


def close(coordinator, plan, period):
    return post_with_token(
        coordinator,
        plan_path(plan["version"], "periods"),
        f"/periods/{period.id}/close",
        {},
    )


def test_an_update_begun_before_the_period_closed_is_refused_with_who_can_reopen(
    app, session, plan
):
    lead = client_signed_in_as(app, plan["lead"].email)
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    action = plan["lights"]
    form = lead.get(f"/actions/{action.id}").get_data(as_text=True)
    assert form_value(form, "period") == str(plan["spring"].id)

    assert close(coordinator, plan, plan["spring"]).status_code == 303
    response = lead.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(form),
            "version": form_value(form, "version"),
            "period": form_value(form, "period"),
            "rag": "green",
            "progress_text": "Six new lamps are in on the riverside path.",
        },
        headers=HX,
    )

    assert response.status_code == 422
    text = unescape(response.get_data(as_text=True))
    assert "Spring 2027 was closed on" in text
    assert "by Cora Ordinator, so it takes no more updates" in text
    assert "Only a coordinator (Cora Ordinator) can reopen it" in text
    session.expire_all()
    assert session.scalar(select(func.count(Update.id))) == 0


def test_after_a_close_and_the_next_period_opening_the_lead_is_told_where_it_would_count(
    app, session, plan
):
    lead = client_signed_in_as(app, plan["lead"].email)
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    action = plan["lights"]
    form = lead.get(f"/actions/{action.id}").get_data(as_text=True)
    close(coordinator, plan, plan["spring"])
    post_with_token(
        coordinator,
        plan_path(plan["version"], "periods"),
        f"/periods/{plan['summer'].id}/open",
        {},
    )
    fields = {
        "csrf_token": csrf_token_from(form),
        "version": form_value(form, "version"),
        "period": form_value(form, "period"),
        "rag": "amber",
        "progress_text": "Lamps ordered, fitting delayed by the supplier.",
    }

    refused = lead.post(f"/actions/{action.id}/updates", data=fields)
    assert refused.status_code == 422
    page = unescape(refused.get_data(as_text=True))
    assert "Save again to count this update towards Summer 2027 instead." in page
    # The page now offers the open period, so saving again lands there, on purpose.
    fields["period"] = form_value(page, "period")
    assert fields["period"] == str(plan["summer"].id)
    assert lead.post(f"/actions/{action.id}/updates", data=fields).status_code == 303
    session.expire_all()
    saved = session.scalars(select(Update)).one()
    assert saved.period_id == plan["summer"].id


def test_context_and_indicator_values_of_a_closed_period_are_refused(app, session, plan):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    lead = client_signed_in_as(app, plan["lead"].email)
    parks, spring, indicator = plan["parks"], plan["spring"], plan["indicator"]
    context_url = f"/priorities/{parks.id}/context?period={spring.id}"
    context_form = lead.get(context_url).get_data(as_text=True)
    reading_url = f"/indicators/{indicator.id}/readings/new?period={spring.id}"
    reading_form = lead.get(reading_url).get_data(as_text=True)
    close(coordinator, plan, spring)

    context = lead.post(
        context_url,
        data={
            "csrf_token": csrf_token_from(context_form),
            "body": "Fewer reports near the play areas since the lamps went in.",
            "sources": "",
        },
    )
    assert context.status_code == 422
    assert "so it takes no more context" in unescape(context.get_data(as_text=True))
    # Opened afresh, the context page says so instead of offering a form that cannot save.
    page = unescape(lead.get(context_url).get_data(as_text=True))
    assert "Spring 2027 was closed on" in page and 'name="body"' not in page

    reading = lead.post(
        reading_url,
        data={
            "csrf_token": csrf_token_from(reading_form),
            "period": str(spring.id),
            "value": "41",
            "comparison_value": "",
            "comparison_label": "",
            "note": "",
        },
    )
    assert reading.status_code == 422
    assert "so it takes no more indicator values" in unescape(reading.get_data(as_text=True))
    assert "Spring 2027 (closed)" in lead.get(reading_url).get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count(PriorityNarrative.id))) == 0
    assert session.scalar(select(func.count(IndicatorValue.id))) == 0


def test_a_period_not_yet_opened_is_not_locked(app, session, plan):
    """Closed means closed after being open; next quarter's context can be drafted early."""
    lead = client_signed_in_as(app, plan["lead"].email)
    summer = plan["summer"]
    url = f"/priorities/{plan['parks'].id}/context?period={summer.id}"
    page = lead.get(url).get_data(as_text=True)
    response = lead.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "body": "Summer events planned with the parks team.",
            "sources": "",
        },
    )
    assert response.status_code == 303


def test_a_coordinator_reopens_a_closed_period_with_a_reason_kept_in_the_audit_trail(
    app, session, plan
):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    spring = plan["spring"]
    close(coordinator, plan, spring)
    periods_page = coordinator.get(plan_path(plan["version"], "periods")).get_data(as_text=True)
    assert f'href="/periods/{spring.id}/reopen"' in periods_page
    assert "by Cora Ordinator" in periods_page

    # Opening it without a reason is not possible: the plain Open is refused for it.
    plain = post_with_token(
        coordinator, plan_path(plan["version"], "periods"), f"/periods/{spring.id}/open", {}
    )
    assert plain.status_code == 303
    session.expire_all()
    assert not session.get(ReportingPeriod, spring.id).is_open

    reopen_url = f"/periods/{spring.id}/reopen"
    too_short = post_with_token(coordinator, reopen_url, reopen_url, {"reason": "late"})
    assert too_short.status_code == 422
    assert "Say why the period is being reopened, in at least 10 characters" in unescape(
        too_short.get_data(as_text=True)
    )
    reason = "The fire service's update arrived after the close; the board asked for it."
    assert (
        post_with_token(coordinator, reopen_url, reopen_url, {"reason": reason}).status_code == 303
    )

    session.expire_all()
    reopened = session.get(ReportingPeriod, spring.id)
    assert reopened.is_open and not reopened.is_locked
    event = session.scalars(select(AuditEvent).where(AuditEvent.verb == "period_reopened")).one()
    assert event.actor_id == plan["coordinator"].id
    assert event.entity_id == spring.id
    assert reason in event.summary
    assert reason in unescape(coordinator.get("/admin/audit").get_data(as_text=True))


def test_reopening_waits_for_the_open_period_to_close(app, session, plan):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    close(coordinator, plan, plan["spring"])
    post_with_token(
        coordinator,
        plan_path(plan["version"], "periods"),
        f"/periods/{plan['summer'].id}/open",
        {},
    )
    url = f"/periods/{plan['spring'].id}/reopen"
    response = post_with_token(
        coordinator, url, url, {"reason": "A correction the board asked for."}
    )
    assert response.status_code == 422
    assert "Close Summer 2027 before reopening Spring 2027" in unescape(
        response.get_data(as_text=True)
    )


def test_leads_cannot_reopen_a_period(app, session, plan):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    close(coordinator, plan, plan["spring"])
    lead = client_signed_in_as(app, plan["lead"].email)
    url = f"/periods/{plan['spring'].id}/reopen"
    assert lead.get(url).status_code == 403
    response = post_with_token(lead, "/account", url, {"reason": "I would like to add a note."})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(ReportingPeriod, plan["spring"].id).is_locked
