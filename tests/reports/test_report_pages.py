"""Composing, publishing, withdrawing and downloading reports through the pages."""

from __future__ import annotations

import sys
from io import BytesIO

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from, form_value, sign_in
from tests.priorities.test_indicators import field_error
from tests.reports.conftest import fill_for_the_board, period_named
from tests.reports.readers import csv_rows, docx_of, pdf_text
from tests.reports.test_word_export import letterhead_template
from tests.support.factories import TEST_PASSWORD, make_user
from tests.support.paths import only_plan_path
from tracker.models import Action, AuditEvent, Report, WordTemplate
from tracker.plans.demo_content import DEMO_PASSWORD
from tracker.reports.document import document_for_report, export_filename
from tracker.reports.exports.spreadsheets import render_csv
from tracker.reports.services import publish

HTMX = {"HX-Request": "true"}


def signed_in_as(app, email: str, password: str = DEMO_PASSWORD):
    client = app.test_client()
    sign_in(client, email, password)
    return client


@pytest.fixture
def coordinator(app, demo):
    return signed_in_as(app, "coordinator@example.org")


def composer_data(page: str, report: Report, **changes) -> dict:
    """The composer as a coordinator fills it in, from the page they loaded."""
    data = {
        "csrf_token": csrf_token_from(page),
        "version": form_value(page, "version"),
        "period": str(report.period_id),
        "authors-0-name": "Sam Patel",
        "authors-0-role": "Head of Community Safety",
        "authors-1-name": "",
        "authors-1-role": "",
        "meeting": "County Community Safety Partnership",
        "meeting_date": ["10", "12", "2026"],
        "classification": "For Decision",
        "subject": "Action plan update",
        "summary": "An update on the action plan.",
        "sections-0-heading": "Background",
        "sections-0-body": "The partnership agreed its priorities.\n\nLeads report often.",
        "sections-1-heading": "Action plan progress",
        "sections-1-block": "rag_summary",
        "recommendations": "Note the progress.",
        "contacts-0-name": "Sam Patel",
        "contacts-0-email": "sam.patel@example.org",
        "appendices-0-title": "Action plan and performance summary",
        "appendices-0-block": "action_plan",
    }
    data.update(changes)
    return data


def composer_of(client, report: Report) -> str:
    response = client.get(f"/reports/{report.id}/edit")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_coordinator_starts_a_draft_for_a_period_and_finds_it_listed(coordinator, demo):
    page = coordinator.get(only_plan_path(demo, "reports/new")).get_data(as_text=True)
    assert 'value="Kent Community Safety Agreement: action plan update"' in page
    period = period_named(demo, "Aug–Sep 2026")
    response = coordinator.post(
        only_plan_path(demo, "reports/new"),
        data={"csrf_token": csrf_token_from(page), "period": period.id, "subject": "September"},
    )
    report = demo.scalar(select(Report))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/reports/{report.id}/edit"
    assert (report.subject, report.period, report.status) == ("September", period, "draft")
    assert report.authors == [{"name": "Sam Patel", "role": ""}]
    listing = coordinator.get(only_plan_path(demo, "reports")).get_data(as_text=True)
    assert "September" in listing and "Draft" in listing and "Not published" in listing


def test_a_new_report_without_a_subject_is_refused_next_to_the_field(coordinator, demo):
    page = coordinator.get(only_plan_path(demo, "reports/new")).get_data(as_text=True)
    response = coordinator.post(
        only_plan_path(demo, "reports/new"),
        data={"csrf_token": csrf_token_from(page), "period": period_named(demo).id, "subject": " "},
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "subject") == "Enter the subject"
    assert demo.scalar(select(func.count()).select_from(Report)) == 0


def test_saving_the_composer_keeps_every_field(coordinator, demo, draft):
    page = composer_of(coordinator, draft)
    response = coordinator.post(
        f"/reports/{draft.id}/edit",
        data=composer_data(page, draft, **{"authors-1-name": "Jordan Reid", "save": "Save draft"}),
    )
    assert response.status_code == 303
    demo.expire_all()
    assert draft.authors == [
        {"name": "Sam Patel", "role": "Head of Community Safety"},
        {"name": "Jordan Reid", "role": ""},
    ]
    assert draft.meeting_date.isoformat() == "2026-12-10"
    assert draft.sections == [
        {
            "heading": "Background",
            "body": "The partnership agreed its priorities.\n\nLeads report often.",
            "block": "",
        },
        {"heading": "Action plan progress", "body": "", "block": "rag_summary"},
    ]
    assert draft.contact_people == [
        {
            "name": "Sam Patel",
            "role": "",
            "organisation": "",
            "email": "sam.patel@example.org",
            "telephone": "",
        }
    ]
    assert draft.appendices == [
        {"title": "Action plan and performance summary", "intro": "", "block": "action_plan"}
    ]
    assert draft.updated_by.name == "Sam Patel"
    page = composer_of(coordinator, draft)
    assert 'value="Jordan Reid"' in page and 'name="authors-2-name"' in page, "a spare row"


def test_add_buttons_give_another_row_and_keep_what_was_typed(coordinator, demo, draft):
    page = composer_of(coordinator, draft)
    response = coordinator.post(
        f"/reports/{draft.id}/edit",
        data=composer_data(page, draft, add_section="Add a section", meeting="Typed first"),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="sections-2-heading"' in html and 'value="Typed first"' in html
    demo.expire_all()
    assert draft.meeting == "Typed first"
    assert form_value(html, "version") == str(draft.version)


def test_autosave_saves_as_typed_and_hands_back_the_next_version(coordinator, demo, draft):
    page = composer_of(coordinator, draft)
    before = draft.version
    response = coordinator.post(
        f"/reports/{draft.id}/autosave",
        data=composer_data(page, draft, summary="Typed into the summary."),
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Draft saved at" in html and 'hx-swap-oob="true"' in html
    demo.expire_all()
    assert draft.summary == "Typed into the summary." and draft.version == before + 1
    assert form_value(html, "version") == str(draft.version)


def test_autosave_with_a_problem_saves_nothing_and_says_why(coordinator, demo, draft):
    page = composer_of(coordinator, draft)
    response = coordinator.post(
        f"/reports/{draft.id}/autosave",
        data=composer_data(page, draft, subject="", summary="Not saved"),
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Enter the subject" in response.get_data(as_text=True)
    demo.expire_all()
    assert draft.summary != "Not saved" and draft.subject == "Action plan update"


def test_two_people_saving_one_draft_never_overwrite_each_other_unknowingly(app, demo, draft):
    make_user(demo, role="coordinator", name="Alex Morgan", email="alex@example.org")
    demo.commit()
    sam = signed_in_as(app, "coordinator@example.org")
    alex = signed_in_as(app, "alex@example.org", TEST_PASSWORD)
    sams_page, alexs_page = composer_of(sam, draft), composer_of(alex, draft)

    response = alex.post(
        f"/reports/{draft.id}/autosave",
        data=composer_data(alexs_page, draft, summary="Alex's summary"),
        headers=HTMX,
    )
    assert response.status_code == 200

    # Sam's autosave is refused, and keeps being refused: his page keeps its old version.
    for _attempt in range(2):
        response = sam.post(
            f"/reports/{draft.id}/autosave",
            data=composer_data(sams_page, draft, summary="Sam's summary"),
            headers=HTMX,
        )
        assert response.status_code == 409
        html = response.get_data(as_text=True)
        assert "Not saved: Alex Morgan saved this draft" in html
        assert form_value(html, "version") == form_value(sams_page, "version")
    demo.expire_all()
    assert draft.summary == "Alex's summary"

    # Saving the whole form shows what happened and keeps Sam's text…
    response = sam.post(
        f"/reports/{draft.id}/edit",
        data=composer_data(sams_page, draft, summary="Sam's summary", save="Save draft"),
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this draft while you were writing" in html
    assert "Alex Morgan saved it at" in html and "Sam&#39;s summary" in html
    # …and saving again from there is Sam's informed choice.
    response = sam.post(
        f"/reports/{draft.id}/edit",
        data=composer_data(html, draft, summary="Sam's summary", save="Save draft"),
    )
    assert response.status_code == 303
    demo.expire_all()
    assert draft.summary == "Sam's summary"


def test_publishing_an_incomplete_draft_names_each_missing_part_by_its_field(
    coordinator, demo, draft
):
    page = composer_of(coordinator, draft)
    response = coordinator.post(
        f"/reports/{draft.id}/publish",
        data=composer_data(
            page,
            draft,
            **{"meeting": "", "meeting_date": ["", "", ""], "recommendations": "", "summary": ""},
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The report cannot be published yet" in html
    assert field_error(html, "meeting") == "Enter the meeting the report goes to"
    assert field_error(html, "meeting_date") == "Enter the date of the meeting"
    assert field_error(html, "summary") == "Enter a summary"
    assert field_error(html, "recommendations") == "Enter at least one recommendation"
    demo.expire_all()
    assert draft.status == "draft" and draft.snapshot is None
    assert draft.meeting == "", "what was typed is saved even though publishing was refused"


def test_publishing_freezes_the_report_and_lists_it_with_date_and_author(coordinator, demo, draft):
    page = composer_of(coordinator, draft)
    response = coordinator.post(f"/reports/{draft.id}/publish", data=composer_data(page, draft))
    # Saved, then the confirmation: the demo has actions without an update this period.
    assert response.status_code == 303
    assert response.headers["Location"] == f"/reports/{draft.id}/publish/confirm"
    demo.expire_all()
    assert draft.status == "draft"
    confirm = coordinator.get(f"/reports/{draft.id}/publish/confirm").get_data(as_text=True)
    response = coordinator.post(
        f"/reports/{draft.id}/publish/confirm",
        data={
            "csrf_token": csrf_token_from(confirm),
            "version": form_value(confirm, "version"),
            "accept_gaps": "y",
        },
    )
    assert response.status_code == 303
    demo.expire_all()
    assert draft.status == "published" and draft.snapshot["header"]["summary"] == [
        "An update on the action plan."
    ]
    listing = coordinator.get(only_plan_path(demo, "reports")).get_data(as_text=True)
    assert f"{draft.published_at:%-d %b %Y} by Sam Patel" in listing
    detail = coordinator.get(f"/reports/{draft.id}").get_data(as_text=True)
    assert "Published" in detail and "This is the copy as published" in detail

    # It can no longer be changed by any route.
    response = coordinator.get(f"/reports/{draft.id}/edit")
    assert response.status_code == 303 and response.headers["Location"] == f"/reports/{draft.id}"
    response = coordinator.post(
        f"/reports/{draft.id}/autosave",
        data=composer_data(page, draft, subject="Changed"),
        headers=HTMX,
    )
    assert response.status_code == 409
    demo.expire_all()
    assert draft.subject == "Action plan update"


def test_leads_and_viewers_read_published_reports_but_not_drafts(app, demo, draft):
    published = Report(period=draft.period, subject="Published paper", authors=[])
    demo.add(published)
    fill_for_the_board(published)
    publish(demo, published, draft.created_by)
    demo.commit()
    for email in ("viewer@example.org", "lead.police@example.org"):
        client = signed_in_as(app, email)
        listing = client.get(only_plan_path(demo, "reports")).get_data(as_text=True)
        assert "Published paper" in listing and f'/reports/{draft.id}"' not in listing
        assert client.get(f"/reports/{draft.id}").status_code == 403
        assert client.get(f"/reports/{draft.id}/download/pdf").status_code == 403
        assert client.get(f"/reports/{published.id}").status_code == 200
        assert client.get(f"/reports/{published.id}/download/csv").status_code == 200
        assert client.get(f"/reports/{published.id}/edit").status_code == 403


def test_withdrawing_needs_a_reason_which_every_copy_then_shows(coordinator, demo, draft):
    publish(demo, draft, draft.created_by)
    demo.commit()
    detail = coordinator.get(f"/reports/{draft.id}").get_data(as_text=True)
    response = coordinator.post(
        f"/reports/{draft.id}/withdraw", data={"csrf_token": csrf_token_from(detail), "reason": ""}
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "reason") == (
        "Enter why the report is being withdrawn"
    )
    response = coordinator.post(
        f"/reports/{draft.id}/withdraw",
        data={"csrf_token": csrf_token_from(detail), "reason": "Figures were wrong."},
    )
    assert response.status_code == 303
    demo.expire_all()
    assert draft.status == "withdrawn"
    print_view = coordinator.get(f"/reports/{draft.id}/print").get_data(as_text=True)
    assert '<strong class="doc-status-word">Withdrawn</strong>. Figures were wrong.' in print_view
    assert "Withdrawn. Figures were wrong." in pdf_text(
        coordinator.get(f"/reports/{draft.id}/download/pdf").data
    )


def test_a_new_draft_starts_from_a_published_report(coordinator, demo, draft):
    publish(demo, draft, draft.created_by)
    demo.commit()
    detail = coordinator.get(f"/reports/{draft.id}").get_data(as_text=True)
    response = coordinator.post(
        f"/reports/{draft.id}/new-draft", data={"csrf_token": csrf_token_from(detail)}
    )
    assert response.status_code == 303
    copy = demo.scalar(select(Report).where(Report.based_on_id == draft.id))
    assert response.headers["Location"] == f"/reports/{copy.id}/edit"
    assert copy.status == "draft" and copy.recommendations == draft.recommendations


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
    ],
)
def test_each_download_is_a_named_file_of_its_type(coordinator, draft, fmt, content_type):
    response = coordinator.get(f"/reports/{draft.id}/download/{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="action-plan-update-oct-nov-2026.{fmt}"'
    )
    assert len(response.data) > 1000


def test_an_unknown_download_format_is_not_found(coordinator, draft):
    assert coordinator.get(f"/reports/{draft.id}/download/odt").status_code == 404


def test_the_print_view_shows_user_text_as_text(coordinator, demo, draft):
    draft.subject = '<script>alert("x")</script> £ café 🚦'
    demo.commit()
    response = coordinator.get(f"/reports/{draft.id}/print")
    html = response.get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; £ café 🚦" in html
    assert "<script" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Draft</strong>. Not yet published" in html


# The Word template (administrators)


@pytest.fixture
def admin(app, demo):
    return signed_in_as(app, "admin@example.org")


def upload(client, data: bytes, filename: str = "letterhead.docx"):
    page = client.get("/admin/word-template").get_data(as_text=True)
    return client.post(
        "/admin/word-template",
        data={"csrf_token": csrf_token_from(page), "template": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_an_uploaded_template_is_used_by_word_exports_until_removed(
    admin, coordinator, demo, draft
):
    response = upload(admin, letterhead_template())
    assert response.status_code == 303
    page = admin.get("/admin/word-template").get_data(as_text=True)
    assert "In use: <strong>letterhead.docx</strong>" in page
    word = docx_of(coordinator.get(f"/reports/{draft.id}/download/docx").data)
    assert word.sections[0].header.paragraphs[0].text == "Borough Council · Community Safety"
    assert upload(admin, letterhead_template(), "newer.docx").status_code == 303
    assert demo.scalars(select(WordTemplate.filename)).all() == ["newer.docx"], "replaced"

    response = admin.post("/admin/word-template/remove", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert demo.scalar(select(func.count()).select_from(WordTemplate)) == 0
    removal = demo.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "word_template").order_by(AuditEvent.id)
    ).all()[-1]
    assert (removal.verb, removal.before["content"]) == ("delete", "(the uploaded file)")
    word = docx_of(coordinator.get(f"/reports/{draft.id}/download/docx").data)
    assert word.sections[0].header.paragraphs[0].text == "For Decision · Draft"


def test_a_file_that_is_not_a_word_document_is_refused_next_to_the_field(admin, demo):
    response = upload(admin, b"name,role\nSam,lead\n", "people.csv")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "template").startswith(
        "The file must be a Word document (.docx)"
    )
    response = upload(admin, b"", "empty.docx")
    assert field_error(response.get_data(as_text=True), "template") == (
        "Choose a Word document (.docx) to upload"
    )
    assert demo.scalar(select(func.count()).select_from(WordTemplate)) == 0


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(admin, demo):
    # Sent as raw bytes: the test client would spool a built form to a file nobody closes.
    response = admin.post(
        "/admin/word-template",
        data=b"x" * (9 * 1024 * 1024),
        content_type="multipart/form-data; boundary=limit",
    )
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
    assert demo.scalar(select(func.count()).select_from(WordTemplate)) == 0


def test_csv_download_matches_the_reports_action_rows(coordinator, demo, draft):
    rows = csv_rows(coordinator.get(f"/reports/{draft.id}/download/csv").data)
    assert rows[0] == [
        "Priority",
        "Themes",
        "Action",
        "Lead",
        "RAG",
        "Last update",
        "Progress",
        "What is being done about it",
    ]
    document = document_for_report(demo, draft)
    assert len(rows) - 1 == sum(len(p["actions"]) for p in document["content"]["priorities"])


def test_a_live_drafts_csv_is_the_whole_papers_action_table(coordinator, demo, draft):
    """The CSV of a draft is drawn without the rest of the paper: it must say exactly what the
    paper's own action table says, under the same download name."""
    action = demo.scalars(select(Action).order_by(Action.id)).first()
    action.title = "=Renamed just before the download"
    demo.commit()

    response = coordinator.get(f"/reports/{draft.id}/download/csv")

    paper = document_for_report(demo, demo.get(Report, draft.id))
    assert response.data == render_csv(paper)
    assert "'=Renamed just before the download" in response.get_data(as_text=True)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{export_filename(paper, "csv")}"'
    )


def test_a_server_without_pdf_libraries_says_so_and_the_other_formats_still_work(
    coordinator, draft, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if Pango could not be loaded
    response = coordinator.get(f"/reports/{draft.id}/download/pdf")
    assert response.status_code == 503
    assert "PDF export needs the Pango text layout library" in response.get_data(as_text=True)
    assert coordinator.get(f"/reports/{draft.id}/download/docx").status_code == 200
