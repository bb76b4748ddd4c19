"""The annual refresh as plain functions over the database: start, change, decide, publish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.refresh.conftest import NEXT_YEAR, decide_everything, named
from tracker.actions.services import action_timeline, record_update
from tracker.dashboard.services import rollup
from tracker.extensions import db
from tracker.models import (
    Action,
    PlanVersion,
    Priority,
    RefreshDecision,
    Theme,
    Update,
    User,
    utcnow,
)
from tracker.plans.versions import VersionReadOnly
from tracker.priorities.services import ReadingInput, indicator_summaries, save_reading
from tracker.refresh.changes import change_lines, change_summary
from tracker.refresh.services import (
    Decision,
    PublishRefused,
    RefreshDetails,
    RefreshRefused,
    action_choices,
    decide,
    discard_draft,
    publish_problems,
    publish_refresh,
    start_refresh,
)
from tracker.structure.services import (
    PriorityDetails,
    add_priority,
    edit_priority,
    retire_priority,
)


def test_a_refresh_starts_as_a_copy_of_the_current_version_that_records_what_it_continues(
    session, plan
):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    session.commit()

    assert draft.is_draft and not draft.is_current and draft.version_number == 2
    assert draft.based_on_id == plan["version"].id and draft.agreement_version == "2.0"
    copied = {p.name: p for p in draft.priorities}
    assert list(copied) == ["Serious and Organised Crime", "Road Safety", "Acquisitive Crime"]
    assert copied["Serious and Organised Crime"].predecessors == [plan["organised"]]
    assert copied["Serious and Organised Crime"].leads == [plan["lead"]]
    assert [t.predecessors for t in draft.themes] == [[plan["early"]], [plan["victims"]]]
    [indicator] = copied["Road Safety"].indicators
    assert indicator.continues_id == plan["casualties"].id
    # The draft holds no actions, periods or updates: those stay with the current version.
    assert (
        session.scalar(
            select(func.count())
            .select_from(Action)
            .join(Priority)
            .where(Priority.plan_version_id == draft.id)
        )
        == 0
    )
    assert plan["version"].is_current


def test_only_one_draft_at_a_time_and_the_new_version_must_take_effect_later(session, plan):
    owner = plan["version"].plan
    with pytest.raises(RefreshRefused, match="take effect after 2026/27") as early:
        start_refresh(session, owner, RefreshDetails("2027/28", date(2026, 3, 1)))
    assert early.value.field == "effective_from"
    with pytest.raises(RefreshRefused, match="already has a version called 2026/27"):
        start_refresh(session, owner, RefreshDetails("2026/27", date(2027, 4, 1)))
    start_refresh(session, owner, NEXT_YEAR)
    session.commit()
    with pytest.raises(RefreshRefused, match=r"already under way \(2027/28\)"):
        start_refresh(session, owner, RefreshDetails("2028/29", date(2028, 4, 1)))


def test_proposals_follow_renames_and_an_action_under_a_retired_priority_needs_a_choice(
    session, plan
):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    renamed = named(session, draft, Priority, "Serious and Organised Crime")
    edit_priority(
        session,
        renamed,
        PriorityDetails(name="Serious Violence and Organised Crime", lead_ids=(plan["lead"].id,)),
        renamed.version,
    )
    going = named(session, draft, Priority, "Acquisitive Crime")
    retire_priority(session, going, loaded_version=going.version, what_happens=None, move_to=None)
    session.commit()

    choices = {choice.action.title: choice for choice in action_choices(session, draft)}
    assert set(choices) == {"Disrupt county lines", "Speed awareness", "Burglary patrols"}
    county_lines = choices["Disrupt county lines"]
    assert county_lines.state == "proposed"
    assert county_lines.priority.name == "Serious Violence and Organised Crime"
    assert [t.name for t in county_lines.themes] == ["Early intervention", "Support victims"]
    assert all(t.plan_version_id == draft.id for t in county_lines.themes)
    assert choices["Burglary patrols"].state == "undecided"
    assert publish_problems(session, draft) == ["1 action still to decide"]


def test_publishing_carries_actions_forward_and_leaves_last_year_as_it_was(session, plan):
    old = plan["version"]
    rollups_before = [_counts(rollup(session, old, period)) for period in (plan["q1"], plan["q4"])]
    updates_before = session.scalars(select(Update).order_by(Update.id)).all()
    before = [(u.id, u.action_id, u.period_id, u.rag) for u in updates_before]
    draft = start_refresh(session, old.plan, NEXT_YEAR)
    decide_everything(session, plan, draft)

    publish_refresh(session, draft, plan["coordinator"], notes="Chapter 5 updated.")
    session.commit()

    session.refresh(old)
    assert draft.is_current and not draft.is_draft and old.is_superseded
    assert draft.published_by == plan["coordinator"] and draft.change_log == "Chapter 5 updated."
    assert not plan["q4"].is_open  # last year's open period closed with it
    carried = session.scalars(
        select(Action).join(Priority).where(Priority.plan_version_id == draft.id)
    ).all()
    assert {(a.title, a.priority.name) for a in carried} == {
        ("Disrupt county lines", "Serious Violence and Organised Crime"),
        ("Speed awareness", "Road Safety"),
    }
    new_county_lines = next(a for a in carried if a.title == "Disrupt county lines")
    assert new_county_lines.carried_forward_from == plan["county_lines"]
    assert {t.plan_version_id for t in new_county_lines.themes} == {draft.id}
    # Nothing of last year moved: its updates are where they were, its actions too.
    assert [_counts(rollup(session, old, p)) for p in (plan["q1"], plan["q4"])] == rollups_before
    after = [
        (u.id, u.action_id, u.period_id, u.rag)
        for u in session.scalars(select(Update).order_by(Update.id))
    ]
    assert after == before
    assert plan["county_lines"].priority == plan["organised"]
    # A completed action leaves the plan by not continuing; last year keeps it as it was.
    assert plan["burglary"].state == "active"
    outcomes = dict(
        session.execute(select(RefreshDecision.action_id, RefreshDecision.outcome)).all()
    )
    assert outcomes == {
        plan["burglary"].id: "complete",
        plan["county_lines"].id: "carry",
        plan["speed"].id: "carry",
    }
    # The carried action starts the year with no update, but its history is on its timeline.
    assert session.scalar(select(func.count()).where(Update.action_id == new_county_lines.id)) == 0
    timeline = action_timeline(session, new_county_lines)
    earlier = [entry for entry in timeline if entry.update is not None]
    assert [entry.update.rag for entry in earlier] == ["green", "amber"]
    assert {entry.earlier_version for entry in earlier} == {"2026/27"}

    lines = change_lines(draft.changes)
    assert (
        "Priority renamed: Serious and Organised Crime is now Serious Violence and Organised Crime"
        in lines
    )
    assert "Priority added: Preventing Extremism and Hate" in lines
    assert "Priority removed: Acquisitive Crime" in lines
    assert "Actions: 2 actions carried forward; 1 action completed" in lines


def _counts(result):
    return [(row.name, row.counts) for row in result.priorities + result.themes]


def test_publish_is_refused_with_every_reason_and_changes_nothing(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    roads = named(session, draft, Priority, "Road Safety")
    decide(
        session,
        draft,
        plan["speed"],
        Decision("carry", roads.id, ()),
        plan["coordinator"],
    )
    for retiring in (roads, named(session, draft, Priority, "Acquisitive Crime")):
        retire_priority(
            session, retiring, loaded_version=retiring.version, what_happens=None, move_to=None
        )
    session.commit()

    with pytest.raises(PublishRefused) as refused:
        publish_refresh(session, draft, plan["coordinator"])
    assert refused.value.reasons == [
        "1 action still to decide",
        "1 action carried into a priority or theme retired in the new version",
    ]
    session.rollback()
    assert plan["version"].is_current and draft.is_draft
    assert session.scalar(select(func.count()).select_from(Action)) == 4


def test_last_years_version_takes_no_updates_context_readings_or_structure(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    decide_everything(session, plan, draft)
    publish_refresh(session, draft, plan["coordinator"])
    session.commit()

    with pytest.raises(VersionReadOnly, match="2026/27 was replaced by 2027/28 on 1 April 2027"):
        record_update(
            session,
            plan["speed"],
            plan["lead"],
            rag="green",
            text="Still going well in the old plan.",
            loaded_version=plan["speed"].version,
        )
    with pytest.raises(VersionReadOnly):
        save_reading(
            session,
            plan["casualties"],
            plan["lead"],
            ReadingInput(plan["q4"].id, "100", "", "", ""),
        )
    with pytest.raises(VersionReadOnly):
        add_priority(session, plan["version"], PriorityDetails(name="Too late"))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Update)) == 3


def test_an_indicator_carried_forward_keeps_its_readings(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    decide_everything(session, plan, draft)
    publish_refresh(session, draft, plan["coordinator"])
    session.commit()

    roads = named(session, draft, Priority, "Road Safety")
    [summary] = indicator_summaries(session, roads)
    assert summary.indicator.priority == roads
    assert [(r.period.name, r.value) for r in summary.readings] == [("2026/27 Q1", Decimal("120"))]


def test_merging_and_splitting_are_listed_as_such(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    organised = named(session, draft, Priority, "Serious and Organised Crime")
    acquisitive = named(session, draft, Priority, "Acquisitive Crime")
    organised.name = "Crime and Exploitation"
    organised.predecessors.append(plan["acquisitive"])
    acquisitive.retired_at = utcnow()
    session.add(
        Theme(plan_version=draft, name="Education", position=3, predecessors=[plan["early"]])
    )
    session.commit()

    choices = action_choices(session, draft)
    lines = change_lines(change_summary(session, draft, choices).as_json())
    assert (
        "Priority merged: Serious and Organised Crime and Acquisitive Crime now continue as "
        "Crime and Exploitation"
    ) in lines
    assert (
        "Theme split: Early intervention now continues as Early intervention and Education" in lines
    )
    # The merged priority takes the actions of both.
    by_title = {c.action.title: c for c in choices}
    assert by_title["Burglary patrols"].priority.name == "Crime and Exploitation"


def test_a_draft_publishes_once(session, plan, app):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    decide_everything(session, plan, draft)
    draft_id, coordinator_id = draft.id, plan["coordinator"].id
    # A second coordinator has the draft open in another process when the first publishes.
    with Session(db.engine) as other:
        their_draft = other.get(PlanVersion, draft_id)
        action_choices(other, their_draft)
        publish_refresh(session, draft, plan["coordinator"])
        session.commit()
        with pytest.raises((PublishRefused, OperationalError)):
            publish_refresh(other, their_draft, other.get(User, coordinator_id))
            other.commit()
        other.rollback()
    with pytest.raises(PublishRefused, match="already been published"):
        publish_refresh(session, draft, plan["coordinator"])
    session.rollback()
    assert session.scalar(select(func.count()).where(PlanVersion.is_current.is_(True))) == 1
    carried = select(func.count()).where(Action.carried_forward_from_id.is_not(None))
    assert session.scalar(carried) == 2


def test_discarding_a_draft_leaves_the_current_version_untouched(session, plan):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    decide(session, draft, plan["burglary"], Decision("close"), plan["coordinator"])
    session.commit()
    discard_draft(session, draft)
    session.commit()
    assert session.scalar(select(func.count()).select_from(PlanVersion)) == 1
    assert session.scalar(select(func.count()).select_from(Priority)) == 3
    assert plan["burglary"].state == "active"
    start_refresh(session, plan["version"].plan, NEXT_YEAR)  # and a new one can start
