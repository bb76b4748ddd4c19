"""A plan to refresh, built as a partnership that set its own plan up would have it: two
priorities that carry on (one to be renamed), one that goes, two themes, an indicator with a
reading, and actions with updates in two periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tracker.models import Indicator, IndicatorValue, Priority
from tracker.refresh.services import Decision, RefreshDetails, accept_proposals, decide
from tracker.structure.services import PriorityDetails, add_priority, retire_priority

NEXT_YEAR = RefreshDetails("2027/28", date(2027, 4, 1), "2.0")


@pytest.fixture
def plan(session):
    version = make_plan_version(session, label="2026/27", effective_from=date(2026, 4, 1))
    lead = make_user(session, role="lead", name="Lee Lead")
    coordinator = make_user(session, role="coordinator", name="Cora Ordinator")
    organised = make_priority(
        session, plan_version=version, name="Serious and Organised Crime", position=1
    )
    organised.leads.append(lead)
    roads = make_priority(session, plan_version=version, name="Road Safety", position=2)
    acquisitive = make_priority(session, plan_version=version, name="Acquisitive Crime", position=3)
    early = make_theme(session, plan_version=version, name="Early intervention", position=1)
    victims = make_theme(session, plan_version=version, name="Support victims", position=2)
    q1 = make_period(
        session,
        plan_version=version,
        name="2026/27 Q1",
        start_date=date(2026, 4, 1),
        end_date=date(2026, 6, 30),
    )
    q4 = make_period(
        session,
        plan_version=version,
        name="2026/27 Q4",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31),
        is_open=True,
    )
    county_lines = make_action(
        session, priority=organised, title="Disrupt county lines", themes=[early, victims]
    )
    make_update(session, action=county_lines, author=lead, rag="amber", period=q1)
    make_update(session, action=county_lines, author=lead, rag="green", period=q4)
    speed = make_action(session, priority=roads, title="Speed awareness", themes=[early])
    burglary = make_action(session, priority=acquisitive, title="Burglary patrols")
    make_update(session, action=burglary, author=lead, rag="red", period=q4, mitigation_text="x")
    finished = make_action(session, priority=roads, title="Old campaign", state="completed")
    casualties = Indicator(
        priority=roads, name="People killed or seriously injured", polarity="lower_is_better"
    )
    session.add(casualties)
    session.flush()
    session.add(IndicatorValue(indicator=casualties, period=q1, value=Decimal("120")))
    session.commit()
    return {
        "version": version,
        "lead": lead,
        "coordinator": coordinator,
        "organised": organised,
        "roads": roads,
        "acquisitive": acquisitive,
        "early": early,
        "victims": victims,
        "q1": q1,
        "q4": q4,
        "county_lines": county_lines,
        "speed": speed,
        "burglary": burglary,
        "finished": finished,
        "casualties": casualties,
    }


def named(session, draft, model, name):
    return session.scalar(
        select(model).where(model.plan_version_id == draft.id, model.name == name)
    )


def decide_everything(session, plan, draft):
    """Rename one priority, retire one (completing its action), add one, take proposals."""
    renamed = named(session, draft, Priority, "Serious and Organised Crime")
    renamed.name = "Serious Violence and Organised Crime"
    going = named(session, draft, Priority, "Acquisitive Crime")
    retire_priority(session, going, loaded_version=going.version, what_happens=None, move_to=None)
    add_priority(session, draft, PriorityDetails(name="Preventing Extremism and Hate"))
    decide(session, draft, plan["burglary"], Decision("complete"), plan["coordinator"])
    accept_proposals(session, draft, plan["coordinator"])
    session.commit()
