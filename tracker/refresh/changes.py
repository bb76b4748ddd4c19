"""What a refresh changed, in the shape of an agreement's version-control table.

Worked out from what each new priority and theme continues, and from the decisions on the
actions: renamed, added, retired, merged, split; actions carried forward, completed and
closed. While the refresh is a draft it is worked out afresh for the preview; publishing
freezes it into the new version (`PlanVersion.changes`), so the table never changes after.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import DbSession
from tracker.models import ActionOutcome, PlanVersion, Priority, Theme

if TYPE_CHECKING:
    from tracker.refresh.services import ActionChoice


@dataclass
class StructureChanges:
    """How one kind of heading (priorities or themes) changed between two versions."""

    renamed: list[tuple[str, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    merged: list[tuple[list[str], str]] = field(default_factory=list)
    split: list[tuple[str, list[str]]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "renamed": [list(pair) for pair in self.renamed],
            "added": self.added,
            "retired": self.retired,
            "merged": [[olds, new] for olds, new in self.merged],
            "split": [[old, news] for old, news in self.split],
        }


@dataclass
class ChangeSummary:
    priorities: StructureChanges
    themes: StructureChanges
    carried: list[str]
    completed: list[str]
    closed: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "priorities": self.priorities.as_json(),
            "themes": self.themes.as_json(),
            "actions": {
                "carried": self.carried,
                "completed": self.completed,
                "closed": self.closed,
            },
        }


def _structure_changes(session: DbSession, draft: PlanVersion, model: Any) -> StructureChanges:
    """Priorities or themes (the model) of the draft against the version it refreshes."""
    assert draft.based_on_id is not None
    olds = session.scalars(
        select(model)
        .where(model.plan_version_id == draft.based_on_id, model.retired_at.is_(None))
        .order_by(model.position, model.id)
    ).all()
    news = session.scalars(
        select(model)
        .where(model.plan_version_id == draft.id, model.retired_at.is_(None))
        .options(selectinload(model.predecessors))  # read for every one of them below
        .order_by(model.position, model.id)
    ).all()
    successors: dict[int, list[Any]] = defaultdict(list)
    for new in news:
        for old in new.predecessors:
            successors[old.id].append(new)
    changes = StructureChanges()
    for new in news:
        continued = [old for old in new.predecessors if old.plan_version_id == draft.based_on_id]
        if not continued:
            changes.added.append(new.name)
        elif len(continued) > 1:
            changes.merged.append(([old.name for old in continued], new.name))
        elif len(successors[continued[0].id]) == 1 and continued[0].name != new.name:
            changes.renamed.append((continued[0].name, new.name))
    for old in olds:
        following = successors.get(old.id, [])
        if not following:
            changes.retired.append(old.name)
        elif len(following) > 1:
            changes.split.append((old.name, [new.name for new in following]))
    return changes


def change_summary(
    session: DbSession, draft: PlanVersion, choices: list[ActionChoice]
) -> ChangeSummary:
    """What publishing the draft changes, from its structure and the actions' choices."""
    by_outcome: dict[str | None, list[str]] = defaultdict(list)
    for choice in choices:
        by_outcome[choice.outcome].append(choice.action.title)
    return ChangeSummary(
        priorities=_structure_changes(session, draft, Priority),
        themes=_structure_changes(session, draft, Theme),
        carried=by_outcome[ActionOutcome.CARRY.value],
        completed=by_outcome[ActionOutcome.COMPLETE.value],
        closed=by_outcome[ActionOutcome.CLOSE.value],
    )


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def change_lines(changes: dict[str, Any] | None) -> list[str]:
    """The changes as the lines of a version-control table's "Changes" column."""
    if not changes:
        return []
    lines = []
    for kind, noun in (("priorities", "Priority"), ("themes", "Theme")):
        part = changes.get(kind, {})
        for old, new in part.get("renamed", []):
            lines.append(f"{noun} renamed: {old} is now {new}")
        for olds, new in part.get("merged", []):
            lines.append(f"{noun} merged: {_names(olds)} now continue as {new}")
        for old, news in part.get("split", []):
            lines.append(f"{noun} split: {old} now continues as {_names(news)}")
        for name in part.get("added", []):
            lines.append(f"{noun} added: {name}")
        for name in part.get("retired", []):
            lines.append(f"{noun} removed: {name}")
    actions = changes.get("actions", {})
    counts = [
        (len(actions.get("carried", [])), "carried forward"),
        (len(actions.get("completed", [])), "completed"),
        (len(actions.get("closed", [])), "closed as business as usual"),
    ]
    said = [f"{_count(number, 'action')} {what}" for number, what in counts if number]
    if said:
        lines.append("Actions: " + "; ".join(said))
    return lines
