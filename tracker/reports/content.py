"""What the periodic update report shows, gathered from the roll-up's business functions.

The report's generated parts (the RAG summary, what moved, changes to the agreement, the
grant update, and each priority's lead, context, indicators and actions) come from here as
plain, JSON-ready data. Every renderer (the print view and each export) draws from this one
structure, and publishing a report freezes exactly this, so a published report never changes
afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from tracker.dashboard.services import (
    Movement,
    actions_in_rollup,
    rollup,
    what_moved,
)
from tracker.extensions import DbSession
from tracker.grants.services import financial_year_of, grant_update
from tracker.models import (
    PlanVersion,
    Priority,
    PriorityNarrative,
    ReportingPeriod,
    Theme,
    action_theme,
    priority_lead,
)
from tracker.models import User as Person
from tracker.priorities.services import (
    Citation,
    IndicatorSummary,
    format_number,
    format_percent,
    indicator_summaries_by_priority,
    narrative_paragraphs,
    source_notes,
)
from tracker.refresh.changes import change_lines
from tracker.statuses import NO_UPDATE_TEXT, STATUS_LABELS, scale_of

CONTENT_FORMAT = 1  # bump when the structure changes, so old snapshots can be told apart
# The words for a red status's recovery plan in every page and file.
RECOVERY_LABEL = "What is being done about it"


def report_content(session: DbSession, period: ReportingPeriod) -> dict[str, Any]:
    """Everything a report for this period shows besides its written sections."""
    version = period.plan_version
    summary = rollup(session, version, period)
    moved = what_moved(session, version, period)
    rows_by_priority = _action_rows_by_priority(session, version, period)
    narratives = {
        narrative.priority_id: narrative
        for narrative in session.scalars(
            select(PriorityNarrative).where(PriorityNarrative.period_id == period.id)
        )
    }
    leads = _lead_names_by_priority(session, version.id)
    priorities = _priorities_in_use(session, version)
    counts = {row.id: row for row in summary.priorities}
    indicators = indicator_summaries_by_priority(session, version.id)
    scale = scale_of(version.plan)
    return {
        "format": CONTENT_FORMAT,
        "plan": version.plan.name,
        "plan_version": version.label,
        "period": period_facts(period),
        "previous_period": period_facts(moved.previous) if moved.previous else None,
        "status_scale": scale.key,
        "statuses": [{"key": key, "label": STATUS_LABELS[key]} for key in scale.statuses],
        "summary": {
            "priorities": [_counts(row, scale.statuses) for row in summary.priorities],
            "priority_totals": _counts(summary.priority_totals, scale.statuses),
            "themes": [_counts(row, scale.statuses) for row in summary.themes],
            "theme_totals": _counts(summary.theme_totals, scale.statuses),
        },
        "moved": {
            "changed": [_movement(m) for m in moved.changed],
            "completed": [_movement(m) for m in moved.completed],
            "added": [_movement(m) for m in moved.added],
            "gone_quiet": [_movement(m) for m in moved.gone_quiet],
        },
        "agreement_changes": _agreement_changes(version),
        "financial_year": financial_year_of(period.start_date),
        "grants": grant_update(session, version.plan, financial_year_of(period.start_date)),
        "priorities": [
            {
                "id": priority.id,
                "name": priority.name,
                "lead_role": priority.lead_role,
                "leads": leads.get(priority.id, []),
                "includes": priority.includes,
                "overall": counts[priority.id].overall,
                "updated": counts[priority.id].updated,
                "expected": counts[priority.id].expected,
                "waiting_for_sign_off": counts[priority.id].pending,
                "context": _context(narratives.get(priority.id)),
                "indicators": _indicators(indicators.get(priority.id, []), period),
                "actions": rows_by_priority.get(priority.name, []),
            }
            for priority in priorities
        ],
    }


def action_table_content(session: DbSession, period: ReportingPeriod) -> dict[str, Any]:
    """Only what the action table shows (the CSV): the period, and each priority with its
    actions, the same rows as report_content's, without working out the rest of the paper."""
    version = period.plan_version
    rows_by_priority = _action_rows_by_priority(session, version, period)
    return {
        "period": period_facts(period),
        "priorities": [
            {"name": priority.name, "actions": rows_by_priority.get(priority.name, [])}
            for priority in _priorities_in_use(session, version)
        ],
    }


def _priorities_in_use(session: DbSession, version: PlanVersion) -> Sequence[Priority]:
    return session.scalars(
        select(Priority)
        .where(Priority.plan_version_id == version.id, Priority.retired_at.is_(None))
        .order_by(Priority.position, Priority.id)
    ).all()


def _action_rows_by_priority(
    session: DbSession, version: PlanVersion, period: ReportingPeriod
) -> dict[str, list[dict[str, Any]]]:
    """Every counted action's row in the report's action table, by priority name."""
    rows_by_priority: dict[str, list[dict[str, Any]]] = defaultdict(list)
    themes_of = _theme_names_by_action(session, version.id)
    for row in actions_in_rollup(session, version, period):
        rows_by_priority[row.priority].append(
            {
                "id": row.action_id,
                "title": row.title,
                "owner": row.owner or "",
                "themes": themes_of.get(row.action_id, []),
                "status": row.status,
                "status_label": STATUS_LABELS[row.status],
                "progress": row.progress or NO_UPDATE_TEXT,
                "recovery": row.recovery,
                "updated": row.updated_at.date().isoformat() if row.updated_at else None,
            }
        )
    return rows_by_priority


def _agreement_changes(version: PlanVersion) -> dict[str, Any] | None:
    """ "Changes to the agreement": what the refresh that made this version changed, as the
    agreement's version-control table has it; None for a version no refresh made."""
    lines = change_lines(version.changes)
    if not lines and not version.change_log:
        return None
    return {
        "version": version.agreement_version or str(version.version_number),
        "label": version.label,
        "effective_from": f"{version.effective_from:%-d %B %Y}",
        "lines": lines,
        "notes": version.change_log,
    }


def updated_of(counts: dict[str, Any]) -> str:
    """ "3 of 4": how many of a priority's (or a row's) actions were updated in the period,
    said beside its overall status, with any updates still waiting for sign-off; a dash in
    papers published before it was recorded."""
    if "expected" not in counts:
        return "–"
    said = f"{counts['updated']} of {counts['expected']}"
    waiting = counts.get("waiting_for_sign_off")
    if waiting:  # given, but not counted until signed off
        said += f" ({waiting} waiting for sign-off)"
    return said


def period_facts(period: ReportingPeriod) -> dict[str, Any]:
    """A period as every copy of a paper names it."""
    return {
        "id": period.id,
        "name": period.name,
        "start": period.start_date.isoformat(),
        "end": period.end_date.isoformat(),
    }


def _counts(row: Any, statuses: Sequence[str]) -> dict[str, Any]:
    return {
        **row.as_dict(statuses),
        "percentages": row.percentages,
    }


def _movement(movement: Movement) -> dict[str, Any]:
    return {
        "id": movement.action_id,
        "title": movement.title,
        "priority": movement.priority,
        "before": movement.before,
        "after": movement.after,
        "recovery": movement.recovery,
    }


def _context(narrative: PriorityNarrative | None) -> dict[str, Any] | None:
    if narrative is None:
        return None
    return {
        "paragraphs": [
            [
                {"cite": part.number}
                if isinstance(part, Citation)
                else {"text": _held_to_citation(part, following)}
                for part, following in zip(paragraph, [*paragraph[1:], None], strict=True)
            ]
            for paragraph in narrative_paragraphs(narrative.body)
        ],
        "notes": source_notes(narrative.sources),
    }


NO_BREAK_SPACE = "\u00a0"
WORD_JOINER = "\u2060"


def _held_to_citation(text: str, following: str | Citation | None) -> str:
    """Text before a citation ends in a space that cannot break (or a word joiner), so a
    citation never wraps onto a line of its own away from the words it supports."""
    if not isinstance(following, Citation):
        return text
    trimmed = text.rstrip(" \t")
    return trimmed + (NO_BREAK_SPACE if trimmed != text else WORD_JOINER)


def _indicators(summaries: list[IndicatorSummary], period: ReportingPeriod) -> list[dict[str, Any]]:
    """Each indicator with its latest value up to the period (never a later one)."""
    shown = []
    for summary in summaries:
        latest = summary.latest_up_to(period)
        entry: dict[str, Any] = {
            "name": summary.indicator.name,
            "unit": summary.indicator.unit,
            "polarity": summary.indicator.polarity,
            "source": summary.indicator.source,
            "latest": None,
        }
        if latest is not None:
            travel = summary.direction(latest)
            entry["latest"] = {
                "period": latest.period.name,
                "value": format_number(latest.value),
                "comparison": (
                    format_number(latest.comparison_value)
                    if latest.comparison_value is not None
                    else None
                ),
                "comparison_label": latest.comparison_label,
                "change": format_number(travel.change) if travel.change is not None else None,
                "percent": format_percent(travel.percent) or None,
                "direction": travel.direction,
                "judgement": travel.judgement,
                "arrow": travel.arrow,
                "words": travel.words,
            }
        shown.append(entry)
    return shown


def _theme_names_by_action(session: DbSession, version_id: int) -> dict[int, list[str]]:
    return _names_by_id(
        session,
        select(action_theme.c.action_id, Theme.name)
        .join(Theme, Theme.id == action_theme.c.theme_id)
        .where(Theme.plan_version_id == version_id, Theme.retired_at.is_(None))
        .order_by(Theme.position, Theme.id),
    )


def _lead_names_by_priority(session: DbSession, version_id: int) -> dict[int, list[str]]:
    return _names_by_id(
        session,
        select(priority_lead.c.priority_id, Person.name)
        .join(Person, Person.id == priority_lead.c.user_id)
        .join(Priority, Priority.id == priority_lead.c.priority_id)
        .where(Priority.plan_version_id == version_id)
        .order_by(Person.name),
    )


def _names_by_id(session: DbSession, pairs: Select[Any]) -> dict[int, list[str]]:
    """(id, name) rows grouped into each id's list of names, in the query's order."""
    names: dict[int, list[str]] = defaultdict(list)
    for key, name in session.execute(pairs):
        names[key].append(name)
    return names
