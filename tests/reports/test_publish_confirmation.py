"""Publishing asks first (issue 16, point 4): a confirmation page lists what the paper would
go with missing or stale (actions without an update, priorities without context, indicators
without a value for the period, a grant update with no grant), and the paper is published
with gaps only when the coordinator says so, which the audit log records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tests.conftest import client_signed_in_as, csrf_token_from, form_value
from tests.reports.conftest import fill_for_the_board
from tests.support.factories import make_action, make_period
from tests.support.pages import field_error
from tracker.models import AuditEvent, Indicator, IndicatorValue, Priority, Report
from tracker.reports.services import start_draft


def draft_of(session, district, *, sections, appendices):
    period, coordinator = district
    report = start_draft(session, period=period, subject="Working group update", author=coordinator)
    fill_for_the_board(report)
    report.sections = sections
    report.appendices = appendices
    session.commit()
    return report


def confirm(client, report, **fields):
    page = client.get(f"/reports/{report.id}/publish/confirm").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "version": form_value(page, "version")}
    data.update(fields)
    return page, client.post(f"/reports/{report.id}/publish/confirm", data=data)


def test_the_gaps_in_the_paper_are_listed_and_must_be_accepted(app, session, district):
    period, coordinator = district
    town = session.scalar(select(Priority).where(Priority.name == "Town centre safety"))
    make_action(session, priority=town, title="CCTV review")  # no update this period
    earlier = make_period(
        session,
        plan_version=period.plan_version,
        name="Q1 2026/27",
        start_date=date(2026, 4, 1),
        end_date=date(2026, 6, 30),
    )
    indicator = Indicator(priority=town, name="Night-time violence", polarity="lower_is_better")
    session.add(indicator)
    session.add(IndicatorValue(indicator=indicator, period=earlier, value=Decimal("41")))
    report = draft_of(
        session,
        district,
        sections=[{"heading": "Progress", "body": "", "block": "rag_summary"}],
        appendices=[{"title": "Action plan", "intro": "", "block": "action_plan"}],
    )
    client = client_signed_in_as(app, coordinator.email)

    page, response = confirm(client, report)
    assert "Publish the report?" in page
    assert "Actions without an update for Q2 2026/27 (1)" in page
    assert "CCTV review (Town centre safety)" in page
    assert "Priorities without context for Q2 2026/27 (2)" in page
    assert "“No context was written for Q2 2026/27.”" in page
    assert "Night-time violence (Town centre safety): latest value is for Q1 2026/27" in page

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "accept_gaps") == (
        "Tick to publish with the gaps listed, or go back and fill them first"
    )
    session.expire_all()
    assert session.get(Report, report.id).status == "draft"

    _page, response = confirm(client, report, accept_gaps="y")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Report, report.id).status == "published"
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.verb == "report_published_with_gaps")
    )
    assert event.entity_id == report.id
    assert event.summary == (
        "Published with: Actions without an update for Q2 2026/27 (1); Priorities without "
        "context for Q2 2026/27 (2); Indicators without a value for Q2 2026/27 (1)"
    )


def test_a_paper_without_generated_content_has_nothing_missing(app, session, district):
    _period, coordinator = district
    report = draft_of(
        session,
        district,
        sections=[{"heading": "Background", "body": "Text.", "block": ""}],
        appendices=[],
    )
    client = client_signed_in_as(app, coordinator.email)
    page, response = confirm(client, report)
    assert "Nothing is missing" in page and "accept_gaps" not in page
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Report, report.id).status == "published"


def test_a_grant_update_placed_with_no_grant_is_listed(app, session, district):
    _period, coordinator = district
    report = draft_of(
        session,
        district,
        sections=[{"heading": "Grant update", "body": "", "block": "grant_update"}],
        appendices=[],
    )
    client = client_signed_in_as(app, coordinator.email)
    page = client.get(f"/reports/{report.id}/publish/confirm").get_data(as_text=True)
    assert "No grant is recorded for 2026/27 (1)" in page
    assert "The grant update is left out of the paper until one is added under Grants." in page


def test_a_draft_changed_after_the_confirmation_loaded_is_not_published(app, session, district):
    _period, coordinator = district
    report = draft_of(
        session,
        district,
        sections=[{"heading": "Background", "body": "Text.", "block": ""}],
        appendices=[],
    )
    client = client_signed_in_as(app, coordinator.email)
    page = client.get(f"/reports/{report.id}/publish/confirm").get_data(as_text=True)
    report.summary = "Changed by someone else meanwhile."
    session.commit()
    response = client.post(
        f"/reports/{report.id}/publish/confirm",
        data={"csrf_token": csrf_token_from(page), "version": form_value(page, "version")},
    )
    assert response.status_code == 409
    assert "The draft changed since this page was loaded" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Report, report.id).status == "draft"
