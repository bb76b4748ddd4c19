"""Which plan versions may change, and how: one rule, used by every service that writes.

The current version takes updates, context, readings and action changes. A draft refresh
takes structure changes (priorities, themes, indicators, periods) and nothing else until it
is published. A superseded version, last year's plan, takes nothing: its pages, papers and
exports read exactly as they did when it was replaced.
"""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import PlanVersion


class VersionReadOnly(Exception):
    """A change to a plan version that does not take it; nothing was saved."""

    def __init__(self, message: str, version: PlanVersion) -> None:
        super().__init__(message)
        self.version = version


def successor_of(version: PlanVersion) -> PlanVersion | None:
    """The published version that replaced this one, if any."""
    return db.session.scalar(
        select(PlanVersion).where(
            PlanVersion.based_on_id == version.id, PlanVersion.is_draft.is_(False)
        )
    )


def _superseded_message(version: PlanVersion, attempted: str) -> str:
    successor = successor_of(version)
    replaced = (
        f" was replaced by {successor.label} on {successor.effective_from:%-d %B %Y}"
        if successor is not None
        else " is no longer the current version"
    )
    return (
        f"Nothing was saved: {version.label}{replaced} and is kept read-only, so that last "
        f"year's papers can still be checked against it. {attempted.capitalize()} in the "
        "current version instead."
    )


def refuse_unless_current(version: PlanVersion, attempted: str) -> None:
    """Updates, context, readings and action changes go to the current version only.

    `attempted` reads as the rest of a sentence: "record updates", "add actions".
    """
    if version.is_current:
        return
    if version.is_draft:
        raise VersionReadOnly(
            f"Nothing was saved: {version.label} is a draft refresh. You can {attempted} "
            "once it is published.",
            version,
        )
    raise VersionReadOnly(_superseded_message(version, attempted), version)


def refuse_if_superseded(version: PlanVersion, attempted: str) -> None:
    """Structure and periods change in the current version or a draft, never in last year's."""
    if version.is_superseded:
        raise VersionReadOnly(_superseded_message(version, attempted), version)
