"""Report fixtures: the demo plan, its coordinator, and a draft ready to publish."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.models import Report, ReportingPeriod, User
from tracker.plans.demo import load_demo_plan
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
    ]
    report.recommendations = "Note the progress made.\n\nAgree the revised road safety action."
    report.contacts = "Sam Patel, Head of Community Safety\nsam.patel@example.org"
    return report


@pytest.fixture
def demo(session):
    load_demo_plan(session)
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
