"""Indicators with their direction of travel, and a priority's context narrative per period.

Indicators are proxy measures: they only show direction of travel, so each reading is set
against a comparison value (usually the same period last year) and the indicator's polarity
says whether the change is good or bad news.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ColumnElement

from tracker.extensions import DbSession
from tracker.models import (
    Indicator,
    IndicatorValue,
    Polarity,
    Priority,
    PriorityNarrative,
    ReportingPeriod,
    User,
)
from tracker.periods.locks import locked_message
from tracker.plans.versions import refuse_unless_current

MAX_VALUE = Decimal("999999999999.99")  # what Numeric(14, 2) holds
MAX_NARRATIVE_LENGTH = 20_000
MAX_SOURCE_NOTE_LENGTH = 1_000
MAX_NOTE_LENGTH = 2_000
DEFAULT_COMPARISON_LABEL = "same period last year"


class InputRefused(ValueError):
    """Input that cannot be saved, with a message for the field it concerns."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class SavedMeanwhile(Exception):
    """Someone else saved this record after the form was loaded; nothing was saved."""

    def __init__(self, current: IndicatorValue | PriorityNarrative | None) -> None:
        super().__init__("the record changed since the form was loaded")
        self.current = current


# --- Direction of travel -----------------------------------------------------------------


@dataclass(frozen=True)
class DirectionOfTravel:
    """How a reading compares with its comparison value, and whether that is good news."""

    change: Decimal | None  # reading minus comparison; None without a comparison
    percent: Decimal | None  # change as a share of the comparison; None if that was 0
    direction: str  # "up", "down", "no change" or "" without a comparison
    judgement: str  # "better", "worse" or "" (no change, or no comparison)

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "no change": "→"}.get(self.direction, "")

    @property
    def words(self) -> str:
        """For example "up 9% — worse", "down 120 — better" or "no change"."""
        if not self.direction:
            return "no comparison value"
        if self.direction == "no change":
            return "no change"
        size = format_percent(self.percent) or format_number(abs(self.change or Decimal(0)))
        return f"{self.direction} {size} — {self.judgement}"


def direction_of_travel(
    value: Decimal, comparison: Decimal | None, polarity: str
) -> DirectionOfTravel:
    if comparison is None:
        return DirectionOfTravel(None, None, "", "")
    change = value - comparison
    percent = (
        (abs(change) * 100 / abs(comparison)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if comparison
        else None
    )
    if change == 0:
        return DirectionOfTravel(change, percent, "no change", "")
    direction = "up" if change > 0 else "down"
    good_direction = "up" if polarity == Polarity.HIGHER_IS_BETTER else "down"
    return DirectionOfTravel(
        change, percent, direction, "better" if direction == good_direction else "worse"
    )


def format_percent(percent: Decimal | None) -> str:
    """Whole per cents, except below 1% where a whole number would read as no change."""
    if percent is None:
        return ""
    if percent < 1:
        return f"{percent.normalize():f}%"
    return f"{percent.quantize(Decimal(1), ROUND_HALF_UP):f}%"


def format_number(number: Decimal) -> str:
    """5310 → "5,310"; 12.50 → "12.5": thousands separated, no trailing zeros."""
    text = f"{number:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class IndicatorSummary:
    indicator: Indicator
    readings: list[IndicatorValue]  # oldest period first

    def reading_for(self, period: ReportingPeriod) -> IndicatorValue | None:
        return next((r for r in self.readings if r.period_id == period.id), None)

    def latest_up_to(self, period: ReportingPeriod) -> IndicatorValue | None:
        """The newest reading for this period or an earlier one."""
        earlier = [r for r in self.readings if r.period.start_date <= period.start_date]
        return earlier[-1] if earlier else None

    def direction(self, reading: IndicatorValue) -> DirectionOfTravel:
        return direction_of_travel(reading.value, reading.comparison_value, self.indicator.polarity)


def indicator_summaries(session: DbSession, priority: Priority) -> list[IndicatorSummary]:
    """Each indicator of a priority with all its readings; two queries."""
    return _summaries(session, Indicator.priority_id == priority.id)


def indicator_summaries_by_priority(
    session: DbSession, plan_version_id: int
) -> dict[int, list[IndicatorSummary]]:
    """The same for every priority of a plan version at once; two queries."""
    by_priority: dict[int, list[IndicatorSummary]] = {}
    in_version = select(Priority.id).where(Priority.plan_version_id == plan_version_id)
    for summary in _summaries(session, Indicator.priority_id.in_(in_version)):
        by_priority.setdefault(summary.indicator.priority_id, []).append(summary)
    return by_priority


def _summaries(session: DbSession, which: ColumnElement[bool]) -> list[IndicatorSummary]:
    # A retired indicator leaves the page and the papers; its readings stay in the database.
    indicators = session.scalars(
        select(Indicator)
        .where(which, Indicator.retired_at.is_(None))
        .order_by(Indicator.position, Indicator.id)
    ).all()
    summaries = {indicator.id: IndicatorSummary(indicator, []) for indicator in indicators}
    # An indicator carried through refreshes has last year's readings on the indicator it
    # continues: they are its history too. One query per year of history.
    summary_of = dict(summaries)
    newer_of = {i.continues_id: i.id for i in indicators if i.continues_id is not None}
    while newer_of:
        for older, newer in newer_of.items():
            summary_of[older] = summary_of[newer]
        newer_of = {
            continues: older
            for older, continues in session.execute(
                select(Indicator.id, Indicator.continues_id).where(
                    Indicator.id.in_(newer_of), Indicator.continues_id.is_not(None)
                )
            )
            if continues is not None and continues not in summary_of
        }
    readings = session.scalars(
        select(IndicatorValue)
        .join(ReportingPeriod, ReportingPeriod.id == IndicatorValue.period_id)
        .where(IndicatorValue.indicator_id.in_(summary_of))
        .options(joinedload(IndicatorValue.period))
        .order_by(ReportingPeriod.start_date)
    )
    for reading in readings:
        summary_of[reading.indicator_id].readings.append(reading)
    return list(summaries.values())


def same_period_last_year(
    session: DbSession, indicator: Indicator, period: ReportingPeriod
) -> IndicatorValue | None:
    """The indicator's reading (its own, or of the indicator it continues from last year's
    plan) for the period that started about a year before this one."""
    summaries = _summaries(session, Indicator.id == indicator.id)
    if not summaries:
        return None
    year_before = period.start_date - timedelta(days=365)
    for reading in summaries[0].readings:
        if abs((reading.period.start_date - year_before).days) <= 20:
            return reading
    return None


# --- Recording readings ------------------------------------------------------------------


def parse_number(text: str | None, field: str, what: str, *, required: bool) -> Decimal | None:
    """A number as people type it ("5,310", " 12.5 "), or InputRefused saying what is wrong."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "")
    if not cleaned:
        if required:
            raise InputRefused(f"Enter {what}", field)
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise InputRefused(
            f"{what.capitalize()} must be a number, like 5310 or 12.5", field
        ) from None
    if not number.is_finite():
        raise InputRefused(f"{what.capitalize()} must be a number, like 5310 or 12.5", field)
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InputRefused(f"{what.capitalize()} can have at most 2 decimal places", field)
    if abs(number) > MAX_VALUE:
        raise InputRefused(f"{what.capitalize()} is too large", field)
    return number.quantize(Decimal("0.01"))  # as the database keeps it (and the audit shows)


@dataclass(frozen=True)
class ReadingInput:
    period_id: int | None
    value: str
    comparison_value: str
    comparison_label: str
    note: str


def save_reading(
    session: DbSession,
    indicator: Indicator,
    recorder: User,
    entered: ReadingInput,
    *,
    existing: IndicatorValue | None = None,
    loaded_version: int | None = None,
) -> IndicatorValue:
    """Record a new reading, or correct an existing one saved at loaded_version.

    Raises InputRefused for bad input and SavedMeanwhile if someone else changed the
    reading since the form was loaded. Nothing is written unless everything is valid.
    """
    refuse_unless_current(indicator.priority.plan_version, "record indicator values")
    period = session.get(ReportingPeriod, entered.period_id) if entered.period_id else None
    if period is None or period.plan_version_id != indicator.priority.plan_version_id:
        raise InputRefused("Choose a reporting period of this plan", "period")
    if period.is_locked:
        raise InputRefused(locked_message(session, period, "indicator values"), "period")
    if existing is not None and existing.period.is_locked:
        raise InputRefused(locked_message(session, existing.period, "indicator values"), "period")
    value = parse_number(entered.value, "value", "the value", required=True)
    comparison = parse_number(
        entered.comparison_value, "comparison_value", "the comparison value", required=False
    )
    label = entered.comparison_label.strip()
    if comparison is not None and not label:
        raise InputRefused(
            "Say what the comparison value is, for example “same period last year”",
            "comparison_label",
        )
    if comparison is None and label:
        raise InputRefused(
            "Enter the comparison value, or clear what it is compared with", "comparison_value"
        )
    if len(label) > 100:
        raise InputRefused("The comparison must be 100 characters or fewer", "comparison_label")
    if len(entered.note.strip()) > MAX_NOTE_LENGTH:
        raise InputRefused(f"The note must be {MAX_NOTE_LENGTH:,} characters or fewer", "note")
    duplicate = session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id, IndicatorValue.period_id == period.id
        )
    )
    if duplicate is not None and duplicate is not existing:
        raise InputRefused(
            f"There is already a value for {period.name}: change that one instead", "period"
        )
    if existing is not None and loaded_version != existing.version:
        raise SavedMeanwhile(existing)

    reading = existing or IndicatorValue(indicator=indicator)
    reading.period = period
    reading.value = value  # type: ignore[assignment]  # parse_number returned a number
    reading.comparison_value = comparison
    reading.comparison_label = label
    reading.note = entered.note.strip()
    reading.recorded_by = recorder
    session.add(reading)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise SavedMeanwhile(
            session.get(IndicatorValue, existing.id) if existing else None
        ) from None
    except IntegrityError:  # a reading for the same period was saved a moment ago
        session.rollback()
        raise InputRefused(
            f"There is already a value for {period.name}: change that one instead", "period"
        ) from None
    return reading


# --- Context narrative -------------------------------------------------------------------

CITATION = re.compile(r"\[(\d{1,3})\]")
TYPED_NUMBER = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}[.)])\s*")


@dataclass(frozen=True)
class Citation:
    number: int


def narrative_paragraphs(body: str) -> list[list[str | Citation]]:
    """Paragraphs (split at blank lines), each a run of text and citations like [2]."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        if not block.strip():
            continue
        parts: list[str | Citation] = []
        for index, piece in enumerate(CITATION.split(block.strip())):
            if index % 2:
                parts.append(Citation(int(piece)))
            elif piece:
                parts.append(piece)
        paragraphs.append(parts)
    return paragraphs


def source_notes(sources: str) -> list[str]:
    """The source notes, one per non-blank line, without any number the writer typed."""
    return [TYPED_NUMBER.sub("", line).strip() for line in sources.splitlines() if line.strip()]


def cited_numbers(body: str) -> list[int]:
    return sorted({int(number) for number in CITATION.findall(body)})


def save_narrative(
    session: DbSession,
    priority: Priority,
    period: ReportingPeriod,
    author: User,
    *,
    body: str,
    sources: str,
    loaded_version: int | None,
) -> PriorityNarrative:
    """Write or rewrite a priority's context for a period, from the version the form loaded
    (None for a first version). Raises InputRefused or SavedMeanwhile; writes nothing then."""
    refuse_unless_current(priority.plan_version, "write context")
    if period.is_locked:
        raise InputRefused(locked_message(session, period, "context"), "body")
    body = (body or "").strip()
    if not body:
        raise InputRefused("Enter the context", "body")
    if len(body) > MAX_NARRATIVE_LENGTH:
        raise InputRefused(
            f"The context must be {MAX_NARRATIVE_LENGTH:,} characters or fewer", "body"
        )
    notes = source_notes(sources or "")
    if any(len(note) > MAX_SOURCE_NOTE_LENGTH for note in notes):
        raise InputRefused(
            f"Each source note must be {MAX_SOURCE_NOTE_LENGTH:,} characters or fewer", "sources"
        )
    unknown = [number for number in cited_numbers(body) if not 1 <= number <= len(notes)]
    if unknown:
        have = f"only {len(notes)} source note{'s' if len(notes) != 1 else ''}"
        raise InputRefused(
            f"The context cites [{unknown[0]}] but there {'is' if len(notes) == 1 else 'are'} "
            f"{have}: add the note or remove the citation",
            "body",
        )

    current = current_narrative(session, priority, period)
    if (current.version if current else None) != loaded_version:
        raise SavedMeanwhile(current)
    narrative = current or PriorityNarrative(priority=priority, period=period)
    narrative.body = body
    narrative.sources = "\n".join(notes)
    narrative.author = author
    session.add(narrative)
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        session.rollback()
        raise SavedMeanwhile(current_narrative(session, priority, period)) from None
    return narrative


def current_narrative(
    session: DbSession, priority: Priority, period: ReportingPeriod
) -> PriorityNarrative | None:
    return session.scalar(
        select(PriorityNarrative).where(
            PriorityNarrative.priority_id == priority.id,
            PriorityNarrative.period_id == period.id,
        )
    )
