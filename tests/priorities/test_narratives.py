"""A priority's context narrative for a period: paragraphs, source notes and safe saving."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, form_value, sign_in
from tests.priorities.test_indicators import field_error
from tests.support.factories import make_period
from tracker.models import Priority, PriorityNarrative, ReportingPeriod
from tracker.plans.demo_content import DEMO_PASSWORD
from tracker.priorities.services import Citation, narrative_paragraphs, source_notes


def test_paragraphs_split_at_blank_lines_and_citations_are_picked_out():
    body = "Crime fell [1] this period.\n\nReferrals rose [2].\n  \n\nA third paragraph."
    assert narrative_paragraphs(body) == [
        ["Crime fell ", Citation(1), " this period."],
        ["Referrals rose ", Citation(2), "."],
        ["A third paragraph."],
    ]


def test_source_notes_are_one_a_line_without_the_numbers_people_type():
    assert source_notes("1. Police data\n\n[2] Service report\n3) Survey\nNo number") == [
        "Police data",
        "Service report",
        "Survey",
        "No number",
    ]


@pytest.fixture
def coordinator(client, session, demo_plan):
    sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    return client


def road_safety_and_period(session):
    """Road Safety and a period the demo has no context for; the demo's earlier periods are
    closed (locked), so this is the next one, which takes context before it opens."""
    priority = session.scalar(select(Priority).where(Priority.name == "Road Safety"))
    period = make_period(
        session,
        plan_version=priority.plan_version,
        name="Dec 2026–Jan 2027",
        start_date=date(2026, 12, 1),
        end_date=date(2027, 1, 31),
    )
    session.commit()
    return priority, period


def save(client, url, body, sources="", page=None):
    page = page or client.get(url).get_data(as_text=True)
    return client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "version": form_value(page, "version"),
            "body": body,
            "sources": sources,
        },
    )


def test_the_context_shows_on_the_priority_page_as_paragraphs_with_numbered_sources(
    coordinator, session
):
    priority, period = road_safety_and_period(session)
    url = f"/priorities/{priority.id}/context?period={period.id}"
    response = save(
        coordinator,
        url,
        "Casualties rose on rural roads [1].\n\nA <script>alert(1)</script> campaign starts [2].",
        "Police collision data\nCampaign plan",
    )
    assert response.status_code == 303
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    context = page.split('id="context"')[1].split('id="indicators"')[0]
    assert '<p class="govuk-body app-history__text">Casualties rose on rural roads ' in context
    assert 'href="#context-note-1"' in context and 'href="#context-note-2"' in context
    assert '<li id="context-note-1">Police collision data</li>' in context
    assert '<li id="context-note-2">Campaign plan</li>' in context
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in context and "<script>alert" not in page
    assert "Last written by Sam Patel" in context


def test_citing_a_note_that_does_not_exist_is_refused_and_nothing_is_saved(coordinator, session):
    priority, period = road_safety_and_period(session)
    response = save(
        coordinator,
        f"/priorities/{priority.id}/context?period={period.id}",
        "See the figures [1] and [3].",
        "Police collision data",
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "body") == (
        "The context cites [3] but there is only 1 source note: add the note or remove the citation"
    )
    assert (
        session.scalar(
            select(func.count())
            .select_from(PriorityNarrative)
            .where(
                PriorityNarrative.priority_id == priority.id,
                PriorityNarrative.period_id == period.id,
            )
        )
        == 0
    )


def test_empty_context_is_refused(coordinator, session):
    priority, period = road_safety_and_period(session)
    response = save(coordinator, f"/priorities/{priority.id}/context?period={period.id}", "  ")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "body") == "Enter the context"


def test_two_people_writing_the_same_context_do_not_overwrite_each_other(app, session, demo_plan):
    priority, period = road_safety_and_period(session)
    url = f"/priorities/{priority.id}/context?period={period.id}"
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        sign_in(client, "coordinator@example.org", DEMO_PASSWORD)
    first_page = first.get(url).get_data(as_text=True)
    second_page = second.get(url).get_data(as_text=True)

    assert save(first, url, "The first person's context.", page=first_page).status_code == 303
    conflict = save(second, url, "The second person's context.", page=second_page)
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Someone else saved this context" in html
    assert "The first person&#39;s context." in html  # theirs, shown for comparison
    assert "The second person&#39;s context.</textarea>" in html  # yours, kept in the form
    session.expire_all()
    assert (
        session.scalar(
            select(PriorityNarrative.body).where(
                PriorityNarrative.priority_id == priority.id,
                PriorityNarrative.period_id == period.id,
            )
        )
        == "The first person's context."
    )
    # Saving again from the conflict page replaces theirs, knowingly.
    assert save(second, url, "The second person's context.", page=html).status_code == 303
    session.expire_all()
    assert (
        session.scalar(
            select(PriorityNarrative.body).where(
                PriorityNarrative.priority_id == priority.id,
                PriorityNarrative.period_id == period.id,
            )
        )
        == "The second person's context."
    )


def test_a_period_of_another_plan_is_not_found(coordinator, session):
    priority, _period = road_safety_and_period(session)
    elsewhere = make_period(session, name="Another plan's period")
    session.commit()
    assert (
        coordinator.get(f"/priorities/{priority.id}/context?period={elsewhere.id}").status_code
        == 404
    )
    assert coordinator.get(f"/priorities/{priority.id}?period={elsewhere.id}").status_code == 404


def test_the_demo_context_shows_for_its_period_and_not_for_others(coordinator, session):
    priority = session.scalar(select(Priority).where(Priority.name == "Domestic Abuse"))
    periods = {p.name: p.id for p in session.scalars(select(ReportingPeriod))}
    latest = coordinator.get(f"/priorities/{priority.id}").get_data(as_text=True)
    assert "Context for Oct–Nov 2026" in latest and "Recorded crimes fell slightly" in latest
    earliest = coordinator.get(
        f"/priorities/{priority.id}?period={periods['Apr–May 2026']}"
    ).get_data(as_text=True)
    assert "No context has been written for Apr–May 2026 yet." in earliest
    assert "Recorded crimes fell slightly" not in earliest
