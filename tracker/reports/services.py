"""Board reports through their life: draft, published (frozen), withdrawn, and copied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import DbSession
from tracker.grants.services import financial_year_of
from tracker.models import (
    GrantPot,
    Plan,
    PlanVersion,
    Report,
    ReportingPeriod,
    ReportStatus,
    Role,
    User,
    utcnow,
)
from tracker.reports.document import GENERATED_BLOCKS, draft_document
from tracker.statuses import NO_UPDATE_TEXT

DRAFT_FIELDS = (
    "authors",
    "meeting",
    "meeting_date",
    "classification",
    "subject",
    "summary",
    "sections",
    "recommendations",
    "attachments",
    "contact_people",
    "appendices",
)


class NotADraft(Exception):
    """Only a draft can be changed or published; a published report is kept as it was sent."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"report {report.id} is {report.status}")
        self.report = report


class SavedMeanwhile(Exception):
    """Someone else saved this draft after the form was loaded; nothing was saved."""

    def __init__(self, report: Report) -> None:
        super().__init__("the draft changed since the form was loaded")
        self.report = report


class NotReadyToPublish(Exception):
    """The draft lacks something a board paper needs: field name → message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def reports_for(session: DbSession, user: User, plan: Plan) -> list[Report]:
    """A plan's reports, newest first. Drafts are the coordinators' working copies; everyone
    sees the rest."""
    query = (
        select(Report)
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .join(PlanVersion, PlanVersion.id == ReportingPeriod.plan_version_id)
        .where(PlanVersion.plan_id == plan.id)
        .options(
            selectinload(Report.period),
            selectinload(Report.created_by),
            selectinload(Report.published_by),
        )
        .order_by(Report.created_at.desc(), Report.id.desc())
    )
    if not can_compose(user):
        query = query.where(Report.status != ReportStatus.DRAFT.value)
    return list(session.scalars(query))


def can_compose(user: User) -> bool:
    """Coordinators write, publish and withdraw reports, and read drafts."""
    return user.role == Role.COORDINATOR.value


def can_read(user: User, report: Report) -> bool:
    """Everyone signed in reads published and withdrawn reports; drafts are the composers'."""
    return report.status != ReportStatus.DRAFT.value or can_compose(user)


def start_draft(
    session: DbSession, *, period: ReportingPeriod, subject: str, author: User
) -> Report:
    """A new draft, with its author as the first name under "By", laid out as most papers
    are: a background section, the action plan progress, what moved and any changes to the
    agreement (and the grant update, when the plan has a grant for the period's year) as
    sections, and the action plan as Appendix A. The coordinator moves or removes any."""
    report = Report(
        period=period,
        subject=subject.strip(),
        authors=[{"name": author.name, "role": ""}],
        sections=[{"heading": "Background", "body": "", "block": ""}]
        + [
            {"heading": GENERATED_BLOCKS[key].heading, "body": "", "block": key}
            for key in ("rag_summary", "what_moved", "agreement_changes", "grant_update")
            if key != "grant_update" or _has_a_grant(session, period)
        ],
        appendices=[
            {"title": GENERATED_BLOCKS["action_plan"].heading, "intro": "", "block": "action_plan"}
        ],
        contact_people=[],
        created_by=author,
    )
    session.add(report)
    session.flush()
    return report


def _has_a_grant(session: DbSession, period: ReportingPeriod) -> bool:
    plan_id = period.plan_version.plan_id
    year = financial_year_of(period.start_date)
    return (
        session.scalar(
            select(GrantPot.id).where(GrantPot.plan_id == plan_id, GrantPot.financial_year == year)
        )
        is not None
    )


def save_draft(
    session: DbSession,
    report: Report,
    values: dict[str, Any],
    *,
    period: ReportingPeriod,
    loaded_version: int | None,
    editor: User,
) -> Report:
    """Write what the composer holds, from the version it loaded. Raises NotADraft or
    SavedMeanwhile, writing nothing then."""
    if report.report_status is not ReportStatus.DRAFT:
        raise NotADraft(report)
    if loaded_version != report.version:
        raise SavedMeanwhile(report)
    report.period = period
    report.updated_by = editor
    for field in DRAFT_FIELDS:
        if getattr(report, field) != values[field]:
            setattr(report, field, values[field])
    _flush_unless_changed_meanwhile(session, report)
    return report


def _flush_unless_changed_meanwhile(session: DbSession, report: Report) -> None:
    """Write the report's changes if its row is still the version they were made on."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise SavedMeanwhile(session.get(Report, report.id) or report) from None


def publish_problems(report: Report) -> dict[str, str]:
    """What the draft still needs before it can go to the board, by form field."""
    problems: dict[str, str] = {}
    if not report.authors:
        problems["authors-0-name"] = "Enter who the report is by"
    if not report.meeting.strip():
        problems["meeting"] = "Enter the meeting the report goes to"
    if report.meeting_date is None:
        problems["meeting_date"] = "Enter the date of the meeting"
    if not report.summary.strip():
        problems["summary"] = "Enter a summary"
    if not report.recommendations.strip():
        problems["recommendations"] = "Enter at least one recommendation"
    return problems


@dataclass(frozen=True)
class Gap:
    """Something the paper would show as missing or stale if it were published now."""

    what: str  # "Actions without an update for Oct–Nov 2026"
    items: list[str]  # what each one is, as the paper names it
    says: str = ""  # what the paper prints in its place, if anything


def placed_blocks(report: Report) -> set[str]:
    """The generated blocks the coordinator put in the paper (in a section or an appendix)."""
    return {
        part.get("block", "")
        for part in [*(report.sections or []), *(report.appendices or [])]
        if part.get("block")
    }


def publish_gaps(report: Report, document: dict[str, Any]) -> list[Gap]:
    """What is missing or stale in the blocks the paper carries, for the confirmation page:
    nothing of this goes to the board unseen."""
    content = document["content"]
    period = content["period"]["name"]
    placed = placed_blocks(report)
    gaps = []
    priorities = content["priorities"]
    if placed & {"rag_summary", "action_plan"}:
        stale = [
            f"{action['title']} ({priority['name']})"
            for priority in priorities
            for action in priority["actions"]
            if action["status"] == "none"
        ]
        if stale:
            gaps.append(
                Gap(f"Actions without an update for {period}", stale, f"“{NO_UPDATE_TEXT}”")
            )
        waiting = [
            f"{priority['name']}: {priority['waiting_for_sign_off']}"
            for priority in priorities
            if priority.get("waiting_for_sign_off")
        ]
        if waiting:
            gaps.append(Gap("Updates waiting for sign-off, not counted yet", waiting))
    if "action_plan" in placed:
        no_context = [priority["name"] for priority in priorities if priority["context"] is None]
        if no_context:
            gaps.append(
                Gap(
                    f"Priorities without context for {period}",
                    no_context,
                    f"“No context was written for {period}.”",
                )
            )
        no_value = [
            f"{indicator['name']} ({priority['name']})"
            + (f": latest value is for {latest['period']}" if latest else ": no value yet")
            for priority in priorities
            for indicator in priority["indicators"]
            if (latest := indicator["latest"]) is None or latest["period"] != period
        ]
        if no_value:
            gaps.append(Gap(f"Indicators without a value for {period}", no_value))
    if "grant_update" in placed and not content.get("grants"):
        gaps.append(
            Gap(
                f"No grant is recorded for {content['financial_year']}",
                ["The grant update is left out of the paper until one is added under Grants."],
            )
        )
    return gaps


def publish(session: DbSession, report: Report, publisher: User) -> Report:
    """Freeze everything the report shows, as it stands now. Raises NotADraft,
    NotReadyToPublish, or SavedMeanwhile if the draft changed since it was loaded."""
    if report.report_status is not ReportStatus.DRAFT:
        raise NotADraft(report)
    problems = publish_problems(report)
    if problems:
        raise NotReadyToPublish(problems)
    report.snapshot = draft_document(session, report)
    report.status = ReportStatus.PUBLISHED.value
    report.published_at = utcnow()
    report.published_by = publisher
    _flush_unless_changed_meanwhile(session, report)
    return report


def withdraw(session: DbSession, report: Report, reason: str, actor: User) -> Report:
    """Mark a published report withdrawn: it is kept, with its snapshot, but flagged.
    Raises NotADraft unless it is published, SavedMeanwhile if someone withdrew it first."""
    if report.report_status is not ReportStatus.PUBLISHED:
        raise NotADraft(report)
    report.status = ReportStatus.WITHDRAWN.value
    report.withdrawn_reason = reason.strip()
    report.withdrawn_at = utcnow()
    report.withdrawn_by = actor
    _flush_unless_changed_meanwhile(session, report)
    return report


def new_draft_from(session: DbSession, source: Report, author: User) -> Report:
    """A draft carrying over a report's written parts, for the same period to start with."""
    draft = Report(
        period=source.period,
        based_on=source,
        created_by=author,
        **{field: _copy(getattr(source, field)) for field in DRAFT_FIELDS},
    )
    session.add(draft)
    session.flush()
    return draft


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(item) for item in value]
    return value
