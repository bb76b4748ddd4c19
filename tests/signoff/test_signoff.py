"""Sign-off, on a plan a partnership set up itself: a lead's update waits until a coordinator
or the priority's named sign-off person approves it or returns it with a reason; the roll-up
and papers count approved updates and show waiting ones as waiting; the update is never
edited (the decision is its own record) and everything is in the audit trail."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from tests.conftest import client_signed_in_as, csrf_token_from
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tests.support.paths import plan_path
from tests.support.updates import give_update as submit
from tracker.models import Action, AuditEvent, Update, UpdateReview


@pytest.fixture
def plan(session):
    version = make_plan_version(session, label="2026/27", effective_from=date(2026, 4, 1))
    version.plan.sign_off_required = True
    lia = make_user(session, role="lead", name="Lia Lead")
    sid = make_user(session, role="lead", name="Sid Signer")
    oz = make_user(session, role="lead", name="Oz Other")
    coordinator = make_user(session, role="coordinator", name="Cal Coordinator", two_factor=True)
    roads = make_priority(session, plan_version=version, name="Safer Roads", position=1)
    roads.leads.append(lia)
    roads.sign_off_by = sid
    homes = make_priority(session, plan_version=version, name="Safer Homes", position=2)
    homes.leads.append(oz)
    period = make_period(
        session,
        plan_version=version,
        name="Autumn 2026",
        start_date=date(2026, 9, 1),
        end_date=date(2026, 11, 30),
        is_open=True,
    )
    speed = make_action(session, priority=roads, title="Speed checks near schools", position=1)
    helmets = make_action(session, priority=roads, title="Cycle helmet scheme", position=2)
    locks = make_action(session, priority=homes, title="Door locks for victims")
    session.commit()
    return {
        "version": version,
        "lia": lia,
        "sid": sid,
        "oz": oz,
        "coordinator": coordinator,
        "period": period,
        "speed": speed,
        "helmets": helmets,
        "locks": locks,
    }


def decide(client, plan, update, decision, reason=""):
    page = client.get(plan_path(plan["version"], "sign-off")).get_data(as_text=True)
    return client.post(
        f"/updates/{update.id}/sign-off",
        data={
            "csrf_token": csrf_token_from(page),
            "decision": decision,
            f"reason-{update.id}": reason,
        },
    )


def rollup(client, plan):
    response = client.get(
        f"/api/v1/plans/{plan['version'].plan_id}/rollup?period={plan['period'].id}"
    )
    assert response.status_code == 200
    return response.get_json()["priority_totals"]


def latest(session, action):
    session.expire_all()
    return session.scalars(
        select(Update).where(Update.action_id == action.id).order_by(Update.id.desc())
    ).first()


def test_an_update_waits_for_sign_off_and_counts_once_approved(app, session, plan):
    lia = client_signed_in_as(app, plan["lia"].email)
    saved = submit(lia, plan["speed"], text="Checks at all six schools this term.")
    assert saved.status_code == 200
    card = unescape(saved.get_data(as_text=True))
    assert "Update saved: it counts once signed off." in card
    assert "Waiting for sign-off" in card

    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    before = rollup(coordinator, plan)
    assert before["counts"]["green"] == 0 and before["counts"]["none"] == 3
    assert before["waiting_for_sign_off"] == 1
    page = unescape(coordinator.get(plan_path(plan["version"], "rollup")).get_data(as_text=True))
    assert "1 waiting for sign-off" in page

    waiting = unescape(
        coordinator.get(plan_path(plan["version"], "sign-off")).get_data(as_text=True)
    )
    assert "Speed checks near schools" in waiting and "Checks at all six schools" in waiting
    update = latest(session, plan["speed"])
    written = (update.rag, update.progress_text, update.recorded_at, update.needs_sign_off)

    assert decide(coordinator, plan, update, "approved").status_code == 303
    after = rollup(coordinator, plan)
    assert after["counts"]["green"] == 1 and after["waiting_for_sign_off"] == 0
    # The update is as written; the approval is a record of its own, in the audit trail.
    update = latest(session, plan["speed"])
    assert (update.rag, update.progress_text, update.recorded_at, update.needs_sign_off) == written
    review = session.scalars(select(UpdateReview)).one()
    assert review.decision == "approved" and review.reviewer_id == plan["coordinator"].id
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "update_review")
    ).all()
    history = unescape(coordinator.get(f"/actions/{plan['speed'].id}").get_data(as_text=True))
    assert "Approved</strong> by Cal Coordinator" in history


def test_a_returned_update_needs_a_reason_and_the_lead_sees_it(app, session, plan):
    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["speed"], rag="amber", text="Some checks done.")
    update = latest(session, plan["speed"])
    sid = client_signed_in_as(app, plan["sid"].email)

    refused = decide(sid, plan, update, "returned", "vague")
    assert refused.status_code == 422
    page = unescape(refused.get_data(as_text=True))
    assert f'id="reason-{update.id}-error"' in page
    assert "Say why it is returned, in at least 10 characters" in page
    assert f'href="#reason-{update.id}"' in page
    assert session.scalars(select(UpdateReview)).all() == []

    reason = "Say which schools were checked and what the speeds were."
    assert decide(sid, plan, update, "returned", reason).status_code == 303
    mine = unescape(lia.get(plan_path(plan["version"], "my-actions")).get_data(as_text=True))
    assert "Update returned" in mine and reason in mine
    assert "Update due for Autumn 2026" in mine  # a returned update was not given
    assert rollup(lia, plan)["counts"]["amber"] == 0


def test_the_named_sign_off_person_decides_only_their_priority(app, session, plan):
    oz = client_signed_in_as(app, plan["oz"].email)
    submit(oz, plan["locks"])
    locks_update = latest(session, plan["locks"])
    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["speed"])

    sid = client_signed_in_as(app, plan["sid"].email)
    waiting = unescape(sid.get(plan_path(plan["version"], "sign-off")).get_data(as_text=True))
    assert "Speed checks near schools" in waiting
    assert "Door locks for victims" not in waiting
    assert decide(sid, plan, locks_update, "approved").status_code == 403
    # A lead who signs off nothing has no waiting list.
    assert oz.get(plan_path(plan["version"], "sign-off")).status_code == 403
    assert session.scalars(select(UpdateReview)).all() == []
    mine = unescape(sid.get(plan_path(plan["version"], "my-actions")).get_data(as_text=True))
    assert "See the updates waiting for your sign-off" in mine


def test_nobody_signs_off_their_own_update(app, session, plan):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    submit(coordinator, plan["helmets"])
    update = latest(session, plan["helmets"])
    refused = decide(coordinator, plan, update, "approved")
    assert refused.status_code == 422
    assert "You wrote this update: someone else must sign it off" in unescape(
        refused.get_data(as_text=True)
    )


def test_completing_an_action_waits_for_approval(app, session, plan):
    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["helmets"], text="All helmets handed out.", completes="y")
    session.expire_all()
    assert session.get(Action, plan["helmets"].id).state == "active"
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    decide(coordinator, plan, latest(session, plan["helmets"]), "approved")
    session.expire_all()
    assert session.get(Action, plan["helmets"].id).state == "completed"
    assert rollup(coordinator, plan)["counts"]["completed"] == 1


def test_an_update_overtaken_by_a_newer_one_is_not_signed_off(app, session, plan):
    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["speed"], text="First draft of the news.")
    first = latest(session, plan["speed"])
    submit(lia, plan["speed"], text="Better news, with figures.")
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    waiting = unescape(
        coordinator.get(plan_path(plan["version"], "sign-off")).get_data(as_text=True)
    )
    assert "Better news, with figures." in waiting and "First draft" not in waiting
    refused = decide(coordinator, plan, first, "approved")
    assert refused.status_code == 422
    assert "A newer update has been written for this action since" in unescape(
        refused.get_data(as_text=True)
    )


def test_sign_off_cannot_be_turned_off_while_updates_wait(app, session, plan):
    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["speed"])
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    url = plan_path(plan["version"], "sign-off")
    token = csrf_token_from(coordinator.get(url).get_data(as_text=True))
    refused = coordinator.post(url + "/setting", data={"csrf_token": token, "required": "no"})
    assert refused.status_code == 422
    assert "1 update still waits for sign-off" in unescape(refused.get_data(as_text=True))
    decide(coordinator, plan, latest(session, plan["speed"]), "approved")
    assert (
        coordinator.post(url + "/setting", data={"csrf_token": token, "required": "no"}).status_code
        == 303
    )
    session.expire_all()
    assert not plan["version"].plan.sign_off_required
    # Updates written from now on count at once.
    submit(
        lia,
        plan["helmets"],
        rag="red",
        text="Supplier went bust.",
        mitigation_text="A new supplier is being found.",
    )
    assert rollup(coordinator, plan)["counts"]["red"] == 1


def test_the_papers_count_approved_updates_and_say_what_waits(app, session, plan):
    make_update(
        session, action=plan["helmets"], author=plan["lia"], rag="amber", period=plan["period"]
    )
    session.commit()  # written before sign-off was asked for: it counts
    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["speed"])
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    summary = unescape(
        coordinator.get(
            plan_path(plan["version"], f"reports/performance-summary?period={plan['period'].id}")
        ).get_data(as_text=True)
    )
    assert "1 of 2 (1 waiting for sign-off)" in summary
    drill = unescape(
        coordinator.get(
            plan_path(plan["version"], f"rollup/actions?period={plan['period'].id}")
        ).get_data(as_text=True)
    )
    assert "A newer update is waiting for sign-off" in drill


def test_a_decision_cannot_be_changed_or_deleted_even_in_sql(app, session, plan):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from tracker.models import AppendOnlyViolation

    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["speed"])
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    decide(coordinator, plan, latest(session, plan["speed"]), "approved")
    review = session.scalars(select(UpdateReview)).one()
    review.decision = "returned"
    review.reason = "Changed my mind after the fact."
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    for statement in (
        "UPDATE update_review SET decision = 'returned', reason = 'x'",
        "DELETE FROM update_review",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.scalars(select(UpdateReview)).one().decision == "approved"


def test_a_returned_update_puts_its_lead_back_on_the_chase_list(app, session, plan):
    lia = client_signed_in_as(app, plan["lia"].email)
    submit(lia, plan["speed"], text="Some checks were done.")
    submit(lia, plan["helmets"], text="Helmets ordered for the spring.")
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    chase_url = plan_path(plan["version"], "periods/outstanding")
    before = unescape(coordinator.get(chase_url).get_data(as_text=True))
    assert "Speed checks near schools" not in before  # waiting for sign-off: it was given
    decide(coordinator, plan, latest(session, plan["speed"]), "returned", "Which schools, please?")
    after = unescape(coordinator.get(chase_url).get_data(as_text=True))
    assert "Speed checks near schools" in after
    assert "Cycle helmet scheme" not in after
