"""Whatever a refresh does to the structure and the actions, nothing recorded is lost or moved.

Hypothesis builds a plan (priorities, themes, actions with updates, context and indicator
readings over two periods), then a refresh that keeps, renames, retires or adds priorities
and decides each action at random, and publishes it. Every update, context and reading must
still be the same row, on the same action, priority, indicator and period as before.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
from tracker.extensions import db
from tracker.models import (
    Action,
    Indicator,
    IndicatorValue,
    Priority,
    PriorityNarrative,
    Update,
    utcnow,
)
from tracker.refresh.services import (
    Decision,
    RefreshDetails,
    action_choices,
    decide,
    publish_refresh,
    start_refresh,
)

PRIORITY = st.fixed_dictionaries(
    {
        "fate": st.sampled_from(["keep", "rename", "retire"]),
        "actions": st.lists(
            st.fixed_dictionaries(
                {
                    "updates": st.lists(
                        st.tuples(st.integers(0, 1), st.sampled_from(["red", "amber", "green"])),
                        max_size=3,
                    ),
                    "themes": st.sets(st.integers(0, 1), max_size=2),
                    "outcome": st.sampled_from(["carry", "complete", "close", "proposal"]),
                    "target": st.integers(0, 5),
                }
            ),
            max_size=3,
        ),
        "context_in": st.sets(st.integers(0, 1), max_size=2),
        "readings_in": st.sets(st.integers(0, 1), max_size=2),
    }
)


def _recorded(session):
    """Everything recorded, as (row id, what it belongs to, what it says)."""
    return {
        "updates": sorted(
            (u.id, u.action_id, u.period_id, u.rag, u.progress_text)
            for u in session.scalars(select(Update))
        ),
        "context": sorted(
            (n.id, n.priority_id, n.period_id, n.body)
            for n in session.scalars(select(PriorityNarrative))
        ),
        "readings": sorted(
            (r.id, r.indicator_id, r.period_id, r.value)
            for r in session.scalars(select(IndicatorValue))
        ),
        "actions": sorted(
            (a.id, a.priority_id, a.title, a.state) for a in session.scalars(select(Action))
        ),
    }


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(priorities=st.lists(PRIORITY, min_size=1, max_size=4), add_one=st.booleans())
def test_a_refresh_never_loses_or_moves_an_update_context_or_reading(app, priorities, add_one):
    with app.app_context():
        session = db.session
        version = make_plan_version(session, label="2026/27", effective_from=date(2026, 4, 1))
        author = make_user(session)
        themes = [make_theme(session, plan_version=version, position=i) for i in range(2)]
        periods = [
            make_period(
                session,
                plan_version=version,
                name=f"Q{i + 1}",
                start_date=date(2026, 4 + 3 * i, 1),
                end_date=date(2026, 6 + 3 * i, 28),
            )
            for i in range(2)
        ]
        made = []
        for index, spec in enumerate(priorities):
            priority = make_priority(session, plan_version=version, position=index)
            indicator = Indicator(priority=priority, name="Incidents", polarity="lower_is_better")
            session.add(indicator)
            for period_index in spec["context_in"]:
                session.add(
                    PriorityNarrative(
                        priority=priority, period=periods[period_index], body=f"Context {index}"
                    )
                )
            for period_index in spec["readings_in"]:
                session.add(
                    IndicatorValue(
                        indicator=indicator, period=periods[period_index], value=Decimal(index)
                    )
                )
            actions = []
            for action_spec in spec["actions"]:
                action = make_action(
                    session, priority=priority, themes=[themes[t] for t in action_spec["themes"]]
                )
                for period_index, rag in action_spec["updates"]:
                    make_update(
                        session,
                        action=action,
                        author=author,
                        rag=rag,
                        period=periods[period_index],
                        mitigation_text="Escalated" if rag == "red" else None,
                    )
                actions.append((action, action_spec))
            made.append((priority, spec, actions))
        session.commit()
        before = _recorded(session)

        draft = start_refresh(session, version.plan, RefreshDetails("2027/28", date(2027, 4, 1)))
        copies = {copy.predecessors[0].id: copy for copy in draft.priorities}
        for priority, spec, _actions in made:
            copy = copies[priority.id]
            if spec["fate"] == "rename":
                copy.name = f"{priority.name} (renamed)"
            elif spec["fate"] == "retire":
                copy.retired_at = utcnow()
        if add_one:
            session.add(Priority(plan_version=draft, name="A new priority", position=99))
        session.flush()
        in_use = [p for p in draft.priorities if p.retired_at is None]
        choices = {choice.action.id: choice for choice in action_choices(session, draft)}
        for _priority, _spec, actions in made:
            for action, action_spec in actions:
                outcome = action_spec["outcome"]
                if outcome == "proposal" and choices[action.id].outcome is not None:
                    continue  # the refresh's proposal stands
                if outcome in ("carry", "proposal") and not in_use:
                    outcome = "close"
                elif outcome == "proposal":
                    outcome = "carry"
                target = in_use[action_spec["target"] % len(in_use)].id if in_use else None
                decide(
                    session,
                    draft,
                    action,
                    Decision(outcome, target if outcome == "carry" else None),
                    author,
                )
        session.commit()
        if not in_use:
            return  # a version without priorities is refused; nothing else to check
        to_carry = {c.action.id for c in action_choices(session, draft) if c.outcome == "carry"}
        publish_refresh(session, draft, author)
        session.commit()

        after = _recorded(session)
        assert after["updates"] == before["updates"]
        assert after["context"] == before["context"]
        assert after["readings"] == before["readings"]
        # Last year's actions are where they were; the new ones are additions alongside.
        assert set(before["actions"]) <= set(after["actions"])
        carried = session.scalars(
            select(Action).join(Priority).where(Priority.plan_version_id == draft.id)
        ).all()
        assert sorted(a.carried_forward_from_id for a in carried) == sorted(to_carry)
        assert all(
            not session.scalar(select(Update.id).where(Update.action_id == a.id)) for a in carried
        )
        session.rollback()
