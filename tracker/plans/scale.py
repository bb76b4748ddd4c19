"""A plan's own status scale and the words for what each status means."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from tracker.extensions import DbSession
from tracker.models import Action, Plan, PlanVersion, Priority, Update
from tracker.statuses import SCALES, STATUS_LABELS, scale_of

MAX_DEFINITION_LENGTH = 300


class ScaleRefused(ValueError):
    """A scale or definition that cannot be saved, with the field it concerns."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def change_scale(session: DbSession, plan: Plan, key: str | None) -> None:
    """Use another scale. Refused while the plan's updates hold statuses it lacks: those
    updates are kept as written, and their statuses would drop out of every count."""
    if key not in SCALES:
        raise ScaleRefused("Choose one of the scales", "scale")
    new = SCALES[key]
    outside = session.execute(
        select(Update.rag, func.count(Update.id))
        .join(Action, Action.id == Update.action_id)
        .join(Priority, Priority.id == Action.priority_id)
        .join(PlanVersion, PlanVersion.id == Priority.plan_version_id)
        .where(PlanVersion.plan_id == plan.id, Update.rag.not_in(new.choices))
        .group_by(Update.rag)
        .order_by(Update.rag)
    ).all()
    if outside:
        used = ", ".join(f"{count} {STATUS_LABELS[rag]}" for rag, count in outside)
        raise ScaleRefused(
            f"This plan's updates already use statuses that {new.name.split(' (')[0].lower()} "
            f"does not have ({used}), so the scale cannot change: updates are never rewritten",
            "scale",
        )
    plan.status_scale = new.key


def save_definitions(plan: Plan, entered: Mapping[str, str]) -> None:
    """The plan's own words for each status of its scale; a blank one keeps the scale's."""
    scale = scale_of(plan)
    own: dict[str, str] = {}
    for key in scale.choices:
        text = " ".join((entered.get(key) or "").split())
        if len(text) > MAX_DEFINITION_LENGTH:
            raise ScaleRefused(
                f"What {STATUS_LABELS[key]} means must be {MAX_DEFINITION_LENGTH} characters "
                "or fewer",
                f"definition-{key}",
            )
        if text and text != scale.definitions[key]:
            own[key] = text
    plan.status_definitions = own or None
