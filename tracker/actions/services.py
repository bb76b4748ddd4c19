"""Actions and their progress updates: the rules for changing them, and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from tracker import database
from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    AuditEvent,
    Organisation,
    Priority,
    Rag,
    ReportingPeriod,
    Theme,
    Update,
    UpdateReview,
    User,
)
from tracker.periods.locks import locked_message
from tracker.plans.versions import refuse_unless_current
from tracker.signoff.services import review_of
from tracker.statuses import choose_message, scale_of

MIN_PROGRESS_LENGTH = 10
MAX_PROGRESS_LENGTH = 5000
MAX_TITLE_LENGTH = 300
MAX_DESCRIPTION_LENGTH = 5000


class UpdateRefused(ValueError):
    """A change that cannot be saved, with a message for the field it concerns."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class EditConflict(Exception):
    """Someone else saved this action after the form was loaded; nothing was saved."""

    def __init__(self, action: Action, latest: Update | None) -> None:
        super().__init__("the action changed since the form was loaded")
        self.action = action
        self.latest = latest


def open_period_for(session: DbSession, action: Action) -> ReportingPeriod | None:
    """The reporting period open now in the action's plan version, if any."""
    return session.scalar(_open_period(), {"version_id": action.priority.plan_version_id})


@cache  # every save asks: built once per process, as building cost more than running
def _open_period() -> Select[ReportingPeriod]:
    return select(ReportingPeriod).where(
        ReportingPeriod.plan_version_id == bindparam("version_id"),
        ReportingPeriod.is_open.is_(True),
    )


def latest_update(session: DbSession, action: Action) -> Update | None:
    return session.scalar(
        select(Update)
        .where(Update.action_id == action.id)
        .options(
            joinedload(Update.author),
            joinedload(Update.author_organisation),
            joinedload(Update.period),
        )
        .order_by(Update.recorded_at.desc(), Update.id.desc())
        .limit(1)
    )


def claim_version(session: DbSession, action: Action, loaded_version: int | None) -> None:
    """Move the action's version on from the one its form was loaded with, or raise
    EditConflict (nothing saved) if someone saved it first."""
    if loaded_version is None:
        raise UpdateRefused("This form is out of date: reload the page and try again", "version")
    if not database.claim_version(session, action, loaded_version):
        session.rollback()
        session.refresh(action)
        raise EditConflict(action, latest_update(session, action))


def _require_text(text: str, field: str, what: str, minimum: int, maximum: int) -> str:
    text = (text or "").strip()
    if not text:
        raise UpdateRefused(f"Enter {what}", field)
    if len(text) < minimum:
        raise UpdateRefused(f"{what.capitalize()} must be at least {minimum} characters", field)
    if len(text) > maximum:
        raise UpdateRefused(f"{what.capitalize()} must be {maximum:,} characters or fewer", field)
    return text


def record_update(
    session: DbSession,
    action: Action,
    author: User,
    *,
    rag: str,
    text: str,
    loaded_version: int | None,
    mitigation: str = "",
    completes: bool = False,
    corrects: Update | None = None,
    loaded_period_id: int | None = None,
) -> Update:
    """Add a new, immutable update to an action, stamped with the open reporting period.

    loaded_period_id is the period the form said the update counts towards: if that period
    has closed since, the update is refused rather than landing somewhere else unseen.
    Raises UpdateRefused for bad input (nothing saved) and EditConflict when someone else
    saved the action after this form was loaded.
    """
    refuse_unless_current(action.priority.plan_version, "record updates")
    period = open_period_for(session, action)
    if loaded_period_id is not None and (period is None or period.id != loaded_period_id):
        _refuse_for_a_period_since_closed(session, action, loaded_period_id, period)
    if action.state != ActionState.ACTIVE:
        raise UpdateRefused(
            f"This action is {ActionState(action.state).label.lower()}: "
            "reopen it before adding an update",
            "rag",
        )
    scale = scale_of(action.priority.plan_version.plan)
    if rag not in scale.choices:
        raise UpdateRefused(choose_message(scale), "rag")
    if rag == Rag.BLUE:  # BRAG: blue is the status of a finished action
        completes = True
    text = _require_text(
        text, "progress_text", "progress", MIN_PROGRESS_LENGTH, MAX_PROGRESS_LENGTH
    )
    mitigation = (mitigation or "").strip()
    if rag == Rag.RED:
        mitigation = _require_text(
            mitigation,
            "mitigation_text",
            "what is being done about the red status",
            MIN_PROGRESS_LENGTH,
            MAX_PROGRESS_LENGTH,
        )
    elif len(mitigation) > MAX_PROGRESS_LENGTH:
        raise UpdateRefused(
            f"This note must be {MAX_PROGRESS_LENGTH:,} characters or fewer", "mitigation_text"
        )
    if corrects is not None and corrects.action_id != action.id:
        raise UpdateRefused("A correction must be to an update of the same action", "rag")
    claim_version(session, action, loaded_version)
    needs_sign_off = action.priority.plan_version.plan.sign_off_required
    new_update = Update(
        action=action,
        rag=rag,
        progress_text=text,
        mitigation_text=mitigation or None,
        completes_action=completes,
        corrects=corrects,
        author=author,
        author_organisation_id=author.organisation_id,
        period=period,
        needs_sign_off=needs_sign_off,
    )
    session.add(new_update)
    if completes and not needs_sign_off:  # with sign-off, approval completes it
        action.state = ActionState.COMPLETED.value
    return new_update


def _refuse_for_a_period_since_closed(
    session: DbSession, action: Action, loaded_id: int, now_open: ReportingPeriod | None
) -> None:
    loaded = session.get(ReportingPeriod, loaded_id)
    if loaded is None or loaded.plan_version_id != action.priority.plan_version_id:
        raise UpdateRefused("This form is out of date: reload the page and try again", "rag")
    if loaded.is_locked:
        message = locked_message(session, loaded, "updates")
        if now_open is not None:
            message += f" Save again to count this update towards {now_open.name} instead."
        raise UpdateRefused(message, "rag")
    if now_open is not None:
        raise UpdateRefused(
            f"{now_open.name} is open now instead of {loaded.name}: check the update is "
            f"right for {now_open.name} and save again",
            "rag",
        )


def change_state(
    session: DbSession, action: Action, new_state: str, loaded_version: int | None
) -> None:
    """Mark complete, close as business as usual, or reopen an action."""
    refuse_unless_current(action.priority.plan_version, "complete, close or reopen actions")
    if new_state not in set(ActionState):
        raise UpdateRefused("Choose what to do with the action", "state")
    if new_state == action.state:
        raise UpdateRefused(
            f"The action is already {ActionState(new_state).label.lower()}", "state"
        )
    claim_version(session, action, loaded_version)
    action.state = new_state


@dataclass(frozen=True)
class ActionDetails:
    """What a person fills in to create or edit an action."""

    title: str
    description: str
    priority: Priority
    themes: list[Theme]
    owner: Organisation | None
    partners: list[Organisation]
    responsible: list[User]
    start_date: date | None
    target_date: date | None


def _check_details(details: ActionDetails) -> None:
    title = details.title.strip()
    if not title:
        raise UpdateRefused("Enter a title for the action", "title")
    if len(title) > MAX_TITLE_LENGTH:
        raise UpdateRefused(f"Title must be {MAX_TITLE_LENGTH} characters or fewer", "title")
    if len(details.description) > MAX_DESCRIPTION_LENGTH:
        raise UpdateRefused(
            f"Description must be {MAX_DESCRIPTION_LENGTH:,} characters or fewer", "description"
        )
    if details.start_date and details.target_date and details.target_date < details.start_date:
        raise UpdateRefused(
            "The target date must be the same as or after the start date", "target_date"
        )
    version_id = details.priority.plan_version_id
    if any(theme.plan_version_id != version_id for theme in details.themes):
        raise UpdateRefused("Choose themes from the same plan version as the priority", "themes")


def _apply(action: Action, details: ActionDetails) -> None:
    action.title = details.title.strip()
    action.description = details.description.strip()
    action.priority = details.priority
    action.themes = list(details.themes)
    action.owner_organisation = details.owner
    action.partners = list(details.partners)
    action.responsible_users = list(details.responsible)
    action.start_date = details.start_date
    action.target_date = details.target_date


def create_action(session: DbSession, details: ActionDetails) -> Action:
    """A new active action at the end of its priority's list."""
    refuse_unless_current(details.priority.plan_version, "add actions")
    _check_details(details)
    last = session.scalar(
        select(func.max(Action.position)).where(Action.priority_id == details.priority.id)
    )
    action = Action(position=(last or 0) + 1)
    _apply(action, details)
    session.add(action)
    return action


def edit_action(
    session: DbSession, action: Action, details: ActionDetails, loaded_version: int | None
) -> None:
    """Change an action's details, refusing if someone saved it since the form was loaded."""
    refuse_unless_current(action.priority.plan_version, "change actions")
    refuse_unless_current(details.priority.plan_version, "move actions")
    _check_details(details)
    claim_version(session, action, loaded_version)
    _apply(action, details)


def move_action(session: DbSession, action: Action, direction: str) -> bool:
    """Swap the action with its neighbour above or below in its priority; False at the end."""
    refuse_unless_current(action.priority.plan_version, "reorder actions")
    siblings = list(
        session.scalars(
            select(Action)
            .where(Action.priority_id == action.priority_id)
            .order_by(Action.position, Action.id)
        )
    )
    index = siblings.index(action)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
    return True


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an action's history: an update, or a change to the action itself."""

    at: datetime
    update: Update | None = None
    previous_rag: str | None = None
    event: str = ""
    who: str = ""
    # Set for history from the action this one was carried forward from: that version's label.
    earlier_version: str = ""
    # With sign-off: the decision on this update, if one was made.
    review: UpdateReview | None = None


STATE_EVENTS = {
    "completed": "Marked complete",
    "closed": "Closed as business as usual",
    "active": "Reopened",
}


def carried_from_chain(action: Action) -> list[Action]:
    """The action and those it was carried forward from, newest first, year by year."""
    chain = [action]
    while chain[-1].carried_forward_from is not None and len(chain) < 100:
        chain.append(chain[-1].carried_forward_from)
    return chain


def action_timeline(session: DbSession, action: Action) -> list[TimelineEntry]:
    """Every update (with the status it moved from) and lifecycle change, newest first,
    including the history of the actions it was carried forward from."""
    chain = carried_from_chain(action)
    earlier = {
        older.id: older.priority.plan_version.label for older in chain if older is not action
    }
    updates = list(
        session.scalars(
            select(Update)
            .where(Update.action_id.in_([link.id for link in chain]))
            .options(
                joinedload(Update.author),
                joinedload(Update.author_organisation),
                joinedload(Update.period),
                joinedload(Update.corrects),
            )
            .order_by(Update.recorded_at, Update.id)
        )
    )
    reviews = review_of(session, [item.id for item in updates if item.needs_sign_off])
    entries = []
    previous: str | None = None
    for item in updates:
        entries.append(
            TimelineEntry(
                at=item.recorded_at,
                update=item,
                previous_rag=previous,
                earlier_version=earlier.get(item.action_id, ""),
                review=reviews.get(item.id),
            )
        )
        previous = item.rag
    state_changes = session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.entity_type == "action",
            AuditEvent.entity_id.in_([link.id for link in chain]),
            AuditEvent.verb == "update",
        )
    )
    for event, who in state_changes:
        new_state = (event.after or {}).get("state")
        if new_state in STATE_EVENTS:
            entries.append(
                TimelineEntry(
                    at=event.occurred_at,
                    event=STATE_EVENTS[new_state],
                    who=who or "",
                    earlier_version=earlier.get(event.entity_id or 0, ""),
                )
            )
    for newer, source in zip(chain, chain[1:], strict=False):
        entries.append(
            TimelineEntry(
                at=newer.created_at,
                event=f"Carried forward from the {source.priority.plan_version.label} plan",
                earlier_version=earlier.get(newer.id, ""),
            )
        )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
