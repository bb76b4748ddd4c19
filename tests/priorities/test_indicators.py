"""Indicator readings: recording them, bad input, corrections, and direction of travel."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, form_value, sign_in
from tests.support.factories import make_period
from tracker.models import AuditEvent, Indicator, IndicatorValue, Priority, ReportingPeriod
from tracker.plans.demo_content import DEMO_PASSWORD
from tracker.priorities.services import direction_of_travel


@pytest.mark.parametrize(
    ("value", "comparison", "polarity", "words"),
    [
        ("109", "100", "lower_is_better", "up 9% — worse"),
        ("109", "100", "higher_is_better", "up 9% — better"),
        ("5420", "5515", "lower_is_better", "down 2% — better"),
        ("4512", "4102", "higher_is_better", "up 10% — better"),
        ("80", "100", "higher_is_better", "down 20% — worse"),
        ("1004", "1000", "lower_is_better", "up 0.4% — worse"),  # not rounded away to 0%
        ("12", "0", "lower_is_better", "up 12 — worse"),  # no per cent of nothing
        ("100", "100", "lower_is_better", "no change"),
    ],
)
def test_direction_of_travel_in_words_uses_the_indicators_polarity(
    value, comparison, polarity, words
):
    assert direction_of_travel(Decimal(value), Decimal(comparison), polarity).words == words


def test_a_reading_without_a_comparison_has_no_direction():
    travel = direction_of_travel(Decimal("12"), None, "lower_is_better")
    assert travel.words == "no comparison value" and travel.arrow == ""


def demo_indicator(session, name="Domestic abuse-related crimes recorded by police"):
    return session.scalar(select(Indicator).where(Indicator.name == name))


def period_named(session, name):
    return session.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))


def readings(session, indicator):
    return session.scalar(select(func.count()).where(IndicatorValue.indicator_id == indicator.id))


@pytest.fixture
def coordinator(client, session, demo_plan):
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    return client


def post_reading(client, url, **fields):
    page = client.get(url).get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "version": form_value(page, "version"),
        "comparison_label": "same period last year",
        "note": "",
        **fields,
    }
    return client.post(url, data=data)


def field_error(html: str, field: str) -> str:
    """The message shown next to a field (GOV.UK error message markup)."""
    match = re.search(rf'id="{field}-error"[^>]*>\s*<span[^>]*>Error:</span>\s*([^<]+)', html)
    return match.group(1).strip() if match else ""


def test_a_new_reading_shows_as_the_latest_value_with_its_direction(coordinator, session):
    indicator = demo_indicator(session)
    # The demo has values for every period, so make room in the newest one first.
    latest = period_named(session, "Oct–Nov 2026")
    session.delete(
        session.scalar(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == indicator.id, IndicatorValue.period_id == latest.id
            )
        )
    )
    session.commit()

    response = post_reading(
        coordinator,
        f"/indicators/{indicator.id}/readings/new?period={latest.id}",
        period=str(latest.id),
        value="6,011",
        comparison_value="5515",
    )
    assert response.status_code == 303
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    section = page.split(f'id="indicator-{indicator.id}"')[1].split("</section>")[0]
    assert "6,011 crimes" in section
    assert "+496 (9%)" in section
    assert "Up 9% — worse" in section  # crimes going up is bad news
    saved = session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.period_id == latest.id
        )
    )
    assert saved.value == Decimal("6011") and saved.recorded_by.email == "coordinator@example.org"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"value": "lots"}, "value", "The value must be a number, like 5310 or 12.5"),
        ({"value": ""}, "value", "Enter the value"),
        ({"value": "NaN"}, "value", "The value must be a number, like 5310 or 12.5"),
        ({"value": "12.345"}, "value", "The value can have at most 2 decimal places"),
        (
            {"value": "12", "comparison_value": "ten"},
            "comparison_value",
            "The comparison value must be a number, like 5310 or 12.5",
        ),
        (
            {"value": "12", "comparison_value": "10", "comparison_label": ""},
            "comparison_label",
            "Say what the comparison value is, for example “same period last year”",
        ),
        (
            {"value": "12", "comparison_value": "10", "note": "x" * 2001},
            "note",
            "The note must be 2,000 characters or fewer",
        ),
    ],
)
def test_bad_numbers_are_refused_next_to_the_field_and_nothing_is_saved(
    coordinator, session, fields, field, message
):
    indicator = demo_indicator(session)
    before = readings(session, indicator)
    new_period = make_period(
        session,
        plan_version=indicator.priority.plan_version,
        name="Dec 2026–Jan 2027",
        start_date=date(2026, 12, 1),
        end_date=date(2027, 1, 31),
    )
    session.commit()
    response = post_reading(
        coordinator,
        f"/indicators/{indicator.id}/readings/new",
        period=str(new_period.id),
        **fields,
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field) == message
    assert readings(session, indicator) == before


def test_a_period_outside_the_plan_version_is_refused(coordinator, session):
    indicator = demo_indicator(session)
    other_plans_period = make_period(session, name="Another plan's period")
    session.commit()
    before = readings(session, indicator)
    response = post_reading(
        coordinator,
        f"/indicators/{indicator.id}/readings/new",
        period=str(other_plans_period.id),
        value="12",
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "period") == (
        "Choose a reporting period of this plan"
    )
    assert readings(session, indicator) == before


def test_a_second_reading_for_the_same_period_is_refused(coordinator, session):
    indicator = demo_indicator(session)
    period = period_named(session, "Oct–Nov 2026")  # the demo already has a value for it
    before = readings(session, indicator)
    response = post_reading(
        coordinator,
        f"/indicators/{indicator.id}/readings/new",
        period=str(period.id),
        value="1",
        comparison_value="2",
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "period") == (
        "There is already a value for Oct–Nov 2026: change that one instead"
    )
    assert readings(session, indicator) == before


def test_two_people_correcting_one_reading_do_not_overwrite_each_other(app, session, demo_plan):
    indicator = demo_indicator(session)
    reading = session.scalar(  # the open period's: the earlier ones are closed
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.period_id == period_named(session, "Oct–Nov 2026").id,
        )
    )
    reading_value_before = reading.value
    url = f"/indicators/{indicator.id}/readings/{reading.id}"
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    first_page = first.get(url).get_data(as_text=True)
    second_page = second.get(url).get_data(as_text=True)

    def save(client, page, value):
        return client.post(
            url,
            data={
                "csrf_token": csrf_token_from(page),
                "version": form_value(page, "version"),
                "period": str(reading.period_id),
                "value": value,
                "comparison_value": "5000",
                "comparison_label": "same period last year",
            },
        )

    assert save(first, first_page, "5301").status_code == 303
    conflict = save(second, second_page, "5399")
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone else changed this value" in html and "5,301" in html
    assert form_value(html, "value") == "5399"  # the second person's figure is kept
    session.expire_all()
    assert session.get(IndicatorValue, reading.id).value == Decimal("5301")
    # Saving again from the conflict page is a deliberate choice, and it works.
    assert save(second, html, "5399").status_code == 303
    session.expire_all()
    assert session.get(IndicatorValue, reading.id).value == Decimal("5399")
    # Both corrections are in the audit trail, with the value before and after.
    changes = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "indicator_value", AuditEvent.entity_id == reading.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(c.before["value"], c.after["value"]) for c in changes] == [
        (f"{reading_value_before:.2f}", "5301.00"),
        ("5301.00", "5399.00"),
    ]


def test_a_lead_records_readings_for_the_priorities_they_lead_only(client, session, demo_plan):
    sign_in(client, "lead.police@example.org", DEMO_PASSWORD)  # leads Anti-Social Behaviour
    led = session.scalar(select(Priority).where(Priority.name == "Anti-Social Behaviour"))
    not_led = session.scalar(select(Priority).where(Priority.name == "Domestic Abuse"))
    assert client.get(f"/indicators/{led.indicators[0].id}/readings/new").status_code == 200
    page = client.get(f"/priorities/{led.id}").get_data(as_text=True)
    assert "Record a value" in page
    assert client.get(f"/indicators/{not_led.indicators[0].id}/readings/new").status_code == 403
    assert "Record a value" not in client.get(f"/priorities/{not_led.id}").get_data(as_text=True)
