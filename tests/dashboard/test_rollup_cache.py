"""The roll-up is kept between requests until its plan changes: after every kind of write
that changes it, the very next answer (page, JSON, drill-down, trend, and the plan page, Your
actions and a live draft's CSV, which are kept the same way) from any worker says what an
answer computed afresh says, and a repeat request is answered without recomputing.

The plan is built here as a partnership would set it up (two priorities, a theme, three
quarters, a lead and a coordinator), not taken from the demo."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import (
    client_signed_in_as,
    csrf_token_from,
    form_value,
    queries_for,
    sign_in,
)
from tests.support.factories import (
    TEST_PASSWORD,
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tests.support.served import gunicorn_serving, person
from tracker.actions.services import ActionDetails, edit_action, record_update
from tracker.dashboard.cache import DOWNLOAD_CACHE_BYTES, forget_everything, kept
from tracker.models import Action, Organisation, Plan, Priority, Update
from tracker.periods.services import close_period, open_period
from tracker.refresh.services import RefreshDetails, publish_refresh, start_refresh
from tracker.reports.services import start_draft
from tracker.signoff.services import review

LEAD = "lead@district.example.org"
COORDINATOR = "coordinator@district.example.org"
READER = "reader@district.example.org"


@pytest.fixture
def district(session):
    version = make_plan_version(
        session, plan=Plan(name="Northvale Community Safety Agreement"), label="2026/27"
    )
    lead = make_user(session, email=LEAD, role="lead", name="Lee Lead")
    coordinator = make_user(
        session, email=COORDINATOR, role="coordinator", name="Cora", two_factor=True
    )
    make_user(session, email=READER, role="viewer", name="Vic Viewer")
    violence = make_priority(session, plan_version=version, name="Serious violence", position=1)
    violence.leads.append(lead)
    roads = make_priority(session, plan_version=version, name="Safer roads", position=2)
    young = make_theme(session, plan_version=version, name="Young people", position=1)
    q2, q3, q4 = (
        make_period(
            session,
            plan_version=version,
            name=f"2026/27 Q{quarter}",
            start_date=date(2026, month, 1),
            end_date=date(2026 + (month == 1), month + 2, 28),
            is_open=quarter == 3,
        )
        for quarter, month in ((2, 7), (3, 10), (4, 1))
    )
    knife = make_action(session, priority=violence, title="Knife arches", themes=[young])
    mentors = make_action(session, priority=violence, title="Mentoring scheme", themes=[young])
    cameras = make_action(session, priority=roads, title="Average speed cameras")
    for action, rag in ((knife, "amber"), (mentors, "green"), (cameras, "green")):
        make_update(
            session,
            action=action,
            author=lead,
            rag=rag,
            period=q2,
            recorded_at=datetime(2026, 8, 1, tzinfo=UTC),
        )
    make_update(session, action=knife, author=lead, rag="amber", period=q3)
    draft = start_draft(session, period=q3, subject="Quarter three update", author=coordinator)
    session.commit()
    return {
        "draft": draft,
        "version": version,
        "plan": version.plan,
        "lead": lead,
        "coordinator": coordinator,
        "violence": violence,
        "roads": roads,
        "q3": q3,
        "q4": q4,
        "knife": knife,
        "mentors": mentors,
        "cameras": cameras,
    }


MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)


def answers(client, district) -> dict[str, object]:
    """What the working group's pages say now, for the period they open on, and the CSV of
    the draft report for the third quarter."""
    plan_id = district["plan"].id

    def main_of(path: str) -> str:
        response = client.get(path)
        assert response.status_code == 200, path
        return MAIN.search(response.get_data(as_text=True)).group(0)

    json = client.get(f"/api/v1/plans/{plan_id}/rollup")
    assert json.status_code == 200
    return {
        "roll-up": main_of(f"/plans/{plan_id}/rollup"),
        "json": json.get_json(),
        "drill-down": main_of(f"/plans/{plan_id}/rollup/actions?status=amber"),
        "trend": main_of(f"/plans/{plan_id}/rollup/trend"),
        "plan page": main_of(f"/plans/{plan_id}"),
        "plan page by theme": main_of(f"/plans/{plan_id}?group=themes"),
        "Your actions": main_of(f"/plans/{plan_id}/my-actions"),
        "CSV of a live draft": client.get(f"/reports/{district['draft'].id}/download/csv").data,
    }


def afresh(client, district) -> dict[str, object]:
    forget_everything()
    return answers(client, district)


def details_of(action: Action, **changes) -> ActionDetails:
    return ActionDetails(
        **{
            "title": action.title,
            "description": action.description,
            "priority": action.priority,
            "themes": list(action.themes),
            "owner": action.owner_organisation,
            "partners": list(action.partners),
            "responsible": list(action.responsible_users),
            "start_date": action.start_date,
            "target_date": action.target_date,
            **changes,
        }
    )


def an_update(session, district):
    record_update(
        session,
        district["mentors"],
        district["lead"],
        rag="red",
        text="The provider has withdrawn from the scheme.",
        mitigation="Retendering with the youth service this month.",
        loaded_version=district["mentors"].version,
    )


def a_completion(session, district):
    record_update(
        session,
        district["knife"],
        district["lead"],
        rag="green",
        text="All six arches are installed and in use.",
        completes=True,
        loaded_version=district["knife"].version,
    )


def an_action_moved(session, district):
    cameras = district["cameras"]
    moved = details_of(cameras, priority=district["violence"])
    edit_action(session, cameras, moved, cameras.version)


def a_period_opened(session, district):
    close_period(district["q3"], district["coordinator"])
    session.flush()
    open_period(session, district["q4"])


def a_refresh_published(session, district):
    draft = start_refresh(
        session, district["plan"], RefreshDetails("2027/28", date(2027, 4, 1), "2.0")
    )
    first_quarter = make_period(
        session,
        plan_version=draft,
        name="2027/28 Q1",
        start_date=date(2027, 4, 1),
        end_date=date(2027, 6, 30),
    )
    session.commit()
    publish_refresh(session, draft, district["coordinator"], notes="Yearly refresh.")
    session.flush()
    open_period(session, first_quarter)


def an_organisation_renamed(session, district):
    owner = Organisation(name="Northvale Police")
    session.add(owner)
    session.flush()
    cameras = district["cameras"]
    edit_action(session, cameras, details_of(cameras, owner=owner), cameras.version)


WRITES = [
    an_update,
    a_completion,
    an_action_moved,
    a_period_opened,
    a_refresh_published,
]
WRITES_TO_THE_DRAFTS_QUARTER = {an_update, a_completion, an_action_moved}


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_the_next_answer_after_a_write_is_what_a_fresh_one_says(app, session, district, write):
    client = client_signed_in_as(app, COORDINATOR)
    before = answers(client, district)
    assert answers(client, district) == before, "asked twice with nothing written: the same"

    write(session, district)
    session.commit()

    after = answers(client, district)
    assert after == afresh(client, district), "the kept answer is the fresh one"
    assert after["roll-up"] != before["roll-up"], "the write shows on the roll-up"
    assert after["json"] != before["json"]
    if write in WRITES_TO_THE_DRAFTS_QUARTER:
        assert after["CSV of a live draft"] != before["CSV of a live draft"]


def lead_changes(session, district):
    """What changes one lead's own list without touching their actions' updates: an action
    they are newly named responsible for, and a priority they no longer lead."""
    district["cameras"].responsible_users.append(district["lead"])
    session.commit()
    yield "named responsible for an action under another priority"
    district["violence"].leads.remove(district["lead"])
    session.commit()
    yield "no longer the lead of their priority"


def test_a_leads_list_after_each_change_to_what_they_may_update_is_the_fresh_one(
    app, session, district
):
    lead = client_signed_in_as(app, LEAD)
    plan_id = district["plan"].id
    page = f"/plans/{plan_id}/my-actions"

    def listed() -> str:
        return MAIN.search(lead.get(page).get_data(as_text=True)).group(0)

    before = listed()
    assert "Knife arches" in before and "Average speed cameras" not in before
    assert listed() == before, "asked twice with nothing written: the same"
    for change in lead_changes(session, district):
        after = listed()
        forget_everything()
        assert after == listed(), f"kept list is the fresh one once {change}"
        assert after != before, change
        before = after
    assert "Average speed cameras" in before and "Knife arches" not in before


def test_sign_off_and_a_renamed_owner_show_at_once(app, session, district):
    """Writes the roll-up reads less directly: an approval, and an organisation's name."""
    district["plan"].sign_off_required = True
    session.commit()
    client = client_signed_in_as(app, COORDINATOR)
    plan_id = district["plan"].id
    an_update(session, district)
    session.commit()
    waiting = answers(client, district)
    assert waiting["json"]["priority_totals"]["waiting_for_sign_off"] == 1

    waiting_update = session.scalars(
        select(Update).where(Update.action_id == district["mentors"].id).order_by(Update.id.desc())
    ).first()
    review(session, waiting_update, district["coordinator"], "approved", "")
    session.commit()
    approved = answers(client, district)
    assert approved == afresh(client, district)
    assert approved["json"]["priority_totals"]["waiting_for_sign_off"] == 0
    assert approved["json"]["priority_totals"]["counts"]["red"] == 1

    an_organisation_renamed(session, district)
    session.commit()
    owned = client.get(f"/plans/{plan_id}/rollup/actions?status=green").get_data(as_text=True)
    assert "Northvale Police" in owned


def test_a_write_to_one_plan_leaves_another_plans_roll_up_kept(app, client, session, district):
    other = make_plan_version(session, plan=Plan(name="Southvale Partnership Plan"))
    make_period(session, plan_version=other, name="Q3", is_open=True)
    make_action(session, priority=make_priority(session, plan_version=other))
    session.commit()
    sign_in(client, READER, TEST_PASSWORD)
    southvale = f"/plans/{other.plan_id}/rollup"
    client.get(southvale)
    kept_cost = queries_for(app, client, southvale, kept=True)

    an_update(session, district)
    session.commit()

    assert queries_for(app, client, southvale, kept=True) == kept_cost
    assert kept_cost < queries_for(app, client, southvale), "kept: fewer queries than afresh"


def test_a_kept_roll_up_costs_a_fixed_few_queries_however_big_the_plan(
    app, client, session, district
):
    sign_in(client, READER, TEST_PASSWORD)
    page = f"/plans/{district['plan'].id}/rollup"
    client.get(page)
    small = queries_for(app, client, page, kept=True)
    for number in range(30):
        make_action(session, priority=district["roads"], title=f"Extra action {number}")
    session.commit()
    client.get(page)
    assert queries_for(app, client, page, kept=True) == small


def test_a_live_drafts_csv_asked_again_is_not_drawn_again(app, session, district):
    coordinator = client_signed_in_as(app, COORDINATOR)
    download = f"/reports/{district['draft'].id}/download/csv"
    coordinator.get(download)
    kept_cost = queries_for(app, coordinator, download, kept=True)
    assert kept_cost < queries_for(app, coordinator, download), "kept: fewer queries than afresh"
    for number in range(30):
        make_action(session, priority=district["roads"], title=f"Extra action {number}")
    session.commit()
    assert b"Extra action 29" in coordinator.get(download).data
    assert queries_for(app, coordinator, download, kept=True) == kept_cost


def test_an_answer_too_large_to_keep_is_still_given_each_time():
    forget_everything()
    drawn = []

    def draw() -> bytes:
        drawn.append(1)
        return b"x" * (DOWNLOAD_CACHE_BYTES + 1)

    for _ in range(2):
        assert len(kept(("a huge plan's CSV",), draw, download=True)) == DOWNLOAD_CACHE_BYTES + 1
    assert len(drawn) == 2, "drawn again rather than kept"


def test_a_repeat_request_with_its_tag_gets_304_until_something_is_written(
    client, session, district
):
    sign_in(client, READER, TEST_PASSWORD)
    plan_id = district["plan"].id
    for path in (f"/plans/{plan_id}/rollup", f"/api/v1/plans/{plan_id}/rollup"):
        first = client.get(path)
        tag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.get_data() == b""
        assert again.headers["ETag"] == tag

    an_update(session, district)
    session.commit()

    for path in (f"/plans/{plan_id}/rollup", f"/api/v1/plans/{plan_id}/rollup"):
        stale = client.get(path)  # the tag it was given before the write
        assert client.get(path, headers={"If-None-Match": "nothing-like-it"}).status_code == 200
        old_tag_answer = client.get(path, headers={"If-None-Match": stale.headers["ETag"]})
        assert old_tag_answer.status_code == 304, "the new tag is stable until the next write"


def test_the_old_tag_is_refused_after_a_write(client, session, district):
    sign_in(client, READER, TEST_PASSWORD)
    path = f"/plans/{district['plan'].id}/rollup"
    tag = client.get(path).headers["ETag"]
    an_update(session, district)
    session.commit()
    answer = client.get(path, headers={"If-None-Match": tag})
    assert answer.status_code == 200
    assert "Mentoring scheme" in answer.get_data(as_text=True)


def test_each_person_gets_their_own_page_and_tag(app, session, district):
    """The body is shared by role; the page around it, and its tag, are each person's."""
    coordinator, lead = client_signed_in_as(app, COORDINATOR), client_signed_in_as(app, LEAD)
    path = f"/plans/{district['plan'].id}/rollup"
    for_coordinator, for_lead = coordinator.get(path), lead.get(path)
    assert "See who still owes an update" in for_coordinator.get_data(as_text=True)
    assert "See who still owes an update" not in for_lead.get_data(as_text=True)
    assert "Sign-off" in for_coordinator.get_data(as_text=True)  # the coordinator's menu
    assert "Sign-off" not in for_lead.get_data(as_text=True)
    assert for_coordinator.headers["ETag"] != for_lead.headers["ETag"]
    asked_with_another_tag = lead.get(
        path, headers={"If-None-Match": for_coordinator.headers["ETag"]}
    )
    assert asked_with_another_tag.status_code == 200


def test_a_new_plan_to_switch_to_changes_the_pages_tag(client, session, district):
    """The page's menu offers "Switch plan" once there are two: a kept copy would not."""
    sign_in(client, READER, TEST_PASSWORD)
    path = f"/plans/{district['plan'].id}/rollup"
    tag = client.get(path).headers["ETag"]
    make_plan_version(session, plan=Plan(name="Southvale Partnership Plan"))
    session.commit()
    answer = client.get(path, headers={"If-None-Match": tag})
    assert answer.status_code == 200
    assert "Switch plan" in answer.get_data(as_text=True)


def test_a_page_with_a_message_to_show_is_drawn_again(client, session, district):
    """A flash is shown once: a 304 would swallow it, so such a page has no tag."""
    sign_in(client, READER, TEST_PASSWORD)
    path = f"/plans/{district['plan'].id}/rollup"
    tag = client.get(path).headers["ETag"]
    with client.session_transaction() as browser_session:
        browser_session["_flashes"] = [("success", "Saved the period.")]
    answer = client.get(path, headers={"If-None-Match": tag})
    assert answer.status_code == 200
    assert "Saved the period." in answer.get_data(as_text=True)
    assert "ETag" not in answer.headers


def _roll_ups_from_both_workers(
    http, base_url: str, plan_id: int, access_log: Path
) -> tuple[set[str], set[str]]:
    """The red count of every answer, page and JSON, asked two at a time (each over a
    connection of its own) until both workers have answered since this call began."""
    served_before = len(access_log.read_text().split())

    def red_counts(_: int) -> str:
        page = http.get(f"{base_url}/plans/{plan_id}/rollup", timeout=30).text
        cell = re.search(r'data-row="total".*?data-status="red"><a[^>]*>(\d+)<', page, re.DOTALL)
        json = http.get(f"{base_url}/api/v1/plans/{plan_id}/rollup", timeout=30).json()
        return f"page {cell.group(1)}, json {json['priority_totals']['counts']['red']}"

    seen: set[str] = set()
    workers: set[str] = set()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(50):
            seen.update(pool.map(red_counts, range(4)))
            workers = set(access_log.read_text().split()[served_before:])
            if len(workers) == 2:
                break
    return seen, workers


def _signed_in(base_url: str, email: str):
    http = person()
    page = http.get(f"{base_url}/login", timeout=30).text
    signed_in = http.post(
        f"{base_url}/login",
        data={"email": email, "password": TEST_PASSWORD, "csrf_token": csrf_token_from(page)},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, email
    return http


def test_every_gunicorn_worker_answers_with_the_update_at_once(
    session, database_url, district, tmp_path: Path
):
    access_log = tmp_path / "access.log"
    plan_id = district["plan"].id
    with gunicorn_serving(
        database_url,
        workers=2,
        extra_arguments=["--access-logfile", str(access_log), "--access-logformat", "%(p)s"],
    ) as served:
        reader = _signed_in(served.base_url, READER)
        before, workers = _roll_ups_from_both_workers(reader, served.base_url, plan_id, access_log)
        assert len(workers) == 2, "both workers have drawn and kept the roll-up"
        assert before == {"page 0, json 0"}

        lead = _signed_in(served.base_url, LEAD)
        mentors = district["mentors"].id
        form = lead.get(f"{served.base_url}/actions/{mentors}", timeout=30).text
        saved = lead.post(
            f"{served.base_url}/actions/{mentors}/updates",
            data={
                "csrf_token": csrf_token_from(form),
                "version": form_value(form, "version"),
                "rag": "red",
                "progress_text": "The provider has withdrawn from the scheme.",
                "mitigation_text": "Retendering with the youth service this month.",
            },
            headers={"HX-Request": "true"},
            timeout=30,
        )
        assert saved.status_code == 200, saved.text[:500]

        after, workers = _roll_ups_from_both_workers(reader, served.base_url, plan_id, access_log)
    assert len(workers) == 2, "both workers answered after the save"
    assert after == {"page 1, json 1"}, "every answer from either worker counts the save"


def test_the_stamp_changes_only_with_a_committed_write_to_its_plan(session, district):
    plan = district["plan"]
    stamp = plan.change_stamp
    district["mentors"].title = "Mentoring scheme (renamed)"
    session.rollback()
    assert session.scalar(select(Plan.change_stamp).where(Plan.id == plan.id)) == stamp

    session.add(Priority(plan_version=district["version"], name="Hate crime", position=3))
    session.commit()
    assert session.scalar(select(Plan.change_stamp).where(Plan.id == plan.id)) != stamp
