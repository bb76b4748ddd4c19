"""A lead's own actions: grouped by priority, what is due, filters kept in the URL."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from, form_value, queries_for, sign_in
from tests.support.paths import only_plan_path
from tracker.models import Action, Priority, Theme
from tracker.plans.demo_content import DEMO_PASSWORD, PRIORITIES


@pytest.fixture
def lead(client, session, demo_plan):
    response = sign_in(client, "lead.police@example.org", DEMO_PASSWORD)
    assert response.headers["Location"] == only_plan_path(session, "my-actions"), (
        "a lead lands on their actions"
    )
    return client


def titles(html: str) -> set[str]:
    return set(
        re.findall(
            r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="/actions/\d+">([^<]+)</a>',
            html,
        )
    )


def own_actions(*priority_names: str):
    return [a for p in PRIORITIES if p["name"] in priority_names for a in p["actions"]]


def test_lead_sees_only_their_actions_grouped_by_priority(lead, session):
    html = lead.get(only_plan_path(session, "my-actions")).get_data(as_text=True)
    expected = {
        a["title"].replace("'", "&#39;")
        for a in own_actions("Anti-Social Behaviour", "Serious Violence and Organised Crime")
    }
    assert titles(html) == expected
    assert html.index(">Anti-Social Behaviour</h2>") < html.index(
        ">Serious Violence and Organised Crime</h2>"
    )
    assert "Domestic Abuse" not in html
    assert "Update due for Oct–Nov 2026" in html and "Updated for Oct–Nov 2026" in html
    assert html.count('hx-get="/actions/') == len(
        [
            a
            for a in own_actions("Anti-Social Behaviour", "Serious Violence and Organised Crime")
            if a.get("state", "active") == "active"
        ]
    )


def test_an_action_a_lead_is_named_responsible_for_is_theirs_too(lead, session):
    """Beyond the priorities they lead, a lead's list holds the actions they are named
    responsible for, and only those, under the other priority's heading."""
    from tracker.models import User

    police = session.scalar(select(User).where(User.email == "lead.police@example.org"))
    domestic_abuse = session.scalar(select(Priority).where(Priority.name.like("Domestic Abuse%")))
    named, other = sorted(domestic_abuse.actions, key=lambda action: action.position)[:2]
    named.responsible_users.append(police)
    session.commit()
    page = only_plan_path(session, "my-actions")

    html = lead.get(page).get_data(as_text=True)
    assert named.title.replace("'", "&#39;") in titles(html)
    assert other.title.replace("'", "&#39;") not in titles(html)
    assert f">{domestic_abuse.name}</h2>" in html
    assert f'hx-get="/actions/{named.id}/update-form"' in html

    named.responsible_users.remove(police)
    session.commit()
    assert named.title.replace("'", "&#39;") not in titles(lead.get(page).get_data(as_text=True))


def test_needs_update_filter_lists_only_actions_without_an_update_this_period(lead, session):
    due = [
        a["title"]
        for a in own_actions("Anti-Social Behaviour", "Serious Violence and Organised Crime")
        if a["updates"][3] is None and a.get("state", "active") == "active"
    ]
    html = lead.get(only_plan_path(session, "my-actions?due=yes")).get_data(as_text=True)
    assert titles(html) == set(due)
    assert 'id="filter-due" name="due" type="checkbox" value="yes" checked' in html


def test_filters_combine_and_keep_their_state_in_the_url(lead, session):
    asb = session.scalar(select(Priority).where(Priority.name == "Anti-Social Behaviour"))
    early = session.scalar(select(Theme).where(Theme.name.like("Early intervention%")))
    html = lead.get(
        only_plan_path(session, f"my-actions?priority={asb.id}&theme={early.id}&rag=green")
    ).get_data(as_text=True)
    expected = {
        a["title"]
        for a in own_actions("Anti-Social Behaviour")
        if "early" in a["themes"] and a["updates"][-1] and a["updates"][-1][0] == "green"
    }
    assert titles(html) == expected and expected
    assert f'<option value="{asb.id}" selected' in html


def test_htmx_filter_request_returns_just_the_results(lead, session):
    response = lead.get(
        only_plan_path(session, "my-actions?rag=red"), headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="my-actions-results">')
    assert "<form" not in html.split('id="my-actions-results"')[0]
    assert (
        response.headers["Vary"] == "HX-Request, Cookie" or "HX-Request" in response.headers["Vary"]
    )


def test_saving_in_place_returns_the_card_and_fires_the_counts_event(lead, session):
    action = session.scalar(
        select(Action)
        .join(Priority)
        .where(Priority.name == "Anti-Social Behaviour")
        .order_by(Action.position)
    )
    form = lead.get(f"/actions/{action.id}/update-form", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert form.lstrip().startswith(
        f'<li class="app-action-card app-action-card--editing" id="action-{action.id}">'
    )
    response = lead.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(form),
            "version": form_value(form, "version"),
            "rag": "amber",
            "progress_text": "Webinar five postponed to March.",
        },
        headers={"HX-Request": "true"},
    )
    card = response.get_data(as_text=True)
    assert response.status_code == 200
    assert card.lstrip().startswith(f'<li class="app-action-card" id="action-{action.id}">')
    assert "Update saved." in card and ">Amber<" in card
    assert json.loads(response.headers["HX-Trigger"]) == {"updateSaved": {"action": action.id}}
    counts = lead.get(only_plan_path(session, "my-actions/counts")).get_data(as_text=True)
    assert 'id="my-action-counts"' in counts


def test_invalid_update_in_place_comes_back_with_messages(lead, session):
    action = session.scalar(
        select(Action)
        .join(Priority)
        .where(Priority.name == "Anti-Social Behaviour")
        .order_by(Action.position)
    )
    form = lead.get(f"/actions/{action.id}/update-form", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    response = lead.post(
        f"/actions/{action.id}/updates",
        data={
            "csrf_token": csrf_token_from(form),
            "version": form_value(form, "version"),
            "rag": "red",
            "progress_text": "Stalled because the venue closed.",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter what is being done about the red status" in html
    assert "Stalled because the venue closed." in html, "what was typed stays in the form"


def test_viewer_is_told_they_have_no_actions(client, session, demo_plan):
    sign_in(client, "viewer@example.org", DEMO_PASSWORD)
    assert "You are not responsible for any actions" in client.get(
        only_plan_path(session, "my-actions")
    ).get_data(as_text=True)


def test_my_actions_query_count_does_not_grow_with_actions(app, lead, session):

    from tests.support.factories import make_action

    def queries() -> int:
        return queries_for(app, lead, only_plan_path(session, "my-actions"))

    before = queries()
    asb = session.scalar(select(Priority).where(Priority.name == "Anti-Social Behaviour"))
    for _ in range(25):
        make_action(session, priority=asb)
    session.commit()
    assert queries() == before
