"""A year of reporting periods for the new version, cut quarterly or every two months."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import client_signed_in_as, csrf_token_from
from tests.refresh.conftest import NEXT_YEAR
from tests.support.factories import make_period, make_user
from tests.support.paths import plan_path
from tracker.actions.services import UpdateRefused
from tracker.models import ReportingPeriod
from tracker.periods.services import create_year_of_periods
from tracker.refresh.services import start_refresh


def _periods(session, version):
    return session.scalars(
        select(ReportingPeriod)
        .where(ReportingPeriod.plan_version_id == version.id)
        .order_by(ReportingPeriod.start_date)
    ).all()


def test_a_quarterly_year_is_named_after_the_version_with_due_dates(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    create_year_of_periods(
        session, draft, frequency="quarterly", first_day=date(2027, 4, 1), due_after_days=14
    )
    session.commit()
    assert [(p.name, p.start_date, p.end_date, p.due_date) for p in _periods(session, draft)] == [
        ("2027/28 Q1", date(2027, 4, 1), date(2027, 6, 30), date(2027, 7, 14)),
        ("2027/28 Q2", date(2027, 7, 1), date(2027, 9, 30), date(2027, 10, 14)),
        ("2027/28 Q3", date(2027, 10, 1), date(2027, 12, 31), date(2028, 1, 14)),
        ("2027/28 Q4", date(2028, 1, 1), date(2028, 3, 31), date(2028, 4, 14)),
    ]
    assert not any(p.is_open for p in _periods(session, draft))


def test_a_two_monthly_year_is_named_by_its_months(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    create_year_of_periods(
        session, draft, frequency="two-monthly", first_day=date(2027, 12, 1), due_after_days=0
    )
    names = [p.name for p in _periods(session, draft)]
    assert names == [
        "Dec 2027–Jan 2028",
        "Feb–Mar 2028",
        "Apr–May 2028",
        "Jun–Jul 2028",
        "Aug–Sep 2028",
        "Oct–Nov 2028",
    ]
    assert _periods(session, draft)[0].due_date == date(2028, 1, 31)


def test_a_year_that_clashes_with_a_period_is_refused_whole(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    make_period(
        session,
        plan_version=draft,
        name="Summer",
        start_date=date(2027, 8, 1),
        end_date=date(2027, 8, 31),
    )
    session.commit()
    with pytest.raises(UpdateRefused, match="^2027/28 Q2: These dates overlap Summer"):
        create_year_of_periods(
            session, draft, frequency="quarterly", first_day=date(2027, 4, 1), due_after_days=14
        )
    session.rollback()
    assert [p.name for p in _periods(session, draft)] == ["Summer"]
    with pytest.raises(UpdateRefused, match="first of a month"):
        create_year_of_periods(
            session, draft, frequency="quarterly", first_day=date(2027, 4, 2), due_after_days=14
        )


def test_the_periods_page_of_the_draft_adds_a_year_and_says_what_is_wrong(app, session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    coordinator = make_user(session, role="coordinator", two_factor=True)
    session.commit()
    client = client_signed_in_as(app, coordinator.email)
    page_url = plan_path(draft, "periods?version=2")
    page = client.get(page_url).get_data(as_text=True)
    assert "Add a year of periods" in page
    year_input = re.search(r'<input[^>]*id="first_day-year"[^>]*>', page).group(0)
    assert 'value="2027"' in year_input  # the first day defaults to the version's start

    refused = client.post(
        plan_path(draft, "periods/year?version=2"),
        data={
            "csrf_token": csrf_token_from(page),
            "first_day": ["1", "4", "2027"],
            "due_after_days": "14",
        },
    )
    assert refused.status_code == 422
    assert 'id="frequency-error"' in refused.get_data(as_text=True)

    added = client.post(
        plan_path(draft, "periods/year?version=2"),
        data={
            "csrf_token": csrf_token_from(page),
            "frequency": "quarterly",
            "first_day": ["1", "4", "2027"],
            "due_after_days": "10",
        },
    )
    assert added.status_code == 303
    assert "version=2" in added.headers["Location"]
    shown = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "Added 4 periods, 2027/28 Q1 to 2027/28 Q4." in shown
    assert [p.name for p in _periods(session, draft)][-1] == "2027/28 Q4"
    assert _periods(session, plan["version"])[0].name == "2026/27 Q1"  # this year's untouched
