"""The refresh through its pages, as a coordinator runs it, and last year read afterwards."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from sqlalchemy import select

from tests.conftest import client_signed_in_as, csrf_token_from, form_value
from tests.refresh.conftest import NEXT_YEAR, decide_everything, named
from tests.support.factories import make_period, make_user
from tests.support.paths import plan_path
from tracker.extensions import db
from tracker.models import Action, Priority, Update, utcnow
from tracker.refresh.services import publish_refresh, start_refresh
from tracker.reports.services import publish, start_draft


def _client(app, user):
    return client_signed_in_as(app, user.email)


@pytest.fixture
def coordinator(app, session, plan):
    user = make_user(session, role="coordinator", two_factor=True)
    session.commit()
    return _client(app, user)


def _post(client, page_url, url, **fields):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def test_a_coordinator_starts_the_refresh_and_a_wrong_date_is_refused_next_to_the_field(
    coordinator, plan
):
    url = plan_path(plan["version"], "refresh")
    page = coordinator.get(url).get_data(as_text=True)
    assert "Start the refresh" in page and "copy of 2026/27" in page

    refused = _post(
        coordinator,
        url,
        url,
        label="2027/28",
        effective_from=["1", "3", "2026"],
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="effective_from-error"' in html
    assert "must take effect after 2026/27 did (1 April 2026)" in html

    started = _post(
        coordinator,
        url,
        url,
        label="2027/28",
        agreement_version="2.0",
        effective_from=["1", "4", "2027"],
    )
    assert started.status_code == 303
    draft_page = coordinator.get(url).get_data(as_text=True)
    assert "Refresh: 2027/28" in draft_page
    assert "1 still to decide" not in draft_page  # every action's priority carries on as one
    assert "0 decided, 3 proposed by the refresh" in draft_page


def test_renaming_in_the_draft_keeps_what_it_continues_and_the_lead_never_sees_the_draft(
    app, session, coordinator, plan
):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    session.commit()
    renamed = named(session, draft, Priority, "Serious and Organised Crime")
    edit_url = f"/priorities/{renamed.id}/edit"
    page = coordinator.get(edit_url).get_data(as_text=True)
    assert "Continues, from 2026/27" in page
    response = coordinator.post(
        edit_url,
        data={
            "csrf_token": csrf_token_from(page),
            "version": form_value(page, "version"),
            "name": "Serious Violence and Organised Crime",
            "predecessors": [str(plan["organised"].id)],
        },
    )
    assert response.status_code == 303
    structure = coordinator.get(plan_path(draft, "structure?version=2")).get_data(as_text=True)
    assert "Continues Serious and Organised Crime" in structure

    # Leads go on with this year's plan; the draft is not theirs to see.
    lead = _client(app, plan["lead"])
    assert lead.get(plan_path(draft, "rollup?version=2")).status_code == 404
    assert "2027/28" not in lead.get(plan_path(draft, "")).get_data(as_text=True)
    assert lead.get(f"/priorities/{renamed.id}").status_code == 404


def test_deciding_an_action_in_place_and_publishing_refused_then_done(
    app, session, coordinator, plan
):
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    going = named(session, draft, Priority, "Acquisitive Crime")
    going.retired_at = utcnow()
    session.commit()
    refresh_url = plan_path(draft, "refresh")

    refused = _post(coordinator, refresh_url, plan_path(draft, "refresh/publish"))
    assert refused.status_code == 422
    assert "1 action still to decide" in refused.get_data(as_text=True)
    assert plan["version"].is_current

    listing = coordinator.get(plan_path(draft, "refresh/actions")).get_data(as_text=True)
    assert "<strong>1</strong> of 3 still to decide" in listing
    # Every field of each row has its own id, so hundreds of rows make a valid page.
    ids = re.findall(r'id="([^"]+)"', listing)
    assert len(ids) == len(set(ids))

    decision = coordinator.post(
        plan_path(draft, f"refresh/actions/{plan['burglary'].id}"),
        data={"csrf_token": csrf_token_from(listing), "outcome": "carry"},
        headers={"HX-Request": "true"},
    )
    assert decision.status_code == 422
    row = decision.get_data(as_text=True)
    assert f'id="priority-{plan["burglary"].id}-error"' in row
    assert "Choose the new priority it carries forward to" in row

    decision = coordinator.post(
        plan_path(draft, f"refresh/actions/{plan['burglary'].id}"),
        data={"csrf_token": csrf_token_from(listing), "outcome": "close"},
        headers={"HX-Request": "true"},
    )
    assert decision.status_code == 200
    assert "Close as business as usual" in decision.get_data(as_text=True)

    published = _post(
        coordinator, refresh_url, plan_path(draft, "refresh/publish"), notes="Chapter 6 updated."
    )
    assert published.status_code == 303
    overview = coordinator.get(published.headers["Location"]).get_data(as_text=True)
    assert "Published 2027/28" in overview
    assert "Version control" in overview
    assert "Priority removed: Acquisitive Crime" in overview
    assert "Chapter 6 updated." in overview
    session.expire_all()
    assert plan["burglary"].state == "active"  # as it was in 2026/27: it just did not continue
    old_action = coordinator.get(f"/actions/{plan['burglary'].id}").get_data(as_text=True)
    assert "Closed as business as usual when 2027/28 replaced this version" in old_action


@pytest.fixture
def refreshed(session, plan):
    """The plan after its refresh: renamed, retired, added, decided, published."""
    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    decide_everything(session, plan, draft)
    publish_refresh(session, draft, plan["coordinator"])
    session.commit()
    return draft


def test_last_years_pages_read_as_they_did_with_the_version_picker(
    app, session, coordinator, plan, refreshed
):
    old = plan_path(plan["version"], "rollup?version=1")
    rollup = coordinator.get(old)
    assert rollup.status_code == 200
    html = rollup.get_data(as_text=True)
    assert "Serious and Organised Crime" in html and "Acquisitive Crime" in html
    assert "Serious Violence and Organised Crime" not in html.split("<main")[1]
    assert "replaced by 2027/28 from 1 April 2027" in html
    # Links on last year's pages stay in last year's version.
    assert re.search(r'href="/plans/\d+/rollup/trend\?[^"]*version=1', html)
    # The period picker is a GET form: it carries the version too.
    assert '<input type="hidden" name="version" value="1">' in html.split('id="period"')[0]

    current = coordinator.get(plan_path(plan["version"], "")).get_data(as_text=True)
    assert "Serious Violence and Organised Crime" in current
    assert "Acquisitive Crime" not in current.split("<main")[1].split("Version control")[0]

    for page in (
        "?version=1",
        "rollup/trend?version=1",
        "rollup/actions?version=1&rag=red",
        "reports?version=1",
        f"reports/performance-summary?version=1&period={plan['q1'].id}",
    ):
        response = coordinator.get(plan_path(plan["version"], page))
        assert response.status_code == 200, page
    api = coordinator.get(f"/api/v1/plans/{plan['version'].plan_id}/rollup?version=1").get_json()
    assert {p["name"] for p in api["priorities"]} >= {"Acquisitive Crime"}
    assert coordinator.get(plan_path(plan["version"], "rollup?version=9")).status_code == 404


def test_last_years_version_refuses_changes_with_a_clear_message(
    app, session, coordinator, plan, refreshed
):
    lead = _client(app, plan["lead"])
    action_url = f"/actions/{plan['county_lines'].id}"
    page = lead.get(action_url).get_data(as_text=True)
    assert "Add an update" not in page  # no form on last year's action
    assert "To <a" in page and "in 2027/28" in page  # where it went

    response = lead.post(
        f"{action_url}/updates",
        data={
            "csrf_token": csrf_token_from(page),
            "rag": "green",
            "progress_text": "Trying to write into last year's plan.",
            "version": str(plan["county_lines"].version),
        },
    )
    assert response.status_code == 409
    assert "2026/27 was replaced by 2027/28 on 1 April 2027" in response.get_data(as_text=True)

    in_place = lead.post(
        f"{action_url}/updates",
        data={"csrf_token": csrf_token_from(page), "rag": "green", "progress_text": "x" * 20},
        headers={"HX-Request": "true"},
    )
    assert in_place.status_code == 409 and in_place.headers["HX-Refresh"] == "true"

    context = coordinator.get(f"/priorities/{plan['organised'].id}/context")
    assert context.status_code == 409
    structure = coordinator.get(f"/priorities/{plan['organised'].id}/edit")
    assert structure.status_code == 409
    assert session.scalar(select(db.func.count()).select_from(Update)) == 3


def test_the_carried_action_shows_last_years_history_and_starts_with_no_update(
    app, session, coordinator, plan, refreshed
):
    carried = session.scalar(
        select(Action).where(Action.carried_forward_from_id == plan["county_lines"].id)
    )
    page = coordinator.get(f"/actions/{carried.id}").get_data(as_text=True)
    assert "Carried forward from the 2026/27 plan" in page
    assert page.count("2026/27 ·") == 2  # both of last year's updates, labelled with the year
    status = page.split("Current status")[1].split("</dd>")[0]
    assert "No update" in status


def test_a_live_export_of_last_years_period_shows_last_years_names(
    app, session, coordinator, plan, refreshed
):
    report = start_draft(
        session, period=plan["q4"], subject="Year-end update", author=plan["coordinator"]
    )
    session.commit()
    sheet = coordinator.get(f"/reports/{report.id}/download/csv")
    assert sheet.status_code == 200
    text = sheet.get_data(as_text=True)
    assert "Serious and Organised Crime" in text and "Acquisitive Crime" in text
    assert "Serious Violence and Organised Crime" not in text


def test_a_report_of_the_new_version_has_the_changes_to_the_agreement(
    app, session, coordinator, plan, refreshed
):
    period = make_period(
        session,
        plan_version=refreshed,
        name="2027/28 Q1",
        start_date=date(2027, 4, 1),
        end_date=date(2027, 6, 30),
    )
    report = start_draft(session, period=period, subject="First update", author=plan["coordinator"])
    last_years = start_draft(
        session, period=plan["q4"], subject="Year end", author=plan["coordinator"]
    )
    session.commit()

    page = coordinator.get(f"/reports/{report.id}/print").get_data(as_text=True)
    # A new draft has the block as a section of its own, after the progress and what moved.
    block = page.split(">4.0 Changes to the agreement</h2>")[1].split("</section>")[0]
    assert "Version 2.0 (2027/28), effective from 1 April 2027" in block
    assert "Priority renamed: Serious and Organised Crime is now" in block
    assert "Changes to the agreement" not in coordinator.get(f"/reports/{last_years.id}").get_data(
        as_text=True
    )
    # Last year's version was made by no refresh: its paper has no such section at all.
    last_years_paper = coordinator.get(f"/reports/{last_years.id}/print").get_data(as_text=True)
    assert "Changes to the agreement" not in last_years_paper

    word = coordinator.get(f"/reports/{report.id}/download/docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(word.data)).paragraphs)
    assert "Changes to the agreement" in text
    assert "Priority added: Preventing Extremism and Hate" in text


def test_a_new_years_reading_is_offered_the_same_period_last_year_to_compare(
    app, session, coordinator, plan, refreshed
):
    period = make_period(
        session,
        plan_version=refreshed,
        name="2027/28 Q1",
        start_date=date(2027, 4, 1),
        end_date=date(2027, 6, 30),
    )
    session.commit()
    roads = named(session, refreshed, Priority, "Road Safety")
    [indicator] = roads.indicators
    form = coordinator.get(f"/indicators/{indicator.id}/readings/new?period={period.id}")
    html = form.get_data(as_text=True)
    assert form_value(html, "comparison_value") == "120"
    assert form_value(html, "comparison_label") == "same period last year"
    page = coordinator.get(f"/priorities/{roads.id}").get_data(as_text=True)
    assert "2026/27 Q1" in page  # last year's reading is this indicator's history


def _without_tokens(html):
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_a_paper_published_before_the_refresh_reads_the_same_after_it(
    app, session, coordinator, plan
):
    report = start_draft(session, period=plan["q4"], subject="Q4 update", author=plan["lead"])
    report.authors = [{"name": "Cora Ordinator", "role": "Community Safety Manager"}]
    report.meeting = "Partnership board"
    report.meeting_date = date(2027, 3, 20)
    report.summary = "Progress in the last quarter."
    report.recommendations = "Note the report."
    publish(session, report, plan["coordinator"])
    session.commit()
    before = coordinator.get(f"/reports/{report.id}/print").get_data(as_text=True)
    sheet_before = coordinator.get(f"/reports/{report.id}/download/csv").data

    draft = start_refresh(session, plan["version"].plan, NEXT_YEAR)
    decide_everything(session, plan, draft)
    publish_refresh(session, draft, plan["coordinator"])
    session.commit()

    after = coordinator.get(f"/reports/{report.id}/print").get_data(as_text=True)
    assert _without_tokens(after) == _without_tokens(before)
    assert coordinator.get(f"/reports/{report.id}/download/csv").data == sheet_before
    assert "Acquisitive Crime" in after
