"""A plan's own status scale: red/amber/green (the default), BRAG with blue for complete, or
the five-point delivery confidence scale, with the plan's own definitions shown where a lead
chooses; pages, the JSON and the Word, PDF and Excel files all follow the plan's scale."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import client_signed_in_as, csrf_token_from, run_cli
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_user,
)
from tests.support.paths import plan_path
from tests.support.updates import give_update as give
from tracker.models import Action, Plan, Update

FIVE_POINT = ["red", "amber_red", "amber", "amber_green", "green", "none", "completed"]


def build(session, scale: str):
    version = make_plan_version(
        session,
        plan=Plan(name=f"{scale} plan", status_scale=scale),
        effective_from=date(2026, 4, 1),
    )
    lead = make_user(session, role="lead", name="Lee Lead")
    coordinator = make_user(session, role="coordinator", name="Coco Ordinator", two_factor=True)
    priority = make_priority(session, plan_version=version, name="Safer Streets")
    priority.leads.append(lead)
    period = make_period(
        session,
        plan_version=version,
        name="Winter 2026",
        start_date=date(2026, 12, 1),
        end_date=date(2027, 2, 28),
        is_open=True,
    )
    cameras = make_action(
        session, priority=priority, title="Cameras on the high street", position=1
    )
    patrols = make_action(session, priority=priority, title="Evening patrols", position=2)
    session.commit()
    return {
        "version": version,
        "lead": lead,
        "coordinator": coordinator,
        "period": period,
        "cameras": cameras,
        "patrols": patrols,
    }


def rollup_json(client, plan):
    url = f"/api/v1/plans/{plan['version'].plan_id}/rollup?period={plan['period'].id}"
    return client.get(url).get_json()


def test_the_five_point_scale_is_offered_with_its_definitions_and_counted(app, session):
    plan = build(session, "five_point")
    lead = client_signed_in_as(app, plan["lead"].email)
    form = unescape(lead.get(f"/actions/{plan['cameras'].id}").get_data(as_text=True))
    values = re.findall(r'name="rag" type="radio" value="(\w+)"', form)
    assert values == ["green", "amber_green", "amber", "amber_red", "red"]
    assert "Amber/Green" in form and "Amber/Red" in form
    assert "Delivery is in doubt: major risks or issues in several areas" in form
    assert 'value="amber_red"' in form and 'value="blue"' not in form

    refused = give(lead, plan["cameras"], "blue")
    assert refused.status_code == 422
    assert "Choose red, amber/red, amber, amber/green or green" in unescape(
        refused.get_data(as_text=True)
    )
    assert give(lead, plan["cameras"], "amber_red").status_code == 200
    assert give(lead, plan["patrols"], "amber_green").status_code == 200

    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    data = rollup_json(coordinator, plan)
    assert data["status_scale"] == "five_point"
    assert data["statuses"] == FIVE_POINT
    assert data["priority_totals"]["counts"] == {
        "red": 0,
        "amber_red": 1,
        "amber": 0,
        "amber_green": 1,
        "green": 0,
        "none": 0,
        "completed": 0,
    }
    assert data["priority_totals"]["overall_status"] == "amber_red"
    assert "Delivery as planned looks unachievable" in data["status_definitions"]["red"]
    page = unescape(coordinator.get(plan_path(plan["version"], "rollup")).get_data(as_text=True))
    assert ">Amber/Red</th>" in page and ">Amber/Green</th>" in page
    assert 'class="app-rag app-rag--amber_red">Amber/Red</strong>' in page


def test_brag_blue_completes_the_action_and_counts_as_completed(app, session):
    plan = build(session, "brag")
    lead = client_signed_in_as(app, plan["lead"].email)
    form = unescape(lead.get(f"/actions/{plan['cameras'].id}").get_data(as_text=True))
    assert "Blue (complete)" in form and "Complete: delivered, and the action can close." in form
    assert give(lead, plan["cameras"], "blue", "All six cameras are live.").status_code == 200
    session.expire_all()
    assert session.get(Action, plan["cameras"].id).state == "completed"
    data = rollup_json(lead, plan)
    assert data["statuses"] == ["red", "amber", "green", "none", "completed"]
    assert data["priority_totals"]["counts"]["completed"] == 1
    history = unescape(lead.get(f"/actions/{plan['cameras'].id}").get_data(as_text=True))
    assert "Blue (complete)" in history


def test_a_red_amber_green_plan_refuses_another_scales_status(app, session):
    plan = build(session, "rag")
    lead = client_signed_in_as(app, plan["lead"].email)
    refused = give(lead, plan["cameras"], "amber_red")
    assert refused.status_code == 422
    assert "Choose red, amber or green" in unescape(refused.get_data(as_text=True))
    assert session.scalars(select(Update)).all() == []
    assert rollup_json(lead, plan)["statuses"] == ["red", "amber", "green", "none", "completed"]


def test_the_coordinator_words_the_definitions_and_changes_the_scale(app, session):
    plan = build(session, "rag")
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    url = plan_path(plan["version"], "status-scale")
    page = coordinator.get(url).get_data(as_text=True)
    token = csrf_token_from(page)
    own_words = "Behind plan, and the lead has asked the working group for help."
    saved = coordinator.post(
        url,
        data={"csrf_token": token, "form": "definitions", "definition-red": own_words},
    )
    assert saved.status_code == 303
    lead = client_signed_in_as(app, plan["lead"].email)
    form = unescape(lead.get(f"/actions/{plan['cameras'].id}").get_data(as_text=True))
    assert own_words in form
    assert "In progress, with some risk to delivery" in form  # amber left blank: the default

    too_long = coordinator.post(
        url, data={"csrf_token": token, "form": "definitions", "definition-green": "x" * 301}
    )
    assert too_long.status_code == 422
    html = unescape(too_long.get_data(as_text=True))
    assert 'id="definition-green-error"' in html and "300 characters or fewer" in html

    # Red/amber/green's statuses are all in the five-point scale: the change is allowed.
    give(lead, plan["cameras"], "amber")
    assert (
        coordinator.post(
            url, data={"csrf_token": token, "form": "scale", "scale": "five_point"}
        ).status_code
        == 303
    )
    give(lead, plan["patrols"], "amber_green")
    # Back to red/amber/green would drop Amber/Green out of every count: refused.
    refused = coordinator.post(url, data={"csrf_token": token, "form": "scale", "scale": "rag"})
    assert refused.status_code == 422
    assert "(1 Amber/Green)" in unescape(refused.get_data(as_text=True))
    session.expire_all()
    assert session.get(Plan, plan["version"].plan_id).status_scale == "five_point"


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_the_papers_follow_the_plans_scale(app, session, tmp_path, fmt):
    plan = build(session, "five_point")
    lead = client_signed_in_as(app, plan["lead"].email)
    give(lead, plan["cameras"], "amber_green")
    output = tmp_path / f"paper.{fmt}"
    result = run_cli(
        app,
        [
            "export",
            "--period",
            str(plan["period"].id),
            "--format",
            fmt,
            "--output",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        book = load_workbook(BytesIO(output.read_bytes()))
        words = {
            str(cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
        }
    elif fmt == "docx":
        document = Document(str(output))
        words = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    else:
        text = " ".join(page.extract_text() for page in PdfReader(str(output)).pages)
        text = text.replace("/\n", "/")  # a narrow header cell breaks after the slash
        words = {word for word in ("Amber/Red", "Amber/Green") if word in text}
    # The summary's columns are the plan's five statuses, and the action shows its own.
    assert {"Amber/Red", "Amber/Green"} <= words
