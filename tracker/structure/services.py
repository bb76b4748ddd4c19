"""A plan's structure: creating a plan, and the priorities, themes and indicators of its
current version, added, renamed, reordered and retired by hand.

Nothing here deletes: a retired priority, theme or indicator leaves the plan (the overview,
roll-up, choice lists and reports made from then on) but keeps its actions, readings and
history, which stay readable on their own pages. Every change is audited by the session
hook in tracker.audit; every edit compares the version its form was loaded with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker import database
from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionState,
    Indicator,
    Organisation,
    Plan,
    PlanVersion,
    Polarity,
    Priority,
    Role,
    Theme,
    User,
    action_theme,
    utcnow,
)
from tracker.plans.versions import refuse_if_superseded

NAME_LIMIT = 200
TEXT_LIMIT = 5000


class StructureRefused(ValueError):
    """Input that cannot be saved, with the form field to show the message next to."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class ChangedMeanwhile(Exception):
    """Someone saved this record after the form was loaded; nothing was saved."""

    def __init__(self, current: Any) -> None:
        super().__init__("the record changed since the form was loaded")
        self.current = current


def claim_version(session: DbSession, record: Any, loaded_version: int | None) -> None:
    """Move the record's version on from the one its form was loaded with, or raise
    ChangedMeanwhile (nothing saved) if someone saved it first."""
    if loaded_version is None:
        raise StructureRefused("This form is out of date: reload the page and try again", "version")
    if not database.claim_version(session, record, loaded_version):
        session.rollback()
        session.refresh(record)
        raise ChangedMeanwhile(record)


def _name(value: str, what: str, field: str = "name") -> str:
    name = " ".join((value or "").split())
    if not name:
        raise StructureRefused(f"Enter the {what}'s name", field)
    if len(name) > NAME_LIMIT:
        raise StructureRefused(f"The name must be {NAME_LIMIT} characters or fewer", field)
    return name


def _text(value: str | None, field: str, what: str) -> str:
    text = (value or "").strip()
    if len(text) > TEXT_LIMIT:
        raise StructureRefused(f"The {what} must be {TEXT_LIMIT:,} characters or fewer", field)
    return text


def _refuse_duplicate(
    session: DbSession, model: Any, scope_column: Any, scope_id: int, name: str, own_id: int | None
) -> None:
    """Names are unique within their version (or priority), retired ones included, whatever
    their case: two 'Road Safety' rows would make the roll-up and the papers ambiguous."""
    other = session.scalar(
        select(model).where(
            scope_column == scope_id, func.lower(model.name) == name.lower(), model.id != own_id
        )
    )
    if other is not None:
        retired = " (retired)" if other.retired_at else ""
        noun = type(other).__name__.lower()
        raise StructureRefused(f"There is already a {noun} called {other.name}{retired}", "name")


def _next_position(session: DbSession, column: Any, scope_column: Any, scope_id: int) -> int:
    highest = session.scalar(select(func.max(column)).where(scope_column == scope_id))
    return (highest or 0) + 1


def move_in_order(session: DbSession, record: Any, siblings: list[Any], direction: str) -> bool:
    """Swap a record with its neighbour above or below among its siblings; False at the end."""
    index = siblings.index(record)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
    return True


# --- Plans ---------------------------------------------------------------------------------


def create_plan(
    session: DbSession, *, name: str, description: str, version_label: str, effective_from: date
) -> Plan:
    """A new plan with its first version, current from the start and empty until its
    priorities and themes are added."""
    name = _name(name, "plan")
    version_label = " ".join((version_label or "").split())
    if not version_label:
        raise StructureRefused(
            "Enter the year the plan covers, for example 2026/27", "version_label"
        )
    taken = session.scalar(select(Plan.name).where(func.lower(Plan.name) == name.lower()))
    if taken is not None:
        raise StructureRefused(f"There is already a plan called {taken}", "name")
    plan = Plan(name=name, description=_text(description, "description", "description"))
    session.add(
        PlanVersion(
            plan=plan,
            version_number=1,
            label=version_label,
            effective_from=effective_from,
            is_current=True,
        )
    )
    session.flush()
    return plan


# --- Priorities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityDetails:
    name: str
    description: str = ""
    includes: str = ""
    lead_role: str = ""
    lead_ids: tuple[int, ...] = ()
    # Who signs off its updates besides the coordinators, when the plan asks for sign-off.
    sign_off_by_id: int | None = None
    # In a draft refresh: the priorities of the version before that this one continues
    # (None leaves them as they are; elsewhere it must be None).
    predecessor_ids: tuple[int, ...] | None = None


def lead_candidates(session: DbSession) -> list[User]:
    """The people who may lead a priority: active users with the lead role."""
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.role == Role.LEAD.value)
            .order_by(User.name)
        )
    )


def sign_off_candidates(session: DbSession) -> list[User]:
    """The people who may sign off a priority's updates: active leads and coordinators."""
    return list(
        session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([Role.LEAD.value, Role.COORDINATOR.value]))
            .order_by(User.name)
        )
    )


def _leads(session: DbSession, lead_ids: tuple[int, ...]) -> list[User]:
    chosen = {user.id: user for user in lead_candidates(session) if user.id in set(lead_ids)}
    for lead_id in lead_ids:
        if lead_id not in chosen:
            person = session.get(User, lead_id)
            who = person.name if person else "That person"
            raise StructureRefused(
                f"{who} cannot lead a priority: choose an active user with the lead role",
                "leads",
            )
    return list(chosen.values())


def _sign_off_person(session: DbSession, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    person = session.get(User, user_id)
    if person is None or person not in sign_off_candidates(session):
        raise StructureRefused(
            "Choose an active lead or coordinator to sign off this priority's updates",
            "sign_off_by",
        )
    return person


def _checked_priority(
    session: DbSession, version_id: int, own_id: int | None, details: PriorityDetails
) -> dict[str, Any]:
    """The priority's new values, or StructureRefused; nothing is changed yet."""
    with session.no_autoflush:
        name = _name(details.name, "priority")
        _refuse_duplicate(session, Priority, Priority.plan_version_id, version_id, name, own_id)
        return {
            "name": name,
            "description": _text(details.description, "description", "description"),
            "includes": _text(details.includes, "includes", "text on what it includes"),
            "lead_role": _text(details.lead_role, "lead_role", "lead role"),
            "leads": _leads(session, details.lead_ids),
            "sign_off_by": _sign_off_person(session, details.sign_off_by_id),
            **_predecessors(session, Priority, version_id, details.predecessor_ids),
        }


def _predecessors(
    session: DbSession, model: Any, version_id: int, chosen: tuple[int, ...] | None
) -> dict[str, Any]:
    """What a draft refresh's priority or theme continues: ones of the version it was
    refreshed from. An empty choice makes it new; several merge them into it."""
    if chosen is None:
        return {}
    version = session.get(PlanVersion, version_id)
    if version is None or not version.is_draft:
        raise StructureRefused("Only a draft refresh records what it continues", "predecessors")
    found = list(
        session.scalars(
            select(model).where(
                model.id.in_(chosen),
                model.plan_version_id == version.based_on_id,
                model.retired_at.is_(None),
            )
        )
    )
    if len(found) != len(set(chosen)):
        raise StructureRefused(
            "Choose only from the list: what it continues must be in use in the version "
            "being refreshed",
            "predecessors",
        )
    return {"predecessors": found}


def _assign(record: Any, values: dict[str, Any]) -> None:
    for attribute, value in values.items():
        setattr(record, attribute, value)


def add_priority(session: DbSession, version: PlanVersion, details: PriorityDetails) -> Priority:
    """A new priority at the end of the version's list."""
    refuse_if_superseded(version, "change the plan's structure")
    values = _checked_priority(session, version.id, None, details)
    priority = Priority(
        plan_version_id=version.id,
        position=_next_position(session, Priority.position, Priority.plan_version_id, version.id),
    )
    _assign(priority, values)
    session.add(priority)
    session.flush()
    return priority


def edit_priority(
    session: DbSession, priority: Priority, details: PriorityDetails, loaded_version: int | None
) -> None:
    """Rename or re-describe a priority and change its leads, refusing a stale form."""
    refuse_if_superseded(priority.plan_version, "change the plan's structure")
    values = _checked_priority(session, priority.plan_version_id, priority.id, details)
    claim_version(session, priority, loaded_version)
    _assign(priority, values)


def priorities_in_use(session: DbSession, version: PlanVersion) -> list[Priority]:
    """The version's priorities that have not been retired, in the plan's order."""
    return list(
        session.scalars(
            select(Priority)
            .where(Priority.plan_version_id == version.id, Priority.retired_at.is_(None))
            .order_by(Priority.position, Priority.id)
        )
    )


def move_priority(session: DbSession, priority: Priority, direction: str) -> bool:
    refuse_if_superseded(priority.plan_version, "change the plan's structure")
    return move_in_order(
        session, priority, priorities_in_use(session, priority.plan_version), direction
    )


def active_actions_of(session: DbSession, priority: Priority) -> list[Action]:
    return list(
        session.scalars(
            select(Action)
            .where(Action.priority_id == priority.id, Action.state == ActionState.ACTIVE.value)
            .order_by(Action.position, Action.id)
        )
    )


RETIRE_CHOICES = {
    "move": "Move them to another priority",
    "close": "Close them as business as usual",
}


def _check_retiring(
    record: Priority | Theme,
    actions: list[Action],
    what_happens: str | None,
    choices: dict[str, str],
    *,
    needs_target: str,
    target: Priority | Theme | None,
    target_field: str,
    target_missing: str,
) -> bool:
    """Refuse retiring a priority or theme unless it is in use, a choice was made for its
    active actions, and any other priority or theme chosen for them is in use in the same
    version. True when that choice needs the target."""
    if record.retired_at is not None:
        raise StructureRefused(f"{record.name} is already retired", "what_happens")
    if actions and what_happens not in choices:
        raise StructureRefused(
            f"Choose what happens to the {len(actions)} active actions", "what_happens"
        )
    wanted = bool(actions) and what_happens == needs_target
    if wanted and (
        target is None
        or target.id == record.id
        or target.plan_version_id != record.plan_version_id
        or target.retired_at is not None
    ):
        raise StructureRefused(target_missing, target_field)
    return wanted


def retire_priority(
    session: DbSession,
    priority: Priority,
    *,
    loaded_version: int | None,
    what_happens: str | None,
    move_to: Priority | None,
) -> int:
    """Retire a priority; its active actions are first moved or closed, as chosen. Completed
    and closed actions, updates and context stay with it. Returns how many actions moved or
    closed."""
    refuse_if_superseded(priority.plan_version, "change the plan's structure")
    actions = active_actions_of(session, priority)
    moving = _check_retiring(
        priority,
        actions,
        what_happens,
        RETIRE_CHOICES,
        needs_target="move",
        target=move_to,
        target_field="move_to",
        target_missing="Choose the priority the actions move to",
    )
    claim_version(session, priority, loaded_version)
    if moving:
        assert move_to is not None
        position = _next_position(session, Action.position, Action.priority_id, move_to.id)
        for offset, action in enumerate(actions):
            action.priority = move_to
            action.position = position + offset
            action.version += 1
    elif actions:
        for action in actions:
            action.state = ActionState.CLOSED.value
            action.version += 1
    priority.retired_at = utcnow()
    return len(actions)


# --- Themes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeDetails:
    name: str
    description: str = ""
    predecessor_ids: tuple[int, ...] | None = None  # as for PriorityDetails


def _checked_theme(
    session: DbSession, version_id: int, own_id: int | None, details: ThemeDetails
) -> dict[str, Any]:
    with session.no_autoflush:
        name = _name(details.name, "theme")
        _refuse_duplicate(session, Theme, Theme.plan_version_id, version_id, name, own_id)
        return {
            "name": name,
            "description": _text(details.description, "description", "description"),
            **_predecessors(session, Theme, version_id, details.predecessor_ids),
        }


def add_theme(session: DbSession, version: PlanVersion, details: ThemeDetails) -> Theme:
    """A new cross-cutting theme at the end of the version's list."""
    refuse_if_superseded(version, "change the plan's structure")
    values = _checked_theme(session, version.id, None, details)
    theme = Theme(
        plan_version_id=version.id,
        position=_next_position(session, Theme.position, Theme.plan_version_id, version.id),
    )
    _assign(theme, values)
    session.add(theme)
    session.flush()
    return theme


def edit_theme(
    session: DbSession, theme: Theme, details: ThemeDetails, loaded_version: int | None
) -> None:
    """Rename or re-describe a theme, refusing a stale form."""
    refuse_if_superseded(theme.plan_version, "change the plan's structure")
    values = _checked_theme(session, theme.plan_version_id, theme.id, details)
    claim_version(session, theme, loaded_version)
    _assign(theme, values)


def themes_in_use(session: DbSession, version: PlanVersion) -> list[Theme]:
    return list(
        session.scalars(
            select(Theme)
            .where(Theme.plan_version_id == version.id, Theme.retired_at.is_(None))
            .order_by(Theme.position, Theme.id)
        )
    )


def move_theme(session: DbSession, theme: Theme, direction: str) -> bool:
    refuse_if_superseded(theme.plan_version, "change the plan's structure")
    return move_in_order(session, theme, themes_in_use(session, theme.plan_version), direction)


def actions_with_theme(session: DbSession, theme: Theme) -> list[Action]:
    return list(
        session.scalars(
            select(Action)
            .join(action_theme, action_theme.c.action_id == Action.id)
            .where(action_theme.c.theme_id == theme.id, Action.state == ActionState.ACTIVE.value)
            .options(selectinload(Action.themes))  # re-tagging reads each action's themes
            .order_by(Action.id)
        )
    )


THEME_RETIRE_CHOICES = {
    "keep": "Leave the actions as they are: the retired theme stays in their history",
    "replace": "Tag them with another theme instead",
}


def retire_theme(
    session: DbSession,
    theme: Theme,
    *,
    loaded_version: int | None,
    what_happens: str | None,
    replace_with: Theme | None,
) -> int:
    """Retire a theme; its active actions keep it in their history, or take another theme in
    its place. Returns how many actions were re-tagged."""
    refuse_if_superseded(theme.plan_version, "change the plan's structure")
    actions = actions_with_theme(session, theme)
    replacing = _check_retiring(
        theme,
        actions,
        what_happens,
        THEME_RETIRE_CHOICES,
        needs_target="replace",
        target=replace_with,
        target_field="replace_with",
        target_missing="Choose the theme that takes its place",
    )
    claim_version(session, theme, loaded_version)
    if replacing:
        assert replace_with is not None
        for action in actions:
            if replace_with not in action.themes:
                action.themes.append(replace_with)
            action.themes.remove(theme)
            action.version += 1
    theme.retired_at = utcnow()
    return len(actions) if replacing else 0


# --- Indicators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorDetails:
    name: str
    unit: str = ""
    polarity: str | None = None
    source: str = ""
    priority_id: int | None = None


def _checked_indicator(
    session: DbSession, version_id: int, indicator: Indicator | None, details: IndicatorDetails
) -> dict[str, Any]:
    with session.no_autoflush:
        name = _name(details.name, "indicator")
        if details.polarity not in set(Polarity):
            raise StructureRefused("Choose whether a rise or a fall is better", "polarity")
        priority = session.get(Priority, details.priority_id) if details.priority_id else None
        if (
            priority is None
            or priority.retired_at is not None
            or (priority.plan_version_id != version_id)
        ):
            raise StructureRefused("Choose the priority the indicator belongs to", "priority")
        own_id = indicator.id if indicator is not None else None
        _refuse_duplicate(session, Indicator, Indicator.priority_id, priority.id, name, own_id)
        unit = " ".join((details.unit or "").split())
        if len(unit) > 50:
            raise StructureRefused("The unit must be 50 characters or fewer", "unit")
        values: dict[str, Any] = {
            "name": name,
            "unit": unit,
            "polarity": details.polarity,
            "source": _text(details.source, "source", "source"),
        }
        if indicator is None or indicator.priority_id != priority.id:
            values["priority"] = priority
            values["position"] = _next_position(
                session, Indicator.position, Indicator.priority_id, priority.id
            )
        return values


def add_indicator(session: DbSession, version: PlanVersion, details: IndicatorDetails) -> Indicator:
    """A new proxy indicator at the end of its priority's list."""
    refuse_if_superseded(version, "change the plan's structure")
    indicator = Indicator()
    _assign(indicator, _checked_indicator(session, version.id, None, details))
    session.add(indicator)
    session.flush()
    return indicator


def edit_indicator(
    session: DbSession, indicator: Indicator, details: IndicatorDetails, loaded_version: int | None
) -> None:
    """Rename, re-describe or move an indicator to another priority; readings go with it."""
    refuse_if_superseded(indicator.priority.plan_version, "change the plan's structure")
    values = _checked_indicator(session, indicator.priority.plan_version_id, indicator, details)
    claim_version(session, indicator, loaded_version)
    _assign(indicator, values)


def indicators_in_use(session: DbSession, priority: Priority) -> list[Indicator]:
    return list(
        session.scalars(
            select(Indicator)
            .where(Indicator.priority_id == priority.id, Indicator.retired_at.is_(None))
            .order_by(Indicator.position, Indicator.id)
        )
    )


def move_indicator(session: DbSession, indicator: Indicator, direction: str) -> bool:
    refuse_if_superseded(indicator.priority.plan_version, "change the plan's structure")
    return move_in_order(
        session, indicator, indicators_in_use(session, indicator.priority), direction
    )


def retire_indicator(session: DbSession, indicator: Indicator, loaded_version: int | None) -> None:
    """The indicator leaves the priority page and new papers; its readings are kept."""
    refuse_if_superseded(indicator.priority.plan_version, "change the plan's structure")
    if indicator.retired_at is not None:
        raise StructureRefused(f"{indicator.name} is already retired", "name")
    claim_version(session, indicator, loaded_version)
    indicator.retired_at = utcnow()


# --- Organisations -------------------------------------------------------------------------


def rename_organisation(
    session: DbSession,
    organisation: Organisation,
    *,
    name: str,
    short_name: str,
    loaded_version: int | None,
) -> None:
    """Rename a partner agency everywhere it appears, refusing a stale form or a taken name."""
    name = _name(name, "organisation")
    short_name = " ".join((short_name or "").split())
    if len(short_name) > 50:
        raise StructureRefused("The short name must be 50 characters or fewer", "short_name")
    taken = session.scalar(
        select(Organisation.name).where(
            func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id
        )
    )
    if taken is not None:
        raise StructureRefused(f"There is already an organisation called {taken}", "name")
    claim_version(session, organisation, loaded_version)
    organisation.name = name
    organisation.short_name = short_name
