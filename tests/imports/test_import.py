"""Importing an action plan from the spreadsheets partnerships really have."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import client_signed_in_as, csrf_token_from
from tests.imports.files import council_workbook, csv_file, simple_workbook
from tests.support.factories import (
    make_organisation,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_user,
)
from tests.support.paths import plan_path
from tracker.extensions import db
from tracker.imports.services import apply_import, preview_import
from tracker.models import (
    Action,
    AuditEvent,
    Organisation,
    PendingImport,
    Plan,
    Priority,
    Theme,
    Update,
)


@pytest.fixture
def plan(session):
    """A partnership's own plan: one priority and theme already in it, two periods."""
    version = make_plan_version(session, plan=Plan(name="Riverside Community Safety Plan"))
    make_priority(session, plan_version=version, name="Road Safety")
    make_theme(session, plan_version=version, name="Early intervention")
    make_organisation(session, name="County Police")
    make_organisation(session, name="County Council", short_name="CC")
    spring = make_period(
        session,
        plan_version=version,
        name="Apr–Jun 2027",
        start_date=date(2027, 4, 1),
        end_date=date(2027, 6, 30),
    )
    make_period(
        session,
        plan_version=version,
        name="Jul–Sep 2027",
        start_date=date(2027, 7, 1),
        end_date=date(2027, 9, 30),
    )
    pat = make_user(session, email="pat.officer@riverside.gov.uk", role="lead")
    coordinator = make_user(session, email="coord@riverside.gov.uk", role="coordinator")
    session.commit()
    return {"version": version, "spring": spring, "pat": pat, "coordinator": coordinator}


def counts(session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Priority, Theme, Organisation, Action, Update)
    }


def test_a_messy_council_workbook_previews_exactly_what_it_creates(session, plan):
    content = council_workbook("pat.officer@riverside.gov.uk")
    before = counts(session)
    preview = preview_import(
        session, plan["version"], "plan.xlsx", content, author=plan["coordinator"]
    )
    assert [str(problem) for problem in preview.problems] == []
    assert preview.new_priorities == ["Domestic Abuse"], "Road Safety is already in the plan"
    assert preview.new_themes == ["Support victims"]
    assert preview.new_organisations == ["Riverside District Council", "County Fire Service"]
    assert [(a.row, a.priority, a.title) for a in preview.new_actions] == [
        (5, "Road Safety", "Speed checks outside schools"),
        (6, "Road Safety", "Young driver awareness sessions"),
        (8, "Domestic Abuse", "Refresh the referral pathway"),
    ]
    first, second, third = preview.new_actions
    assert (first.start_date, first.target_date) == (date(2027, 4, 1), date(2028, 3, 31))
    assert (second.start_date, second.target_date) == (date(2027, 4, 1), date(2027, 12, 31))
    assert (first.status, second.status, third.status) == ("red", "green", None)
    assert [user.email for user in first.responsible] == ["pat.officer@riverside.gov.uk"]
    assert counts(session) == before, "a preview saves nothing"

    result = apply_import(session, plan["version"], preview, author=plan["coordinator"])
    session.commit()
    assert (result.actions, result.updates, result.priorities) == (3, 2, 1)
    speed = session.scalar(select(Action).where(Action.title == "Speed checks outside schools"))
    assert [t.name for t in speed.themes] == ["Early intervention", "Support victims"]
    assert speed.owner_organisation.name == "County Police"
    assert sorted(o.name for o in speed.partners) == [
        "County Council",
        "Riverside District Council",
    ]
    update = session.scalar(select(Update).where(Update.action_id == speed.id))
    assert (update.rag, update.period_id) == ("red", plan["spring"].id), "counts in its period"
    assert update.recorded_at.date() == date(2027, 6, 15)
    second_update = session.scalar(
        select(Update).join(Action).where(Action.title == "Young driver awareness sessions")
    )
    assert second_update.period_id == plan["spring"].id, "typed 20/06/2027 is in Apr–Jun"


def test_importing_the_same_file_again_creates_nothing_and_names_the_matches(session, plan):
    content = council_workbook("pat.officer@riverside.gov.uk")
    first = preview_import(session, plan["version"], "plan.xlsx", content, author=plan["pat"])
    apply_import(session, plan["version"], first, author=plan["pat"])
    session.commit()
    before = counts(session)
    again = preview_import(session, plan["version"], "plan.xlsx", content, author=plan["pat"])
    assert again.problems == [] and again.new_actions == [] and not again.can_import
    assert [a.row for a in again.matched] == [5, 6, 8]
    assert again.new_priorities == again.new_themes == again.new_organisations == []
    assert counts(session) == before


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["Road Safety", "Cycle training", "31/02/2027", "", ""],
            "Row 2, Target date: 31/02/2027 is not a real date",
        ),
        (
            ["Road Safety", "Cycle training", "", "Yellow", "Going well this month."],
            "Row 2, Current status: status Yellow is not one of Red, Amber or Green",
        ),
        (["", "Cycle training", "", "", ""], "Row 2, Priority: the priority is empty"),
        (["Road Safety", "", "", "Red", "Behind."], "Row 2, Action: the action is empty"),
        (
            ["Road Safety", "Cycle training", "", "Green", ""],
            "Row 2, Progress: a status needs the progress text that goes with it",
        ),
        (
            ["Road Safety", "Cycle training", "next spring", "", ""],
            "Row 2, Target date: next spring is not a date: write it as 31/03/2027",
        ),
    ],
)
def test_each_problem_is_named_by_row_and_column_in_plain_words(session, plan, row, expected):
    content = simple_workbook([row])
    preview = preview_import(session, plan["version"], "plan.xlsx", content, author=plan["pat"])
    assert [str(problem) for problem in preview.problems] == [expected]
    assert not preview.can_import


def test_an_unknown_email_and_a_repeated_action_are_problems(session, plan):
    header = ["Priority", "Action", "Responsible people"]
    content = simple_workbook(
        [
            ["Road Safety", "Cycle training", "nobody@riverside.gov.uk"],
            ["road safety", "cycle  training", ""],
        ],
        header,
    )
    preview = preview_import(session, plan["version"], "plan.xlsx", content, author=plan["pat"])
    assert [str(problem) for problem in preview.problems] == [
        "Row 2, Responsible people: no active user has the e-mail nobody@riverside.gov.uk",
    ]
    repeated = simple_workbook(
        [["Road Safety", "Cycle training", ""], ["road safety", "cycle  training", ""]], header
    )
    preview = preview_import(session, plan["version"], "plan.xlsx", repeated, author=plan["pat"])
    assert [str(problem) for problem in preview.problems] == [
        "Row 3, Action: the action cycle training is already on row 2 under the same priority"
    ]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("plan.xlsx", b"this is not a spreadsheet at all", "is not an Excel workbook"),
        ("plan.pdf", b"%PDF-1.7 not a plan", "must be an Excel workbook (.xlsx) or a CSV"),
        (
            "plan.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "password-protected or in the old .xls format",
        ),
        ("plan.csv", b"", "The file is empty"),
        ("plan.xlsx", b"PK" + b"x" * (5 * 1024 * 1024), "larger than 5 MB"),
        ("plan.csv", csv_file("Title,Owner\nSomething,Someone\n"), "No header row was found"),
    ],
)
def test_files_that_cannot_be_read_say_why(session, plan, filename, content, message):
    preview = preview_import(session, plan["version"], filename, content, author=plan["pat"])
    assert len(preview.problems) == 1 and message in str(preview.problems[0])


def test_more_than_5000_rows_is_refused_with_the_limit(session, plan):
    rows = "".join(f"Road Safety,Action {n}\n" for n in range(5001))
    preview = preview_import(
        session, plan["version"], "plan.csv", csv_file("Priority,Action\n" + rows), author=None
    )
    assert [str(p) for p in preview.problems] == [
        "The file has more than 5,000 rows: split it into smaller files"
    ]


def test_a_csv_with_semicolons_and_typed_dates_imports(session, plan):
    content = csv_file(
        "Priority;Action;Start date;Target date;Current status;Progress;Progress date\n"
        "Anti-Social Behaviour ;Youth outreach;01/04/2027;31 March 2028;a;Funding agreed for "
        "two workers.;2027-07-10\n"
    )
    preview = preview_import(session, plan["version"], "plan.csv", content, author=plan["pat"])
    assert preview.problems == []
    (action,) = preview.new_actions
    assert (action.priority, action.target_date, action.status) == (
        "Anti-Social Behaviour",
        date(2028, 3, 31),
        "amber",
    )


# --- In the browser and on the command line --------------------------------------------------


@pytest.fixture
def coordinator(app, plan):
    with app.app_context():
        make_user(
            db.session, email="lead.coord@riverside.gov.uk", role="coordinator", two_factor=True
        )
        db.session.commit()
    return client_signed_in_as(app, "lead.coord@riverside.gov.uk")


def upload(client, version, filename, content):
    url = plan_path(version, "import")
    page = client.get(url).get_data(as_text=True)
    return client.post(
        url,
        data={"csrf_token": csrf_token_from(page), "spreadsheet": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_upload_previews_then_confirming_creates_everything_once(coordinator, session, plan):
    before = counts(session)
    response = upload(
        coordinator, plan["version"], "plan.xlsx", council_workbook("pat.officer@riverside.gov.uk")
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Domestic Abuse" in html and "Speed checks outside schools" in html
    assert "Import 3 actions" in html
    assert counts(session) == before, "nothing is saved before confirming"
    confirm_url = re.search(r'action="(/imports/\d+/confirm)"', html).group(1)
    done = coordinator.post(confirm_url, data={"csrf_token": csrf_token_from(html)})
    assert done.status_code == 303
    after = counts(session)
    assert after["Action"] == before["Action"] + 3 and after["Update"] == before["Update"] + 2
    assert session.scalar(select(func.count()).select_from(PendingImport)) == 0
    overview = coordinator.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported 3 actions (2 with progress), 1 new priorities" in overview
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "action")
        )
        >= 3
    ), "each created action is in the audit log"

    again = upload(
        coordinator, plan["version"], "plan.xlsx", council_workbook("pat.officer@riverside.gov.uk")
    )
    text = again.get_data(as_text=True)
    assert "nothing new to import" in text and "Row 5:" in text and "Row 8:" in text
    assert counts(session) == after


def test_a_file_with_problems_lists_them_and_offers_no_import(coordinator, session, plan):
    content = simple_workbook([["Road Safety", "Cycle training", "31/02/2027", "Yellow", "Fine."]])
    response = upload(coordinator, plan["version"], "plan.xlsx", content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "2 problems to put right first" in html
    assert "Row 2, Target date: 31/02/2027 is not a real date" in html
    assert "/confirm" not in html
    assert session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_only_the_uploader_can_confirm_their_upload(app, coordinator, session, plan):
    response = upload(coordinator, plan["version"], "plan.xlsx", council_workbook(""))
    html = response.get_data(as_text=True)
    confirm_url = re.search(r'action="(/imports/\d+/confirm)"', html).group(1)
    with app.app_context():
        make_user(
            db.session, email="other.coord@riverside.gov.uk", role="coordinator", two_factor=True
        )
        db.session.commit()
    other = client_signed_in_as(app, "other.coord@riverside.gov.uk")
    token = csrf_token_from(other.get("/account").get_data(as_text=True))
    assert other.post(confirm_url, data={"csrf_token": token}).status_code == 404


def test_the_template_downloads_have_every_column(coordinator, plan):
    workbook = coordinator.get(plan_path(plan["version"], "import/template/xlsx"))
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.get_data())).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [
        "Priority",
        "Themes",
        "Action",
        "Description",
        "Owner organisation",
        "Partners",
        "Responsible people",
        "Start date",
        "Target date",
        "Current status",
        "Progress",
        "Progress date",
    ]
    csv_text = coordinator.get(plan_path(plan["version"], "import/template/csv")).get_data(
        as_text=True
    )
    assert csv_text.lstrip("\ufeff").startswith("Priority,Themes,Action,")
    assert coordinator.get(plan_path(plan["version"], "import/template/odt")).status_code == 404


def test_the_command_line_prints_the_preview_and_exits_1_on_problems(app, session, plan, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "plan.xlsx"
    good.write_bytes(council_workbook("pat.officer@riverside.gov.uk"))
    dry = runner.invoke(
        args=[
            "import-plan",
            str(good),
            "--plan",
            "Riverside Community Safety Plan",
            "--dry-run",
            "--by",
            "pat.officer@riverside.gov.uk",
        ]
    )
    assert dry.exit_code == 0, dry.output
    assert "3 new actions, 2 with a progress update" in dry.output
    assert "Dry run: nothing was imported." in dry.output
    assert session.scalar(select(func.count()).select_from(Action)) == 0

    no_author = runner.invoke(
        args=["import-plan", str(good), "--plan", "riverside community safety plan"]
    )
    assert no_author.exit_code == 1
    assert "Progress is recorded as someone: name them with --by EMAIL" in no_author.output

    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_file("Priority,Action,Target date\nRoad Safety,Cycle training,31/02/2027\n")
    )
    refused = runner.invoke(
        args=["import-plan", str(bad), "--plan", "Riverside Community Safety Plan"]
    )
    assert refused.exit_code == 1
    assert "Row 2, Target date: 31/02/2027 is not a real date" in refused.output

    unknown = runner.invoke(args=["import-plan", str(good), "--plan", "No Such Plan"])
    assert unknown.exit_code == 2 and "there is no plan called No Such Plan" in unknown.output

    real = runner.invoke(
        args=[
            "import-plan",
            str(good),
            "--plan",
            "Riverside Community Safety Plan",
            "--by",
            "pat.officer@riverside.gov.uk",
        ]
    )
    assert real.exit_code == 0, real.output
    assert "Imported 3 actions (2 with progress)" in real.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Action)) == 3
    twice = runner.invoke(
        args=[
            "import-plan",
            str(good),
            "--plan",
            "Riverside Community Safety Plan",
            "--by",
            "pat.officer@riverside.gov.uk",
        ]
    )
    assert twice.exit_code == 0 and "Nothing new to import." in twice.output
    assert "3 rows match actions already in the plan" in twice.output


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(coordinator, plan):
    # Sent as raw bytes: the test client would spool a built form to a file nobody closes.
    response = coordinator.post(
        plan_path(plan["version"], "import"),
        data=b"x" * (9 * 1024 * 1024),
        content_type="multipart/form-data; boundary=limit",
    )
    assert response.status_code == 413
    assert "A spreadsheet to import must be 5 MB or smaller" in response.get_data(as_text=True)
