"""Grants: each pot's totals (allocated, proposed, what remains) and the grant update the
board paper carries. One set of rules for the grants page, the paper and the spreadsheet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import DbSession
from tracker.models import GrantPot, GrantProject, GrantStatus, Plan, Priority

MAX_AMOUNT = Decimal("100000000")  # £100 million: no partnership grant comes near it
_MONEY = re.compile(r"£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")
_FINANCIAL_YEAR = re.compile(r"(\d{4})/(\d{2})")


class NotMoney(ValueError):
    """The text is not an amount of money in pounds (and pence)."""


def parse_money(text: str) -> Decimal:
    """ "£6,000", "6000" or "1,250.50" as pounds; raises NotMoney for anything else."""
    cleaned = text.strip()
    if not _MONEY.fullmatch(cleaned):
        raise NotMoney(cleaned)
    try:
        amount = Decimal(cleaned.lstrip("£").strip().replace(",", ""))
    except InvalidOperation:
        raise NotMoney(cleaned) from None
    if amount >= MAX_AMOUNT:
        raise NotMoney(cleaned)
    return amount.quantize(Decimal("0.01"))


def format_money(amount: Decimal) -> str:
    """£39,661 for whole pounds, £1,250.50 with pence, as the council's papers write money
    (-£500 below nothing)."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


def financial_year_of(day: date) -> str:
    """The UK public sector's financial year (April to March) a day falls in: "2026/27"."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def is_financial_year(text: str) -> bool:
    """ "2026/27": a year and the next one's last two digits."""
    match = _FINANCIAL_YEAR.fullmatch(text.strip())
    return match is not None and (int(match.group(1)) + 1) % 100 == int(match.group(2))


@dataclass(frozen=True)
class PotTotals:
    grant: Decimal
    allocated: Decimal  # approved and delivered projects
    proposed: Decimal  # bids not yet agreed
    projects: int  # allocated projects

    @property
    def remaining(self) -> Decimal:
        """What is left to allocate: negative when the group agreed to allocate more."""
        return self.grant - self.allocated


def totals_of(pot: GrantPot) -> PotTotals:
    allocated = [p for p in pot.projects if p.grant_status.is_allocated]
    return PotTotals(
        grant=pot.amount,
        allocated=sum((p.amount for p in allocated), Decimal("0")),
        proposed=sum(
            (p.amount for p in pot.projects if p.grant_status is GrantStatus.PROPOSED),
            Decimal("0"),
        ),
        projects=len(allocated),
    )


def over_allocation(
    pot: GrantPot, project: GrantProject | None, amount: Decimal, status: GrantStatus
) -> Decimal:
    """How far past the grant its allocations would go with this project saved like this
    (zero when they stay within it, or the project is not counted)."""
    if not status.is_allocated:
        return Decimal("0")
    others = sum(
        (p.amount for p in pot.projects if p.grant_status.is_allocated and p is not project),
        Decimal("0"),
    )
    return max(Decimal("0"), others + amount - pot.amount)


def pots_for(session: DbSession, plan: Plan) -> list[GrantPot]:
    """A plan's grants, the newest year first, with their projects and priorities."""
    return list(
        session.scalars(
            select(GrantPot)
            .where(GrantPot.plan_id == plan.id)
            .options(selectinload(GrantPot.projects).selectinload(GrantProject.priorities))
            .order_by(GrantPot.financial_year.desc(), GrantPot.funder)
        )
    )


def projects_supporting(session: DbSession, priority: Priority) -> list[GrantProject]:
    """The grant projects that support a priority (or the priorities it continues from last
    year's plan), the newest year first."""
    ids = [priority.id, *(earlier.id for earlier in priority.predecessors)]
    return list(
        session.scalars(
            select(GrantProject)
            .join(GrantProject.pot)
            .where(GrantProject.priorities.any(Priority.id.in_(ids)))
            .options(selectinload(GrantProject.pot))
            .order_by(GrantPot.financial_year.desc(), GrantProject.id)
        )
    )


def grant_update(session: DbSession, plan: Plan, financial_year: str) -> list[dict[str, Any]]:
    """The paper's grant update: each of the year's pots with its projects and totals, as
    plain JSON-ready data (frozen with the paper when it is published)."""
    update = []
    for pot in pots_for(session, plan):
        if pot.financial_year != financial_year:
            continue
        totals = totals_of(pot)
        update.append(
            {
                "funder": pot.funder,
                "financial_year": pot.financial_year,
                "notes": pot.notes,
                # Words for the paper; the *_value amounts (pounds, as text) for spreadsheets.
                "grant": format_money(totals.grant),
                "grant_value": str(totals.grant),
                "allocated_value": str(totals.allocated),
                "proposed_value": str(totals.proposed),
                "remaining_value": str(totals.remaining),
                "allocated": format_money(totals.allocated),
                "allocated_projects": totals.projects,
                "proposed": format_money(totals.proposed) if totals.proposed else None,
                "remaining": format_money(totals.remaining),
                "over_allocated": totals.remaining < 0,
                "over_by": format_money(-totals.remaining) if totals.remaining < 0 else None,
                "projects": [
                    _project(project)
                    for project in pot.projects
                    if project.grant_status is not GrantStatus.WITHDRAWN
                ],
            }
        )
    return update


def _project(project: GrantProject) -> dict[str, Any]:
    return {
        "name": project.name,
        "amount": format_money(project.amount),
        "amount_value": str(project.amount),
        "start": project.start_date.isoformat() if project.start_date else None,
        "end": project.end_date.isoformat() if project.end_date else None,
        "status": project.status,
        "status_label": project.grant_status.label,
        "lead_organisation": project.lead_organisation,
        "priorities": [priority.name for priority in project.priorities],
        "dates": dates_of(project),
        "achieved": project.achieved,
        "reach": reach_of(project),
    }


def dates_of(project: GrantProject) -> str:
    """ "1 September 2026 to 31 March 2027", or one end of it, or nothing."""

    def said(day: date | None) -> str:
        return f"{day.day} {day:%B %Y}" if day else ""

    start, end = said(project.start_date), said(project.end_date)
    if start and end:
        return f"{start} to {end}"
    return f"From {start}" if start else (f"Until {end}" if end else "")


def reach_of(project: GrantProject) -> str:
    """ "8,000 attendees": the number and what it counts."""
    if project.reach is None:
        return ""
    return f"{project.reach:,} {project.reach_measure}".strip()
