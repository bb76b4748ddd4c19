"""Report fixtures: the demo plan, its coordinator, and a draft ready to publish."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.support.factories import (
    make_action,
    make_period,
    make_plan_version,
    make_priority,
    make_theme,
    make_update,
    make_user,
)
from tracker.models import Plan, Report, ReportingPeriod, User
from tracker.reports.document import document_for_report
from tracker.reports.services import start_draft

OPEN_PERIOD = "Oct–Nov 2026"


def period_named(session, name: str = OPEN_PERIOD) -> ReportingPeriod:
    return session.scalar(select(ReportingPeriod).where(ReportingPeriod.name == name))


def user_with_email(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def fill_for_the_board(report: Report) -> Report:
    """Every written part a board paper has, as a coordinator would type it."""
    report.authors = [
        {"name": "Sam Patel", "role": "Head of Community Safety"},
        {"name": "Jordan Reid", "role": "Chair of the Working Group"},
    ]
    report.meeting = "County Community Safety Partnership"
    report.meeting_date = date(2026, 12, 10)
    report.classification = "For Decision"
    report.summary = "This paper updates the board on the action plan.\n\nIt asks for a decision."
    report.sections = [
        {
            "heading": "Background",
            "body": "The partnership agreed its priorities in March.\n\nLeads report every two months.",
        },
        {"heading": "Annual conference", "body": "The conference takes place in November."},
        {"heading": "Action plan progress", "body": "", "block": "rag_summary"},
        {"heading": "What moved", "body": "", "block": "what_moved"},
        {"heading": "Changes to the agreement", "body": "", "block": "agreement_changes"},
    ]
    report.recommendations = "Note the progress made.\n\nAgree the revised road safety action."
    report.contact_people = [
        {
            "name": "Sam Patel",
            "role": "Head of Community Safety",
            "organisation": "County Council",
            "email": "sam.patel@example.org",
            "telephone": "03000 123456",
        }
    ]
    return report


@pytest.fixture
def demo(session, demo_plan):
    return session


@pytest.fixture
def coordinator_user(demo) -> User:
    return user_with_email(demo, "coordinator@example.org")


@pytest.fixture
def draft(demo, coordinator_user) -> Report:
    """A draft for the open period with every part filled in, committed."""
    report = start_draft(
        demo, period=period_named(demo), subject="Action plan update", author=coordinator_user
    )
    fill_for_the_board(report)
    demo.commit()
    return report


@pytest.fixture
def district(session):
    """A district partnership's own plan: two priorities, a theme, one period, updates."""
    version = make_plan_version(session, plan=Plan(name="Riverside Community Safety Plan"))
    period = make_period(
        session,
        plan_version=version,
        name="Q2 2026/27",
        start_date=date(2026, 7, 1),
        end_date=date(2026, 9, 30),
        is_open=True,
    )
    theme = make_theme(session, plan_version=version, name="Supporting victims")
    lead = make_user(session, name="Robin Shaw")
    for name, status in (("Town centre safety", "amber"), ("Tackling fraud", "green")):
        priority = make_priority(session, plan_version=version, name=name, lead_role="Inspector")
        action = make_action(session, priority=priority, title=f"{name}: patrol plan")
        action.themes.append(theme)
        make_update(session, action=action, author=lead, period=period, rag=status)
    coordinator = make_user(session, name="Alex Morgan", role="coordinator", two_factor=True)
    session.commit()
    return period, coordinator


def a_draft(session, district, *, sections, appendices, **fields):
    period, coordinator = district
    report = start_draft(session, period=period, subject="Working group update", author=coordinator)
    report.sections = sections
    report.appendices = appendices
    for field, value in fields.items():
        setattr(report, field, value)
    session.commit()
    document = document_for_report(session, report)
    return report, document
