"""The status vocabulary and the status rules, in one place.

The vocabulary: each status's key, word, how bad it is, its place in "what moved", and its
colours. Pages (the RAG chip, the trend chart, through static/src/_statuses.scss, which is
generated from here), Word, Excel, the JSON and the report content all read it from here.

The rules: an action's status in a period, its current status, and who owes an update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    SQLColumnExpression,
    String,
    case,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.orm import aliased

from tracker.models import (
    Action,
    ActionState,
    ReportingPeriod,
    ReviewDecision,
    Update,
    UpdateReview,
    User,
)


@dataclass(frozen=True)
class Status:
    """One status of the scale. Colours are hex without '#': fill, text and chip border."""

    key: str
    word: str
    fill: str
    text: str
    severity: int | None  # lower is worse; None for completed, which never sets a colour
    move_rank: int | None  # "what moved" sorts moves to worse statuses first
    border: str = "505A5F"


# In the order pages, papers and the JSON list them. Text colours keep at least 4.5:1
# contrast against their fills (WCAG 1.4.3); the word always goes with the colour (1.4.1).
# Every status any plan's scale can use (see SCALES): a plan shows only its own.
SCALE: tuple[Status, ...] = (
    Status("red", "Red", "B10E1E", "FFFFFF", severity=0, move_rank=0),
    Status("amber_red", "Amber/Red", "D4351C", "FFFFFF", severity=1, move_rank=1),
    Status("amber", "Amber", "F9B233", "0B0C0C", severity=2, move_rank=2),
    Status("amber_green", "Amber/Green", "85994B", "0B0C0C", severity=3, move_rank=3),
    Status("green", "Green", "00703C", "FFFFFF", severity=5, move_rank=4),
    Status("none", "No update", "FFFFFF", "0B0C0C", severity=4, move_rank=None),
    Status("completed", "Completed", "1D70B8", "FFFFFF", severity=None, move_rank=None),
)
# BRAG's blue is what a lead chooses for a finished action; it then counts as completed.
BLUE = Status("blue", "Blue (complete)", "1D70B8", "FFFFFF", severity=None, move_rank=None)
BY_KEY = {status.key: status for status in (*SCALE, BLUE)}

NO_UPDATE = "none"
COMPLETED = "completed"
ALL_STATUSES = tuple(status.key for status in SCALE)
STATUS_LABELS = {status.key: status.word for status in (*SCALE, BLUE)}


@dataclass(frozen=True)
class StatusScale:
    """A plan's status scale: what a lead chooses from, in the form's order (best first), and
    what each means unless the plan words it itself."""

    key: str
    name: str
    choices: tuple[str, ...]
    definitions: dict[str, str]

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses counted on pages and papers, worst first: the scale's own (blue
        counts as completed), then no update, then completed."""
        given = sorted((k for k in self.choices if k != BLUE.key), key=lambda k: MOVE_ORDER[k])
        return (*given, NO_UPDATE, COMPLETED)


_RAG_DEFINITIONS = {
    "green": "On track, or done.",
    "amber": "In progress, with some risk to delivery or to the timescale.",
    "red": "Unlikely to be delivered as planned, or significant problems.",
}
SCALES: dict[str, StatusScale] = {
    scale.key: scale
    for scale in (
        StatusScale("rag", "Red, amber, green", ("green", "amber", "red"), _RAG_DEFINITIONS),
        StatusScale(
            "brag",
            "Blue, red, amber, green (blue for complete)",
            ("blue", "green", "amber", "red"),
            {
                "blue": "Complete: delivered, and the action can close.",
                **_RAG_DEFINITIONS,
                "green": "On track.",
            },
        ),
        StatusScale(
            "five_point",
            "Five-point delivery confidence (green, amber/green, amber, amber/red, red)",
            ("green", "amber_green", "amber", "amber_red", "red"),
            {
                "green": "Delivery on time and as planned looks highly likely; no major "
                "issues that threaten it.",
                "amber_green": "Delivery looks probable; the issues there are can be managed "
                "without putting it at risk.",
                "amber": "Delivery looks feasible, but significant issues need management "
                "attention now.",
                "amber_red": "Delivery is in doubt: major risks or issues in several areas "
                "need urgent action.",
                "red": "Delivery as planned looks unachievable without major changes to "
                "scope, timing or resources.",
            },
        ),
    )
}
DEFAULT_SCALE = "rag"
# What the drill-down and the report say for an action with no update in the period.
NO_UPDATE_TEXT = "No update provided for this period"
# The worst status present decides a group's overall status (completed actions are ignored).
SEVERITY = tuple(
    status.key
    for status in sorted(SCALE, key=lambda s: s.severity if s.severity is not None else 99)
    if status.severity is not None
)
MOVE_ORDER = {status.key: status.move_rank for status in SCALE if status.move_rank is not None}
# The default scale's statuses, as counted: what a plan that chose no other scale shows.
STATUSES = SCALES[DEFAULT_SCALE].statuses
# Fill and text colours for Word and Excel cells (hex, no '#').
RAG_COLOURS: dict[str, tuple[str, str]] = {
    status.key: (status.fill, status.text) for status in (*SCALE, BLUE)
}


def choose_message(scale: StatusScale) -> str:
    """ "Choose red, amber or green": the error when no status (or another scale's) is given."""
    # Worst first, as the roll-up lists them; BRAG's blue last.
    keys = sorted(scale.choices, key=lambda key: MOVE_ORDER.get(key, len(MOVE_ORDER)))
    words = [STATUS_LABELS[key].lower() for key in keys]
    return "Choose " + ", ".join(words[:-1]) + " or " + words[-1]


def scale_of(plan: object) -> StatusScale:
    """The plan's status scale (red, amber, green unless it chose another)."""
    return SCALES.get(getattr(plan, "status_scale", None) or DEFAULT_SCALE, SCALES[DEFAULT_SCALE])


def definitions_of(plan: object) -> dict[str, str]:
    """What each status of the plan's scale means: its own words, else the scale's."""
    scale = scale_of(plan)
    own = getattr(plan, "status_definitions", None) or {}
    return {key: own.get(key) or scale.definitions[key] for key in scale.choices}


def stylesheet_partial() -> str:
    """static/src/_statuses.scss: the chips' and the trend chart's colours, from the scale.

    `make assets` writes it and rebuilds the stylesheet; a test checks the committed copy.
    """
    lines = [
        "// Generated from tracker/statuses.py by `make assets`: change the colours there.",
        "",
        "$app-status-colours: (",
        *(f'  "{s.key}": (#{s.fill.lower()}, #{s.text.lower()}),' for s in (*SCALE, BLUE)),
        ");",
        "",
        *(
            f".app-rag--{s.key} {{ color: #{s.text.lower()}; "
            f"background-color: #{s.fill.lower()}; border-color: #{s.border.lower()}; }}"
            for s in (*SCALE, BLUE)
        ),
        "",
    ]
    return "\n".join(lines)


# --- The rules ---------------------------------------------------------------------------


def reviewed(decision: ReviewDecision | None = None) -> ColumnElement[bool]:
    """SQL, on Update: a sign-off decision was made on the update (this one, if given)."""
    review = select(UpdateReview.id).where(UpdateReview.update_id == Update.id)
    if decision is not None:
        review = review.where(UpdateReview.decision == decision.value)
    return review.correlate(Update).exists()


def waits_for_sign_off() -> ColumnElement[bool]:
    """SQL, on Update: written while its plan asked for sign-off, and not yet decided on."""
    return Update.needs_sign_off.is_(True) & ~reviewed()


def counts_towards_status() -> ColumnElement[bool]:
    """SQL, on Update: the update counts towards its action's status. Every update does,
    except one written while its plan asked for sign-off and not (yet) approved."""
    return Update.needs_sign_off.is_(False) | reviewed(ReviewDecision.APPROVED)


# SQL constructs are immutable, so the ones below are built once per process and shared by
# every request that asks for the same thing: building them cost more than running them.


@cache
def latest_update_id_subquery(*, counted_only: bool = True) -> ScalarSelect[int]:
    """An action's current status comes from its latest update that counts (see
    counts_towards_status): the id of that update, as a correlated subquery (an index seek
    per action). With counted_only=False, its latest update of any kind."""
    return (
        select(Update.id)
        .where(Update.action_id == Action.id, counts_towards_status() if counted_only else true())
        .order_by(Update.recorded_at.desc(), Update.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


@lru_cache(maxsize=1024)
def latest_update(
    *, counted_only: bool = True, lateral: bool = False, period_id: int | None = None
) -> tuple[Any, ColumnElement[bool]]:
    """An action's latest update that counts (any kind, with counted_only=False), or its
    latest one written in a period, to join to Action: an alias of Update and the clause to
    join it on.

    lateral=True (PostgreSQL) joins it as a LATERAL subquery: an index seek per action,
    however the planner reckons the number of actions. The other form (SQLite has no
    LATERAL) joins the update whose id a correlated subquery picks, which SQLite also does by
    a seek per action; PostgreSQL, expecting a few hundred actions, may instead read and hash
    every update of the plan to join them, several times slower.
    """
    which = [
        Update.action_id == Action.id,
        counts_towards_status() if counted_only else true(),
        Update.period_id == period_id if period_id is not None else true(),
    ]
    newest_first = (Update.recorded_at.desc(), Update.id.desc())
    if lateral:
        latest_rows = (
            select(Update).where(*which).order_by(*newest_first).limit(1).lateral("latest_update")
        )
        return aliased(Update, latest_rows), true()
    latest = aliased(Update, name="latest_update")
    latest_id = (
        select(Update.id)
        .where(*which)
        .order_by(*newest_first)
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    return latest, latest.id == latest_id


def status_in_period(period: ReportingPeriod) -> ColumnElement[str]:
    """SQL for an action's status in a period (correlated on Action): one index seek each."""
    return status_in_period_of(period.id, period.start_date, period.plan_version_id)


@lru_cache(maxsize=1024)
def status_in_period_of(period_id: int, start: date, version_id: int) -> ColumnElement[str]:
    """status_in_period for the period with this id, start and plan version."""
    return status_for(literal(period_id), literal(start), literal(version_id))


def status_for(
    period_id: SQLColumnExpression[int],
    period_start: SQLColumnExpression[date],
    version_id: SQLColumnExpression[int],
) -> ColumnElement[str]:
    """An action's status in a period given as SQL values or as columns (for the trend).

    Its latest update written in that period, or "none": never carried over from an older
    period. A completed action counts as completed, except in periods before the one whose
    update completed it: there it shows that period's status, so the trend shows when it
    finished.
    """
    latest_rag = (
        # BRAG's blue ("complete") counts as completed wherever it is the period's status.
        select(case((Update.rag == BLUE.key, literal(COMPLETED, String)), else_=Update.rag))
        .where(
            Update.action_id == Action.id, Update.period_id == period_id, counts_towards_status()
        )
        .order_by(Update.recorded_at.desc(), Update.id.desc())
        .limit(1)
        .correlate_except(Update)
        .scalar_subquery()
    )
    later_period = aliased(ReportingPeriod)
    completed_later = (
        select(Update.id)
        .join(later_period, later_period.id == Update.period_id)
        .where(
            Update.action_id == Action.id,
            Update.completes_action.is_(True),
            counts_towards_status(),
            later_period.plan_version_id == version_id,
            later_period.start_date > period_start,
        )
        .correlate_except(Update, later_period)
        .exists()
    )
    return case(
        (
            (Action.state == ActionState.COMPLETED.value) & ~completed_later,
            literal("completed", String),
        ),
        else_=func.coalesce(latest_rag, literal(NO_UPDATE, String)),
    )


def is_past_target(target_date: date | None, status_or_state: str) -> bool:
    """An action not yet completed whose target date has gone by: flagged wherever it is
    listed, so a working group sees slippage as well as the status the lead gave."""
    return (
        target_date is not None
        and status_or_state not in ("completed", "closed")
        and target_date < date.today()
    )


def owes_an_update(action: Action) -> list[User]:
    """Who is chased for an action's update: its priority's leads and the people named
    responsible for it, the same people who find it under Your actions."""
    people = [*action.priority.leads, *action.responsible_users]
    return list({person.id: person for person in people if person.active}.values())


if __name__ == "__main__":  # `make assets`: python -m tracker.statuses > static/src/_statuses.scss
    print(stylesheet_partial(), end="")
