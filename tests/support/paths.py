"""Addresses of a plan's pages, as the app builds them: /plans/<plan_id>/<page>."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracker.models import Action, Plan, PlanVersion, Priority, ReportingPeriod


def plan_id_of(thing: Any) -> int:
    """The plan a plan, version, priority, action or period belongs to (or an id as is)."""
    if isinstance(thing, int):
        return thing
    if isinstance(thing, Plan):
        return thing.id
    if isinstance(thing, PlanVersion):
        return thing.plan_id
    if isinstance(thing, Priority | ReportingPeriod):
        return thing.plan_version.plan_id
    if isinstance(thing, Action):
        return thing.priority.plan_version.plan_id
    raise TypeError(f"no plan for {thing!r}")


def plan_path(thing: Any, page: str = "") -> str:
    """plan_path(period, "rollup?period=3") → "/plans/1/rollup?period=3"."""
    base = f"/plans/{plan_id_of(thing)}"
    if not page:
        return base
    return base + (page if page.startswith("?") else "/" + page)


def only_plan_path(session: Any, page: str = "") -> str:
    """The address of a page of the database's only (or first) plan, such as the demo's."""
    return plan_path(session.scalar(select(Plan.id).order_by(Plan.id).limit(1)), page)


def only_plan_api_path(session: Any, query: str = "") -> str:
    """The roll-up JSON of the database's only (or first) plan: /api/v1/plans/<id>/rollup."""
    plan_id = session.scalar(select(Plan.id).order_by(Plan.id).limit(1))
    return f"/api/v1/plans/{plan_id}/rollup{query}"
