"""A priority's overall status is the worst status given in the period, beside how many of
its actions were updated; percentages add up to 100; and a red status's recovery plan goes
wherever the status does: drill-down, what moved, the performance summary, the print view
and every export."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import client_signed_in_as
from tests.reports.readers import csv_rows, docx_of, pdf_text, xlsx_values
from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_update,
    make_user,
)
from tests.support.paths import plan_path
from tracker.dashboard.services import RollupRow, rollup, whole_percentages
from tracker.reports.document import document_for_period
from tracker.reports.exports.pdf import render_pdf
from tracker.reports.exports.spreadsheets import render_csv, render_xlsx
from tracker.reports.exports.word import render_docx

RECOVERY = "Bridging money agreed with the council; new provider starts in January."


@pytest.fixture
def plan(session):
    version = make_plan_version(session, label="2026/27", effective_from=date(2026, 4, 1))
    lead = make_user(session, role="lead", name="Rhea Lead")
    coordinator = make_user(session, role="coordinator", two_factor=True)
    youth = make_priority(session, plan_version=version, name="Youth Diversion", position=1)
    housing = make_priority(session, plan_version=version, name="Housing Safety", position=2)
    summer = make_period(
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
    # Youth Diversion: two green this period, two not yet updated.
    for number in range(4):
        action = make_action(session, priority=youth, title=f"Youth action {number + 1}")
        if number < 2:
            make_update(session, action=action, author=lead, rag="green", period=autumn)
    mentoring = make_action(session, priority=housing, title="Mentoring for tenants")
    make_update(session, action=mentoring, author=lead, rag="green", period=summer)
    make_update(
        session,
        action=mentoring,
        author=lead,
        rag="red",
        period=autumn,
        progress_text="The provider withdrew in October.",
        mitigation_text=RECOVERY,
    )
    session.commit()
    return {
        "version": version,
        "coordinator": coordinator,
        "youth": youth,
        "housing": housing,
        "autumn": autumn,
    }


def test_not_yet_updated_actions_do_not_outweigh_the_statuses_given(session, plan):
    summary = rollup(session, plan["version"], plan["autumn"])
    youth = next(row for row in summary.priorities if row.id == plan["youth"].id)
    assert youth.overall == "green"
    assert (youth.updated, youth.expected) == (2, 4)
    assert summary.priority_totals.overall == "red"


def test_no_update_only_when_none_was_given_and_completed_when_all_are():
    nothing = RollupRow(1, "Quiet")
    nothing.counts.update({"none": 3})
    assert nothing.overall == "none"
    done = RollupRow(2, "Done")
    done.counts.update({"completed": 2})
    assert done.overall == "completed" and (done.updated, done.expected) == (0, 0)
    mixed = RollupRow(3, "Mixed")
    mixed.counts.update({"amber": 1, "green": 3, "none": 2, "completed": 1})
    assert mixed.overall == "amber"


def test_percentages_in_a_row_add_up_to_100_by_largest_remainder():
    assert whole_percentages({"red": 1, "amber": 1, "green": 1}) == {
        "red": 34,
        "amber": 33,
        "green": 33,
    }
    assert whole_percentages({"red": 2, "amber": 0, "green": 5}) == {
        "red": 29,
        "amber": 0,
        "green": 71,
    }
    assert whole_percentages({"red": 0, "green": 0}) == {"red": 0, "green": 0}


@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=6))
def test_any_row_of_counts_adds_up_to_100_and_each_share_is_within_a_point(counts):
    keyed = {f"status{index}": count for index, count in enumerate(counts)}
    shares = whole_percentages(keyed)
    total = sum(counts)
    if total == 0:
        assert set(shares.values()) == {0}
        return
    assert sum(shares.values()) == 100
    for key, count in keyed.items():
        assert abs(shares[key] - 100 * count / total) < 1


def test_the_pages_and_json_give_the_overall_status_with_how_many_were_updated(app, plan):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    period = plan["autumn"].id
    page = coordinator.get(plan_path(plan["version"], f"rollup?period={period}")).get_data(
        as_text=True
    )
    youth_row = page[page.index(f'data-row="{plan["youth"].id}"') :]
    youth_row = youth_row[: youth_row.index("</tr>")]
    assert 'data-label="Overall"><strong class="app-rag app-rag--green">Green<' in youth_row
    assert "data-updated>2 of 4<" in youth_row
    assert "(50%)" in youth_row

    data = json.loads(
        coordinator.get(f"/api/v1/plans/{plan['version'].plan_id}/rollup?period={period}").data
    )
    youth = next(row for row in data["priorities"] if row["id"] == plan["youth"].id)
    assert (youth["overall_status"], youth["updated"], youth["expected"]) == ("green", 2, 4)

    priority_page = coordinator.get(f"/priorities/{plan['youth'].id}?period={period}").get_data(
        as_text=True
    )
    assert "Green</strong> 2 of 4 updated" in priority_page


def test_a_red_statuss_recovery_plan_shows_wherever_its_status_does(app, session, plan):
    coordinator = client_signed_in_as(app, plan["coordinator"].email)
    period = plan["autumn"].id
    pages = {
        "drill-down": plan_path(plan["version"], f"rollup/actions?period={period}&status=red"),
        "what moved": plan_path(plan["version"], f"rollup?period={period}"),
        "performance summary": plan_path(
            plan["version"], f"reports/performance-summary?period={period}"
        ),
    }
    for name, url in pages.items():
        html = coordinator.get(url).get_data(as_text=True)
        assert f"What is being done about it:</strong> {RECOVERY}" in html, name

    document = document_for_period(session, plan["autumn"])
    word = docx_of(render_docx(document))
    word_text = "\n".join(
        [p.text for p in word.paragraphs]
        + [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    )
    assert f"What is being done about it: {RECOVERY}" in word_text
    assert "Overall: Green (2 of 4 updated)" in word_text

    assert f"What is being done about it: {RECOVERY}" in " ".join(
        pdf_text(render_pdf(document)).split()
    )

    rows = csv_rows(render_csv(document))
    column = rows[0].index("What is being done about it")
    recovery_by_action = {row[2]: row[column] for row in rows[1:]}
    assert recovery_by_action["Mentoring for tenants"] == RECOVERY
    assert recovery_by_action["Youth action 1"] == ""

    sheet = xlsx_values(render_xlsx(document))["Action plan"]
    header = list(sheet[0])
    mentoring = next(row for row in sheet if row[2] == "Mentoring for tenants")
    assert mentoring[header.index("What is being done about it")] == RECOVERY
