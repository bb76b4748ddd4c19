"""A report's life: drafted, published as a frozen copy, withdrawn, and copied to a new draft."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tests.reports.conftest import period_named, user_with_email
from tests.reports.readers import csv_rows, docx_of, pdf_text, xlsx_values
from tracker.extensions import db
from tracker.models import (
    Action,
    AuditEvent,
    Indicator,
    IndicatorValue,
    Priority,
    PriorityNarrative,
    Report,
    Update,
)
from tracker.reports.document import document_for_report
from tracker.reports.exports.formats import export_bytes
from tracker.reports.services import (
    NotADraft,
    NotReadyToPublish,
    SavedMeanwhile,
    new_draft_from,
    publish,
    publish_problems,
    save_draft,
    start_draft,
    withdraw,
)


def readable(session, report: Report, *, files: bool = True) -> dict[str, object]:
    """What each export of the report says, read back from the files (with files=False,
    only the document every export is drawn from)."""
    document = document_for_report(session, report)
    if not files:
        return {"document": document}
    word = docx_of(export_bytes(session, document, "docx"))
    return {
        "document": document,
        "docx": [paragraph.text for paragraph in word.paragraphs]
        + [cell.text for table in word.tables for row in table.rows for cell in row.cells],
        "pdf": pdf_text(export_bytes(session, document, "pdf")),
        "xlsx": xlsx_values(export_bytes(session, document, "xlsx")),
        "csv": csv_rows(export_bytes(session, document, "csv")),
    }


def change_everything_a_report_shows(session, period) -> None:
    """Later work on the plan: renamed things, new updates, values, context and actions."""
    action = session.scalars(select(Action).order_by(Action.id)).first()
    action.title = "Renamed after publishing"
    domestic_abuse = session.scalar(select(Priority).where(Priority.name == "Domestic Abuse"))
    domestic_abuse.name = "Domestic Abuse and Stalking"
    user_with_email(session, "lead.police@example.org").name = "Renamed Lead"
    session.add(
        Update(
            action=action,
            period=period,
            author=user_with_email(session, "coordinator@example.org"),
            rag="red",
            progress_text="Written after the report went to the board.",
            recorded_at=datetime.now(UTC),
        )
    )
    session.add(Action(priority=domestic_abuse, title="Added after publishing"))
    indicator = session.scalars(select(Indicator).order_by(Indicator.id)).first()
    reading = session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.period_id == period.id
        )
    )
    reading.value = Decimal("9999")
    narrative = session.scalar(
        select(PriorityNarrative).where(
            PriorityNarrative.priority_id == domestic_abuse.id,
            PriorityNarrative.period_id == period.id,
        )
    )
    narrative.body = "Context rewritten after publishing."
    session.commit()


def published_and_live_reports_around_later_work(demo, draft, coordinator_user, *, files):
    """What a published report and a live draft of the same period say before and after
    later work on the plan changes everything a report shows."""
    publish(demo, draft, coordinator_user)
    demo.commit()
    published = readable(demo, draft, files=files)
    second_draft = start_draft(
        demo, period=draft.period, subject="Live draft", author=coordinator_user
    )
    demo.commit()
    live_before = readable(demo, second_draft, files=files)

    change_everything_a_report_shows(demo, period_named(demo))
    demo.expire_all()

    published_after = readable(demo, demo.get(Report, draft.id), files=files)
    live_after = readable(demo, demo.get(Report, second_draft.id), files=files)
    return published, published_after, live_before, live_after


def test_a_published_reports_frozen_copy_does_not_change_when_the_plan_does(
    demo, draft, coordinator_user
):
    published, published_after, live_before, live_after = (
        published_and_live_reports_around_later_work(demo, draft, coordinator_user, files=False)
    )
    assert published_after == published
    # The same changes do show in a draft, so the comparison above could have failed.
    assert live_after["document"] != live_before["document"]


@pytest.mark.one_database  # each file is drawn from the copy, which both databases keep
def test_a_published_reports_exports_do_not_change_when_the_plan_does(
    demo, draft, coordinator_user
):
    published, published_after, live_before, live_after = (
        published_and_live_reports_around_later_work(demo, draft, coordinator_user, files=True)
    )
    assert published_after == published
    # The same changes do show in a draft, so the comparison above could have failed.
    for kind in ("document", "docx", "pdf", "xlsx", "csv"):
        assert live_after[kind] != live_before[kind], kind
    assert "Renamed after publishing" in live_after["pdf"]
    assert "Renamed after publishing" not in published["pdf"]
    assert "Domestic Abuse and Stalking" not in published["pdf"]


def test_publishing_keeps_who_and_when_and_notes_it_in_the_audit_log(demo, draft, coordinator_user):
    publish(demo, draft, coordinator_user)
    demo.commit()

    assert draft.status == "published"
    assert draft.published_by == coordinator_user and draft.published_at is not None
    assert draft.snapshot["header"]["meeting"] == "County Community Safety Partnership"
    event = demo.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "report", AuditEvent.entity_id == draft.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.after["status"] == "published"
    assert event.after["snapshot"] == "(the published copy)", "noted, not copied"


def test_a_draft_missing_what_the_board_needs_is_not_published(demo, coordinator_user):
    report = start_draft(
        demo, period=period_named(demo), subject="Bare draft", author=coordinator_user
    )
    report.authors = []
    demo.commit()

    with pytest.raises(NotReadyToPublish) as refusal:
        publish(demo, report, coordinator_user)
    assert refusal.value.problems == {
        "authors-0-name": "Enter who the report is by",
        "meeting": "Enter the meeting the report goes to",
        "meeting_date": "Enter the date of the meeting",
        "summary": "Enter a summary",
        "recommendations": "Enter at least one recommendation",
    }
    demo.rollback()
    assert demo.get(Report, report.id).status == "draft"
    assert demo.get(Report, report.id).snapshot is None


def test_a_published_report_cannot_be_edited_or_published_again(demo, draft, coordinator_user):
    publish(demo, draft, coordinator_user)
    demo.commit()
    values = {"subject": "Changed"}
    with pytest.raises(NotADraft):
        save_draft(
            demo,
            draft,
            values,
            period=draft.period,
            loaded_version=draft.version,
            editor=coordinator_user,
        )
    with pytest.raises(NotADraft):
        publish(demo, draft, coordinator_user)
    assert demo.get(Report, draft.id).subject == "Action plan update"


def test_saving_from_an_older_version_is_refused_and_writes_nothing(demo, draft, coordinator_user):
    loaded = draft.version
    values = {field: getattr(draft, field) for field in ("authors", "meeting", "meeting_date")}
    values |= {
        "classification": draft.classification,
        "subject": "First save",
        "summary": draft.summary,
        "sections": draft.sections,
        "recommendations": draft.recommendations,
        "attachments": draft.attachments,
        "contact_people": draft.contact_people,
        "appendices": draft.appendices,
    }
    save_draft(
        demo, draft, values, period=draft.period, loaded_version=loaded, editor=coordinator_user
    )
    demo.commit()
    with pytest.raises(SavedMeanwhile):
        save_draft(
            demo,
            draft,
            values | {"subject": "Second save"},
            period=draft.period,
            loaded_version=loaded,
            editor=user_with_email(demo, "lead.police@example.org"),
        )
    demo.rollback()
    saved = demo.get(Report, draft.id)
    assert (saved.subject, saved.updated_by) == ("First save", coordinator_user)


def test_publishing_a_draft_someone_saved_meanwhile_is_refused(demo, draft, coordinator_user):
    assert draft.status == "draft"  # this session has the draft loaded
    with db.engine.begin() as someone_else:
        someone_else.execute(
            text("UPDATE report SET summary = 'Theirs', version = version + 1 WHERE id = :id"),
            {"id": draft.id},
        )
    with pytest.raises(SavedMeanwhile):
        publish(demo, draft, coordinator_user)
    demo.expire_all()
    saved = demo.get(Report, draft.id)
    assert (saved.status, saved.summary, saved.snapshot) == ("draft", "Theirs", None)


def test_withdrawing_keeps_the_copy_marked_with_the_reason(demo, draft, coordinator_user):
    with pytest.raises(NotADraft):
        withdraw(demo, draft, "Not yet published", coordinator_user)
    publish(demo, draft, coordinator_user)
    demo.commit()
    frozen = dict(draft.snapshot)

    withdraw(demo, draft, "  The road safety figures were wrong.  ", coordinator_user)
    demo.commit()

    assert draft.status == "withdrawn" and draft.snapshot == frozen
    assert draft.withdrawn_reason == "The road safety figures were wrong."
    document = document_for_report(demo, draft)
    assert document["status"]["label"] == "Withdrawn"
    assert document["status"]["note"] == "The road safety figures were wrong."
    assert "Withdrawn. The road safety figures were wrong." in pdf_text(
        export_bytes(demo, document, "pdf")
    )


def test_a_new_draft_carries_over_the_written_parts_of_a_published_one(
    demo, draft, coordinator_user
):
    publish(demo, draft, coordinator_user)
    demo.commit()
    copy = new_draft_from(demo, draft, coordinator_user)
    demo.commit()

    assert copy.status == "draft" and copy.snapshot is None and copy.based_on == draft
    for field in ("authors", "meeting", "meeting_date", "summary", "sections", "recommendations"):
        assert getattr(copy, field) == getattr(draft, field), field
    copy.sections[0]["body"] = "Changed in the copy only"
    demo.commit()
    assert draft.sections[0]["body"] != "Changed in the copy only"
    assert not publish_problems(copy)


def test_the_database_refuses_a_published_report_without_its_frozen_copy(demo, draft):
    with pytest.raises(IntegrityError):
        demo.execute(
            text("UPDATE report SET status = 'published' WHERE id = :id"), {"id": draft.id}
        )
        demo.flush()
    demo.rollback()
    assert (
        demo.scalar(select(func.count()).select_from(Report).where(Report.status != "draft")) == 0
    )
