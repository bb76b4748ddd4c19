"""The demo plan: a realistic county agreement with a year of mixed progress."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from tracker.models import (
    Action,
    Indicator,
    IndicatorValue,
    Plan,
    PlanVersion,
    Priority,
    ReportingPeriod,
    Theme,
    Update,
    User,
)
from tracker.plans.demo import load_demo_plan


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_demo_plan_has_the_shape_of_a_county_agreement(session):
    assert load_demo_plan(session).loaded

    priorities = session.scalars(select(Priority).order_by(Priority.position)).all()
    assert [p.name for p in priorities] == [
        "Domestic Abuse",
        "Road Safety",
        "Anti-Social Behaviour",
        "Substance Misuse",
        "Serious Violence and Organised Crime",
        "Safeguarding Vulnerable People",
        "Preventing Extremism and Hate",
    ]
    assert all(p.lead_role for p in priorities)
    assert count(session, Theme) == 5
    assert 25 <= count(session, Action) <= 40
    assert all(p.actions for p in priorities), "every priority has actions"
    assert all(action.themes for action in session.scalars(select(Action))), (
        "every action has a theme"
    )


def test_demo_plan_has_four_periods_of_mixed_progress(session):
    load_demo_plan(session)
    periods = session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.start_date)).all()
    assert len(periods) == 4
    assert [p.is_open for p in periods] == [False, False, False, True]

    rag_counts = Counter(session.scalars(select(Update.rag)))
    assert set(rag_counts) == {"red", "amber", "green"}
    states = Counter(session.scalars(select(Action.state)))
    assert states["completed"] >= 2 and states["closed"] >= 1 and states["active"] >= 20

    open_period = periods[-1]
    updated_now = set(
        session.scalars(select(Update.action_id).where(Update.period_id == open_period.id))
    )
    active = set(session.scalars(select(Action.id).where(Action.state == "active")))
    assert active - updated_now, "some active actions still need an update this period"
    assert {u.period_id for u in session.scalars(select(Update))} == {p.id for p in periods}


def test_demo_indicators_have_two_years_of_values(session):
    load_demo_plan(session)
    for indicator in session.scalars(select(Indicator)):
        values = session.scalars(
            select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id)
        ).all()
        assert len(values) == 4
        assert all(v.comparison_value is not None and v.comparison_label for v in values)
    per_priority = Counter(session.scalars(select(Indicator.priority_id)))
    assert len(per_priority) == 7 and min(per_priority.values()) >= 2


def test_demo_users_cover_every_role(session):
    load_demo_plan(session)
    can_sign_in = session.scalars(select(User).where(User.password_hash.is_not(None))).all()
    assert Counter(u.role for u in can_sign_in) == {
        "admin": 1,
        "coordinator": 1,
        "lead": 2,
        "viewer": 1,
    }
    leads = [u for u in can_sign_in if u.role == "lead"]
    first, second = ({p.id for p in lead.led_priorities} for lead in leads)
    assert first and second and not first & second, "the two leads lead different priorities"


def test_demo_loader_is_idempotent(session):
    load_demo_plan(session)
    before = {
        model: count(session, model)
        for model in (Plan, PlanVersion, Action, Update, User, IndicatorValue)
    }
    second = load_demo_plan(session)
    assert not second.loaded
    assert "already loaded" in second.message
    assert {model: count(session, model) for model in before} == before
