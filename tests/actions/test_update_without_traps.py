"""A lead's update without traps, on a plan a partnership set up itself: two forms open at
once, the error links, the way back without JavaScript, the last update shown, the flags
for actions past their target date, and the roll-up and plan page saying what they count."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from tests.conftest import client_signed_in_as, csrf_token_from, form_value
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tests.support.paths import plan_path
from tracker.models import Update

HX = {"HX-Request": "true"}


@pytest.fixture
def plan(session):
    version = make_plan_version(session, label="2026/27", effective_from=date(2026, 4, 1))
    lead = make_user(session, role="lead", name="Lia Lead")
    coordinator = make_user(session, role="coordinator", name="Cal Coordinator", two_factor=True)
    roads = make_priority(session, plan_version=version, name="Safer Roads", position=1)
    roads.leads.append(lead)
    homes = make_priority(session, plan_version=version, name="Safer Homes", position=2)
    homes.leads.append(lead)
    earlier = make_period(
        session,
        plan_version=version,
        name="Summer 2026",
        start_date=date(2026, 6, 1),
        end_date=date(2026, 8, 31),
    )
    autumn = make_period(
        session,
        plan_version=version,
        name="Autumn 2026",
        start_date=date(2026, 9, 1),
        end_date=date(2026, 11, 30),
        is_open=True,
    )
    speed = make_action(
        session,
        priority=roads,
        title="Speed checks near schools",
        position=1,
        start_date=date(2026, 4, 1),
        target_date=date(2026, 10, 31),
    )
    helmets = make_action(session, priority=roads, title="Cycle helmet scheme", position=2)
    locks = make_action(session, priority=homes, title="Door locks for victims", position=1)
    make_update(
        session,
        action=speed,
        author=lead,
        rag="amber",
        period=earlier,
        progress_text="Two schools signed up; three more asked.",
    )
    session.commit()
    return {
        "version": version,
        "lead": lead,
        "coordinator": coordinator,
        "roads": roads,
        "earlier": earlier,
        "autumn": autumn,
        "speed": speed,
        "helmets": helmets,
        "locks": locks,
    }


@pytest.fixture
def lead(app, plan):
    return client_signed_in_as(app, plan["lead"].email)


@pytest.fixture
def coordinator(app, plan):
    return client_signed_in_as(app, plan["coordinator"].email)


def ids_in(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_two_open_update_forms_have_their_own_ids_labels_and_character_counts(lead, plan):
    first = lead.get(f"/actions/{plan['speed'].id}/update-form", headers=HX).get_data(as_text=True)
    second = lead.get(f"/actions/{plan['helmets'].id}/update-form", headers=HX).get_data(
        as_text=True
    )
    duplicated = [
        name for name, count in Counter(ids_in(first) + ids_in(second)).items() if count > 1
    ]
    assert duplicated == [], "two forms on one page must not share an id"

    for html, action in ((second, plan["helmets"]), (first, plan["speed"])):
        ids = set(ids_in(html))
        # Every label, hint reference and error link points into its own form.
        assert set(re.findall(r'\sfor="([^"]+)"', html)) <= ids
        for described in re.findall(r'aria-describedby="([^"]+)"', html):
            assert set(described.split()) <= ids
        assert f'id="completes-{action.id}"' in html, "the box completes this action only"
        assert f'for="completes-{action.id}"' in html
        assert f'for="progress_text-{action.id}"' in html, "the textarea has its own label"
        # GOV.UK's character count starts from its module and its own counter element.
        assert f'id="progress_text-{action.id}-info"' in html
        assert 'data-module="govuk-character-count"' in html


def test_the_error_summary_links_to_fields_that_exist(lead, plan):
    action = plan["helmets"]
    form = lead.get(f"/actions/{action.id}/update-form", headers=HX).get_data(as_text=True)
    refused = lead.post(
        f"/actions/{action.id}/updates",
        data={"csrf_token": csrf_token_from(form), "version": form_value(form, "version")},
        headers=HX,
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html)
    assert (f"rag-{action.id}", "Choose red, amber or green") in links
    ids = set(ids_in(html))
    assert all(target in ids for target, _text in links), links


def test_the_action_page_reads_its_dates_as_a_sentence(lead, plan):
    html = lead.get(f"/actions/{plan['speed'].id}").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "From 1 April 2026 to 31 October 2026" in text


def test_without_javascript_a_saved_update_returns_to_your_actions_at_the_next_action(
    lead, plan, session
):
    mine = plan_path(plan["version"], "my-actions")
    listing = lead.get(mine).get_data(as_text=True)
    link = re.search(rf'href="(/actions/{plan["speed"].id}\?[^"#]+)#add-update-heading"', listing)
    assert link, "the card's Add update link works without JavaScript"
    page = lead.get(unescape(link.group(1))).get_data(as_text=True)
    return_to = re.search(rf'id="return_to-{plan["speed"].id}"[^>]*value="([^"]*)"', page)
    assert return_to and unescape(return_to.group(1)) == mine

    saved = lead.post(
        f"/actions/{plan['speed'].id}/updates",
        data={
            "csrf_token": csrf_token_from(page),
            "version": form_value(page, "version"),
            "return_to": mine,
            "rag": "green",
            "progress_text": "All five schools now have checks each term.",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"{mine}#action-{plan['helmets'].id}"
    session.expire_all()
    assert session.scalar(select(Update).where(Update.period_id == plan["autumn"].id))


def test_the_update_form_shows_the_last_update(lead, plan):
    form = lead.get(f"/actions/{plan['speed'].id}/update-form", headers=HX).get_data(as_text=True)
    last = form[form.index("app-last-update") :]
    assert "Last update" in last and ">Amber<" in last
    assert "Lia Lead" in last and "(for Summer 2026)" in last
    assert "Two schools signed up; three more asked." in last
    page = lead.get(f"/actions/{plan['helmets'].id}").get_data(as_text=True)
    assert "<strong>Last update</strong>: none yet" in page


def test_an_action_past_its_target_date_is_flagged_on_cards_drill_down_and_roll_up(
    lead, coordinator, plan, session
):
    plan["helmets"].target_date = date.today() + timedelta(days=30)  # not yet due
    session.commit()
    cards = lead.get(plan_path(plan["version"], "my-actions")).get_data(as_text=True)
    speed_card = cards[cards.index(f'id="action-{plan["speed"].id}"') :]
    speed_card = speed_card[: speed_card.index("</li>")]
    assert "Past target date" in speed_card and "(target 31 October 2026)" in speed_card
    assert cards.count("Past target date") == 1, "only the action whose date has gone by"

    drill = coordinator.get(
        plan_path(plan["version"], f"rollup/actions?period={plan['autumn'].id}")
    ).get_data(as_text=True)
    assert drill.count("Past target date") == 1

    rollup = coordinator.get(
        plan_path(plan["version"], f"rollup?period={plan['autumn'].id}")
    ).get_data(as_text=True)
    roads_row = rollup[rollup.index(f'data-row="{plan["roads"].id}"') :]
    roads_row = roads_row[: roads_row.index("</tr>")]
    assert re.search(r"data-past-target>.*?>1<span[^>]*> past their target date", roads_row)


def test_the_roll_up_and_the_plan_page_say_which_status_they_count(coordinator, plan):
    rollup = coordinator.get(
        plan_path(plan["version"], f"rollup?period={plan['autumn'].id}")
    ).get_data(as_text=True)
    assert "<strong>Status in Autumn 2026</strong>" in rollup
    assert "counts each action's <strong>current status</strong> instead" in rollup
    assert f'href="{plan_path(plan["version"], "periods/outstanding")}"' in rollup, (
        "the chase list is reachable from the roll-up"
    )
    overview = coordinator.get(plan_path(plan["version"])).get_data(as_text=True)
    assert "<strong>Current status</strong> of active actions" in overview
    assert "roll-up for Autumn 2026</a> counts only updates written in that period" in overview


def test_a_count_on_the_roll_up_loads_its_list_next_to_the_tables_and_names_its_heading(
    coordinator, plan
):
    rollup = coordinator.get(
        plan_path(plan["version"], f"rollup?period={plan['autumn'].id}")
    ).get_data(as_text=True)
    assert rollup.index('id="rollup-drilldown"') < rollup.index("What moved since")
    assert 'data-focus-after="#rollup-drilldown-heading"' in rollup
    drill = coordinator.get(
        plan_path(plan["version"], f"rollup/actions?period={plan['autumn'].id}&status=none"),
        headers=HX,
    ).get_data(as_text=True)
    assert 'id="rollup-drilldown-heading" tabindex="-1"' in drill
