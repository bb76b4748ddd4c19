"""Grant-funded projects (issue 16, point 2): a year's grant, its projects and what remains,
on the grants page, the priority page, the board paper (Word, PDF) and the Excel export.
The plan, grant and projects are ones the tests build; totals are checked against the
database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import client_signed_in_as, csrf_token_from, form_value
from tests.reports.conftest import a_draft
from tests.reports.readers import docx_of, docx_table_rows, pdf_text
from tests.support.factories import make_user
from tests.support.pages import field_error
from tracker.grants.services import (
    NotMoney,
    financial_year_of,
    format_money,
    parse_money,
    totals_of,
)
from tracker.models import GrantPot, GrantProject, GrantStatus, Priority
from tracker.reports.exports.pdf import render_pdf
from tracker.reports.exports.spreadsheets import render_xlsx
from tracker.reports.exports.word import render_docx


@pytest.mark.parametrize(
    ("typed", "pounds"),
    [("6000", "6000.00"), ("£6,000", "6000.00"), ("1,250.5", "1250.50"), (" £ 39661 ", "39661.00")],
)
def test_amounts_are_read_as_people_write_money(typed, pounds):
    assert parse_money(typed) == Decimal(pounds)


@pytest.mark.parametrize("typed", ["lots", "6.000,00", "-50", "12,34", "1.234", "£", "1e5"])
def test_anything_else_is_not_money(typed):
    with pytest.raises(NotMoney):
        parse_money(typed)


def test_money_and_years_are_written_as_council_papers_write_them():
    assert format_money(Decimal("39661.00")) == "£39,661"
    assert format_money(Decimal("1250.50")) == "£1,250.50"
    assert format_money(Decimal("-500")) == "-£500"
    assert financial_year_of(date(2026, 10, 1)) == "2026/27"
    assert financial_year_of(date(2027, 3, 31)) == "2026/27"
    assert financial_year_of(date(2027, 4, 1)) == "2027/28"


@pytest.fixture
def grant(session, district):
    """The district's 2026/27 grant: two allocated projects, one proposed, one withdrawn."""
    period, _coordinator = district
    plan = period.plan_version.plan
    town, fraud = session.scalars(select(Priority).order_by(Priority.position, Priority.id))
    pot = GrantPot(plan=plan, funder="Police and Crime Commissioner", financial_year="2026/27")
    pot.amount = Decimal("20000")
    projects = [
        ("Night-time economy marshals", "7500", "delivered", [town], "Patrols on Fridays.", 420),
        ("Fraud prevention talks", "2500.50", "approved", [fraud], "", None),
        ("CCTV upgrade bid", "9000", "proposed", [town], "", None),
        ("Withdrawn bid", "3000", "withdrawn", [fraud], "", None),
    ]
    for name, amount, status, priorities, achieved, reach in projects:
        session.add(
            GrantProject(
                pot=pot,
                name=name,
                amount=Decimal(amount),
                status=status,
                priorities=priorities,
                lead_organisation="Riverside District Council",
                achieved=achieved,
                reach=reach,
                reach_measure="people reached" if reach else "",
                start_date=date(2026, 7, 1),
                end_date=date(2027, 3, 31),
            )
        )
    session.add(pot)
    session.commit()
    return pot


def test_totals_count_approved_and_delivered_projects_only(session, grant):
    totals = totals_of(grant)
    allocated = session.scalar(
        select(func.sum(GrantProject.amount)).where(
            GrantProject.pot_id == grant.id,
            GrantProject.status.in_([GrantStatus.APPROVED.value, GrantStatus.DELIVERED.value]),
        )
    )
    assert totals.allocated == allocated == Decimal("10000.50")
    assert totals.proposed == Decimal("9000")
    assert totals.remaining == Decimal("9999.50")
    assert totals.projects == 2


def test_the_grant_update_in_word_pdf_and_excel_has_the_projects_and_totals(
    app, session, district, grant
):
    _report, document = a_draft(
        session,
        district,
        sections=[
            {"heading": "Grant update", "body": "The group met twice.", "block": "grant_update"}
        ],
        appendices=[],
    )
    word = docx_of(render_docx(document))
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "Project")
    header, *rows = docx_table_rows(table)
    assert header == ["Project", "Priorities", "Status", "Amount"]
    names = [row[0].split("\n")[0] for row in rows[:-3]]
    assert names == ["Night-time economy marshals", "Fraud prevention talks", "CCTV upgrade bid"]
    assert "Withdrawn bid" not in "\n".join(p.text for p in word.paragraphs)
    assert rows[0][1:] == ["Town centre safety", "Delivered", "£7,500"]
    assert "Patrols on Fridays.\n(420 people reached)" in rows[0][0]
    assert [row[-1] for row in rows[-3:]] == ["£10,000.50", "£9,000", "£9,999.50"]
    assert rows[-1][0] == "Remaining of the £20,000 grant"
    said = [p.text for p in word.paragraphs if p.text.startswith("In 2026/27")]
    assert said == [
        "In 2026/27 Police and Crime Commissioner gave the partnership £20,000. £10,000.50 is "
        "allocated to 2 projects, with £9,000 more proposed; £9,999.50 remains."
    ]
    with app.test_request_context():
        text = pdf_text(render_pdf(document))
    assert "1.0 Grant update 1.1 The group met twice. In 2026/27 Police and Crime" in text
    assert "Remaining of the £20,000 grant £9,999.50" in text

    sheet = load_workbook(__import__("io").BytesIO(render_xlsx(document)))["Grants"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:7] == (
        "Financial year",
        "Funder",
        "Project",
        "Lead organisation",
        "Priorities",
        "Status",
        "Amount",
    )
    amounts = {row[2]: row[6] for row in values[1:]}
    assert amounts["Night-time economy marshals"] == 7500
    assert amounts["Allocated (approved and delivered)"] == float(totals_of(grant).allocated)
    assert amounts["Remaining"] == float(totals_of(grant).remaining)
    assert sheet["G2"].number_format == "£#,##0.00"


def test_a_project_appears_on_the_page_of_each_priority_it_supports(app, session, district, grant):
    town = session.scalar(select(Priority).where(Priority.name == "Town centre safety"))
    viewer = make_user(session, role="viewer")
    session.commit()
    page = client_signed_in_as(app, viewer.email).get(f"/priorities/{town.id}")
    html = page.get_data(as_text=True)
    assert "Grant-funded projects" in html
    assert "Night-time economy marshals" in html and "CCTV upgrade bid" in html
    assert "Fraud prevention talks" not in html


def test_everyone_reads_the_grants_page_and_only_coordinators_change_it(
    app, session, district, grant
):
    plan_id = grant.plan_id
    viewer = make_user(session, role="viewer")
    session.commit()
    reader = client_signed_in_as(app, viewer.email)
    html = reader.get(f"/plans/{plan_id}/grants").get_data(as_text=True)
    assert "2026/27: Police and Crime Commissioner" in html
    assert "£10,000.50 to 2 projects" in html and "£9,999.50" in html
    assert "Add a project" not in html and "Change the grant" not in html
    assert reader.get(f"/grants/{grant.id}/edit").status_code == 403
    token = csrf_token_from(html)  # the sign-out form's
    refused = reader.post(
        f"/plans/{plan_id}/grants/new",
        data={"csrf_token": token, "funder": "Me", "financial_year": "2026/27", "amount": "1"},
    )
    assert refused.status_code == 403
    assert session.scalar(select(func.count()).select_from(GrantPot)) == 1


def coordinator_of(app, district):
    _period, coordinator = district
    return client_signed_in_as(app, coordinator.email)


def test_a_grant_needs_money_and_a_financial_year_and_saves_nothing_otherwise(
    app, session, district
):
    period, _ = district
    plan_id = period.plan_version.plan_id
    client = coordinator_of(app, district)
    page = client.get(f"/plans/{plan_id}/grants/new").get_data(as_text=True)
    assert form_value(page, "financial_year") == financial_year_of(date.today())
    response = client.post(
        f"/plans/{plan_id}/grants/new",
        data={
            "csrf_token": csrf_token_from(page),
            "funder": "Police and Crime Commissioner",
            "financial_year": "2026",
            "amount": "lots",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "amount") == "Enter the amount in pounds, like 6000 or £6,000.50"
    assert field_error(html, "financial_year") == (
        "Enter the financial year as two years, like 2026/27"
    )
    assert session.scalar(select(func.count()).select_from(GrantPot)) == 0

    response = client.post(
        f"/plans/{plan_id}/grants/new",
        data={
            "csrf_token": csrf_token_from(page),
            "funder": "Police and Crime Commissioner",
            "financial_year": "2026/27",
            "amount": "£39,661",
        },
    )
    assert response.status_code == 303
    pot = session.scalar(select(GrantPot))
    assert (pot.funder, pot.financial_year, pot.amount) == (
        "Police and Crime Commissioner",
        "2026/27",
        Decimal("39661.00"),
    )


def project_data(page: str, **changes) -> dict:
    data = {
        "csrf_token": csrf_token_from(page),
        "version": form_value(page, "version"),
        "name": "Street pastors",
        "amount": "5,000",
        "status": "approved",
        "lead_organisation": "Riverside Churches Together",
    }
    data.update(changes)
    return data


def test_reversed_dates_and_over_allocation_are_caught_next_to_their_fields(
    app, session, district, grant
):
    client = coordinator_of(app, district)
    url = f"/grants/{grant.id}/projects/new"
    page = client.get(url).get_data(as_text=True)
    before = session.scalar(select(func.count()).select_from(GrantProject))

    response = client.post(
        url,
        data=project_data(
            page,
            start_date=["1", "3", "2027"],
            end_date=["1", "9", "2026"],
            reach="lots",
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        field_error(html, "end_date") == "The end date must be the same as or after the start date"
    )
    assert field_error(html, "reach") == "Enter a whole number, like 8000"

    # £9,999.50 remains: £12,000 goes £2,000.50 over, which needs a reason.
    response = client.post(url, data=project_data(page, amount="12000"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "over_allocation_reason") == (
        "This allocates £2,000.50 more than the £20,000 grant. Say why the working group agreed "
        "it, or lower the amount"
    )
    assert session.scalar(select(func.count()).select_from(GrantProject)) == before

    # Proposed, it does not count yet, so no reason is needed.
    response = client.post(url, data=project_data(page, amount="12000", status="proposed"))
    assert response.status_code == 303

    reason = "Agreed at the October meeting: next year's grant covers the difference."
    response = client.post(
        url,
        data=project_data(page, name="Knife bins", amount="12000", over_allocation_reason=reason),
    )
    assert response.status_code == 303
    session.expire_all()
    saved = session.scalar(select(GrantProject).where(GrantProject.name == "Knife bins"))
    assert saved.over_allocation_reason == reason
    assert totals_of(saved.pot).remaining == Decimal("-2000.50")
    html = client.get(f"/plans/{grant.plan_id}/grants").get_data(as_text=True)
    assert "Over-allocated" in html and "by £2,000.50" in html


def test_two_coordinators_editing_one_project_do_not_overwrite_each_other(
    app, session, district, grant
):
    project = session.scalar(select(GrantProject).where(GrantProject.name == "CCTV upgrade bid"))
    client = coordinator_of(app, district)
    url = f"/grants/projects/{project.id}/edit"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url).get_data(as_text=True)
    assert (
        client.post(
            url, data=project_data(first, name="CCTV upgrade", status="proposed")
        ).status_code
        == 303
    )
    response = client.post(url, data=project_data(second, name="Cameras", status="proposed"))
    assert response.status_code == 409
    assert "Someone else saved this while you were editing" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(GrantProject, project.id).name == "CCTV upgrade"


def test_a_grant_or_project_that_does_not_exist_is_not_found(app, session, district):
    client = coordinator_of(app, district)
    for url in (
        "/grants/999999/edit",
        "/grants/999999/projects/new",
        "/grants/projects/999999/edit",
    ):
        assert client.get(url).status_code == 404, url


def test_a_new_draft_has_a_grant_update_section_only_when_there_is_a_grant(session, district):
    from tracker.reports.services import start_draft

    period, coordinator = district
    before = start_draft(session, period=period, subject="Before", author=coordinator)
    assert "grant_update" not in [section["block"] for section in before.sections]
    pot = GrantPot(plan=period.plan_version.plan, funder="Commissioner", financial_year="2026/27")
    pot.amount = Decimal("1000")
    session.add(pot)
    session.flush()
    after = start_draft(session, period=period, subject="After", author=coordinator)
    assert [s["heading"] for s in after.sections if s["block"] == "grant_update"] == [
        "Grant update"
    ]
