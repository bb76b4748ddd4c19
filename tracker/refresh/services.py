"""The annual refresh: next year's plan version from this year's.

A refresh starts as a draft copied from the current version: its priorities (with their
leads), themes and indicators, each recording what it continues. In the draft the structure
is changed with the usual structure pages (rename, add, retire; a priority or theme that
continues two old ones merges them, two that continue one split it). Every action active in
the current version then gets a decision: carry forward, complete, or close as business as
usual. Where the draft makes the answer plain (the action's priority continues as exactly
one), the refresh proposes carrying it forward; otherwise a coordinator must choose.

Publishing does it all in one transaction: carried actions become new actions of the new
version linked to their predecessors (their history stays with the old action, and they
start the new year with no update), the new version becomes current and the old one is read-
only from then on (tracker.plans.versions). Nothing in the old version is deleted, moved or
changed: a completed or closed action stays as it was there, its decision recording what
became of it, so last year's roll-up reads the same after the refresh as before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from tracker.changes import note_plan_changed
from tracker.extensions import DbSession
from tracker.models import (
    Action,
    ActionOutcome,
    ActionState,
    Indicator,
    Plan,
    PlanVersion,
    Priority,
    RefreshDecision,
    ReportingPeriod,
    Theme,
    User,
    priority_predecessor,
    theme_predecessor,
    utcnow,
)
from tracker.plans.services import current_version
from tracker.refresh.changes import change_summary

LABEL_LIMIT = 100
AGREEMENT_VERSION_LIMIT = 20
NOTES_LIMIT = 5000


class RefreshRefused(ValueError):
    """Input or a state the refresh cannot take, with the form field the message belongs to."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class PublishRefused(Exception):
    """Publishing is not possible yet; every reason is listed and nothing was changed."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def draft_of(session: DbSession, plan: Plan) -> PlanVersion | None:
    """The plan's refresh in progress, if one has been started."""
    return session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.is_draft.is_(True))
    )


# --- Starting a refresh ------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshDetails:
    label: str
    effective_from: date | None
    agreement_version: str = ""


def _checked_details(
    session: DbSession, plan: Plan, details: RefreshDetails, base: PlanVersion, own_id: int | None
) -> tuple[str, date, str]:
    label = " ".join((details.label or "").split())
    if not label:
        raise RefreshRefused("Enter the year the new version covers, for example 2027/28", "label")
    if len(label) > LABEL_LIMIT:
        raise RefreshRefused(f"The label must be {LABEL_LIMIT} characters or fewer", "label")
    taken = session.scalar(
        select(PlanVersion.label).where(
            PlanVersion.plan_id == plan.id,
            func.lower(PlanVersion.label) == label.lower(),
            PlanVersion.id != (own_id or 0),
        )
    )
    if taken is not None:
        raise RefreshRefused(f"This plan already has a version called {taken}", "label")
    if details.effective_from is None:
        raise RefreshRefused("Enter the date the new version takes effect", "effective_from")
    if details.effective_from <= base.effective_from:
        raise RefreshRefused(
            f"The new version must take effect after {base.label} did "
            f"({base.effective_from:%-d %B %Y})",
            "effective_from",
        )
    agreement_version = (details.agreement_version or "").strip()
    if len(agreement_version) > AGREEMENT_VERSION_LIMIT:
        raise RefreshRefused(
            f"The agreement's version number must be {AGREEMENT_VERSION_LIMIT} characters or fewer",
            "agreement_version",
        )
    return label, details.effective_from, agreement_version


def start_refresh(session: DbSession, plan: Plan, details: RefreshDetails) -> PlanVersion:
    """A draft of the plan's next version, copied from the current one; RefreshRefused when
    the details are wrong or a draft is already under way (nothing is created then)."""
    base = current_version(session, plan.id)
    if base is None:
        raise RefreshRefused(f"{plan.name} has no current version to refresh", "label")
    existing = draft_of(session, plan)
    if existing is not None:
        raise RefreshRefused(
            f"A refresh is already under way ({existing.label}): carry on with it, or discard "
            "it before starting another",
            "label",
        )
    label, effective_from, agreement_version = _checked_details(session, plan, details, base, None)
    highest = session.scalar(
        select(func.max(PlanVersion.version_number)).where(PlanVersion.plan_id == plan.id)
    )
    draft = PlanVersion(
        plan=plan,
        version_number=(highest or 0) + 1,
        label=label,
        effective_from=effective_from,
        agreement_version=agreement_version,
        is_draft=True,
        based_on=base,
    )
    session.add(draft)
    _copy_structure(session, base, draft)
    session.flush()
    return draft


def _copy_structure(session: DbSession, base: PlanVersion, draft: PlanVersion) -> None:
    """The draft starts as the current version's priorities, themes and indicators in use."""
    priorities = session.scalars(
        select(Priority)
        .where(Priority.plan_version_id == base.id, Priority.retired_at.is_(None))
        .options(selectinload(Priority.leads), selectinload(Priority.indicators))
        .order_by(Priority.position, Priority.id)
    ).all()
    for priority in priorities:
        copy = Priority(
            plan_version=draft,
            name=priority.name,
            description=priority.description,
            includes=priority.includes,
            lead_role=priority.lead_role,
            position=priority.position,
            leads=list(priority.leads),
            sign_off_by_id=priority.sign_off_by_id,
            predecessors=[priority],
        )
        session.add(copy)
        for indicator in priority.indicators:
            if indicator.retired_at is None:
                session.add(
                    Indicator(
                        priority=copy,
                        name=indicator.name,
                        unit=indicator.unit,
                        polarity=indicator.polarity,
                        source=indicator.source,
                        position=indicator.position,
                        continues=indicator,
                    )
                )
    themes = session.scalars(
        select(Theme)
        .where(Theme.plan_version_id == base.id, Theme.retired_at.is_(None))
        .order_by(Theme.position, Theme.id)
    ).all()
    for theme in themes:
        session.add(
            Theme(
                plan_version=draft,
                name=theme.name,
                description=theme.description,
                position=theme.position,
                predecessors=[theme],
            )
        )


def edit_draft_details(session: DbSession, draft: PlanVersion, details: RefreshDetails) -> None:
    """Change the draft's label, effective date or agreement version number."""
    _require_draft(draft)
    assert draft.based_on is not None
    label, effective_from, agreement_version = _checked_details(
        session, draft.plan, details, draft.based_on, draft.id
    )
    draft.label = label
    draft.effective_from = effective_from
    draft.agreement_version = agreement_version


def discard_draft(session: DbSession, draft: PlanVersion) -> None:
    """Throw the draft away: its structure, periods and decisions. The current version is
    untouched (a draft has no actions, updates, context or readings of its own)."""
    _require_draft(draft)
    session.execute(
        RefreshDecision.__table__.delete().where(RefreshDecision.draft_version_id == draft.id)
    )
    priority_ids = select(Priority.id).where(Priority.plan_version_id == draft.id)
    for indicator in session.scalars(
        select(Indicator).where(Indicator.priority_id.in_(priority_ids))
    ):
        session.delete(indicator)
    for model in (Priority, Theme, ReportingPeriod):
        for record in session.scalars(select(model).where(model.plan_version_id == draft.id)):
            session.delete(record)
    session.flush()
    session.delete(draft)
    session.flush()


def _require_draft(version: PlanVersion) -> None:
    if not version.is_draft:
        raise RefreshRefused(f"{version.label} has already been published", "label")


# --- Deciding the actions ------------------------------------------------------------------


def successors(
    session: DbSession, draft: PlanVersion, model: type[Priority] | type[Theme]
) -> dict[int, list[Priority] | list[Theme]]:
    """For each priority (or theme) of the version before, the draft's ones in use that
    continue it: one when kept or renamed, several when split, none when retired."""
    link = priority_predecessor if model is Priority else theme_predecessor
    own = link.c.priority_id if model is Priority else link.c.theme_id
    found: dict[int, list] = defaultdict(list)
    for predecessor_id, record in session.execute(
        select(link.c.predecessor_id, model)
        .join(model, model.id == own)
        .where(model.plan_version_id == draft.id, model.retired_at.is_(None))
        .order_by(model.position, model.id)
    ):
        found[predecessor_id].append(record)
    return found


@dataclass
class ActionChoice:
    """An active action of the version being replaced, and what the refresh will do with it."""

    action: Action
    decision: RefreshDecision | None
    # The refresh's own suggestion, used when nobody has decided.
    proposed_priority: Priority | None
    proposed_themes: list[Theme]

    @property
    def outcome(self) -> str | None:
        if self.decision is not None:
            return self.decision.outcome
        return ActionOutcome.CARRY.value if self.proposed_priority is not None else None

    @property
    def priority(self) -> Priority | None:
        return self.decision.priority if self.decision is not None else self.proposed_priority

    @property
    def themes(self) -> list[Theme]:
        return list(self.decision.themes) if self.decision is not None else self.proposed_themes

    @property
    def state(self) -> str:
        """ "decided", "proposed" (the refresh's suggestion stands) or "undecided"."""
        if self.decision is not None:
            return "decided"
        return "proposed" if self.proposed_priority is not None else "undecided"

    @property
    def summary(self) -> str:
        """For example "Carry forward to Road Safety" or "Complete"."""
        if self.outcome is None:
            return "Not decided"
        if self.outcome == ActionOutcome.CARRY and self.priority is not None:
            return f"Carry forward to {self.priority.name}"
        return ActionOutcome(self.outcome).label

    @property
    def problem(self) -> str | None:
        """Why this choice cannot be published as it stands, if it cannot."""
        if self.outcome is None:
            return "No decision yet: its priority does not continue as exactly one new priority"
        priority = self.priority
        if self.outcome == ActionOutcome.CARRY and priority is not None:
            if priority.retired_at is not None:
                return f"It is carried into {priority.name}, which is retired in the new version"
            retired = [theme.name for theme in self.themes if theme.retired_at is not None]
            if retired:
                return f"It is tagged with {', '.join(retired)}, retired in the new version"
        return None


def action_choices(session: DbSession, draft: PlanVersion) -> list[ActionChoice]:
    """Every action active in the version the draft replaces, in plan order, with the
    decision made for it or the refresh's proposal; a few queries however many there are."""
    assert draft.based_on_id is not None
    actions = session.scalars(
        select(Action)
        .join(Priority, Priority.id == Action.priority_id)
        .where(
            Priority.plan_version_id == draft.based_on_id,
            Priority.retired_at.is_(None),
            Action.state == ActionState.ACTIVE.value,
        )
        .options(selectinload(Action.themes), selectinload(Action.priority))
        .order_by(Priority.position, Priority.id, Action.position, Action.id)
    ).all()
    decisions = {
        decision.action_id: decision
        for decision in session.scalars(
            select(RefreshDecision)
            .where(RefreshDecision.draft_version_id == draft.id)
            .options(selectinload(RefreshDecision.themes), selectinload(RefreshDecision.priority))
        )
    }
    priority_successors = successors(session, draft, Priority)
    theme_successors = successors(session, draft, Theme)
    choices = []
    for action in actions:
        continuing = priority_successors.get(action.priority_id, [])
        proposed = continuing[0] if len(continuing) == 1 else None
        themes: list[Theme] = []
        if proposed is not None:
            for theme in action.themes:
                for successor in theme_successors.get(theme.id, []):
                    if successor not in themes:
                        themes.append(successor)
        choices.append(ActionChoice(action, decisions.get(action.id), proposed, themes))
    return choices


@dataclass(frozen=True)
class Decision:
    outcome: str | None
    priority_id: int | None = None
    theme_ids: tuple[int, ...] = ()


def decide(
    session: DbSession, draft: PlanVersion, action: Action, chosen: Decision, decider: User
) -> RefreshDecision:
    """Record what happens to one action at the refresh; RefreshRefused for a choice that
    cannot be (a priority or theme not in use in the draft), nothing saved then."""
    _require_draft(draft)
    if action.priority.plan_version_id != draft.based_on_id or action.state != ActionState.ACTIVE:
        raise RefreshRefused("This action is not active in the version being refreshed", "outcome")
    if chosen.outcome not in set(ActionOutcome):
        raise RefreshRefused("Choose what happens to the action", "outcome")
    priority = None
    themes: list[Theme] = []
    if chosen.outcome == ActionOutcome.CARRY:
        priority = session.get(Priority, chosen.priority_id) if chosen.priority_id else None
        if priority is None or priority.plan_version_id != draft.id or priority.retired_at:
            raise RefreshRefused("Choose the new priority it carries forward to", "priority")
        themes = list(
            session.scalars(
                select(Theme).where(
                    Theme.id.in_(chosen.theme_ids),
                    Theme.plan_version_id == draft.id,
                    Theme.retired_at.is_(None),
                )
            )
        )
        if len(themes) != len(set(chosen.theme_ids)):
            raise RefreshRefused("Choose themes of the new version", "themes")
    decision = session.scalar(
        select(RefreshDecision).where(
            RefreshDecision.draft_version_id == draft.id, RefreshDecision.action_id == action.id
        )
    ) or RefreshDecision(draft_version_id=draft.id, action=action)
    decision.outcome = chosen.outcome
    decision.priority = priority
    decision.themes = themes
    decision.decided_by_id = decider.id
    session.add(decision)
    session.flush()
    return decision


def accept_proposals(session: DbSession, draft: PlanVersion, decider: User) -> int:
    """Turn every standing proposal into a decision; returns how many."""
    accepted = 0
    for choice in action_choices(session, draft):
        if choice.state == "proposed" and choice.priority is not None:
            decide(
                session,
                draft,
                choice.action,
                Decision(
                    ActionOutcome.CARRY.value,
                    choice.priority.id,
                    tuple(theme.id for theme in choice.themes),
                ),
                decider,
            )
            accepted += 1
    return accepted


# --- Publishing ----------------------------------------------------------------------------


def publish_problems(
    session: DbSession, draft: PlanVersion, choices: list[ActionChoice] | None = None
) -> list[str]:
    """Why the draft cannot be published yet; empty when it can."""
    if not draft.is_draft:
        return [f"{draft.label} has already been published"]
    base = draft.based_on
    problems = []
    if base is None or not base.is_current:
        problems.append("The version it was refreshed from is no longer the current one")
    elif draft.effective_from <= base.effective_from:
        problems.append(
            f"It takes effect on {draft.effective_from:%-d %B %Y}, not after {base.label} "
            f"({base.effective_from:%-d %B %Y})"
        )
    choices = action_choices(session, draft) if choices is None else choices
    undecided = [choice for choice in choices if choice.outcome is None]
    if undecided:
        problems.append(f"{_actions(len(undecided))} still to decide")
    into_retired = [
        choice for choice in choices if choice.outcome is not None and choice.problem is not None
    ]
    if into_retired:
        problems.append(
            f"{_actions(len(into_retired))} carried into a priority or theme retired in the "
            "new version"
        )
    if not any(priority.retired_at is None for priority in draft.priorities):
        problems.append("The new version has no priorities")
    return problems


def _actions(count: int) -> str:
    return f"{count} action{'s' if count != 1 else ''}"


def publish_refresh(
    session: DbSession, draft: PlanVersion, publisher: User, *, notes: str = ""
) -> PlanVersion:
    """Make the draft the current version in one transaction (the caller commits).

    Raises PublishRefused with every reason when it cannot be published; nothing changes
    then. Of two people publishing at once, exactly one succeeds.
    """
    notes = (notes or "").strip()
    if len(notes) > NOTES_LIMIT:
        raise PublishRefused([f"The notes must be {NOTES_LIMIT:,} characters or fewer"])
    choices = action_choices(session, draft)
    problems = publish_problems(session, draft, choices)
    if problems:
        raise PublishRefused(problems)
    base = draft.based_on
    assert base is not None

    # Claim both rows first: a second publisher (or a second draft) finds them taken.
    claimed = cast(
        "CursorResult[Any]",
        session.execute(
            update(PlanVersion)
            .where(PlanVersion.id == base.id, PlanVersion.is_current.is_(True))
            .values(is_current=False)
        ),
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise PublishRefused(["Someone else published a new version a moment ago"])
    note_plan_changed(session, base.plan_id)  # the claim above is a bare UPDATE

    for choice in choices:
        _carry_out(session, draft, choice, publisher)
    for period in base.periods:
        if period.is_open:
            period.closed_at = utcnow()
            period.closed_by = publisher
        period.is_open = False
    session.flush()
    session.refresh(base)
    draft.changes = change_summary(session, draft, choices).as_json()
    draft.change_log = notes
    draft.is_draft = False
    draft.is_current = True
    draft.published_at = utcnow()
    draft.published_by = publisher
    session.flush()
    return draft


def _carry_out(
    session: DbSession, draft: PlanVersion, choice: ActionChoice, publisher: User
) -> None:
    """Record what became of the action and, if it carries forward, make its successor.

    A completed or closed action simply does not continue: last year's version keeps it as
    it was, so that year's roll-up, papers and exports read exactly as before the refresh.
    """
    action = choice.action
    if choice.decision is None:  # the refresh's proposal stood: record it as decided
        assert choice.priority is not None
        decide(
            session,
            draft,
            action,
            Decision(choice.outcome, choice.priority.id, tuple(t.id for t in choice.themes)),
            publisher,
        )
    if choice.outcome == ActionOutcome.CARRY:
        assert choice.priority is not None
        session.add(
            Action(
                priority=choice.priority,
                title=action.title,
                description=action.description,
                owner_organisation=action.owner_organisation,
                start_date=action.start_date,
                target_date=action.target_date,
                position=action.position,
                themes=choice.themes,
                partners=list(action.partners),
                responsible_users=list(action.responsible_users),
                carried_forward_from=action,
            )
        )
