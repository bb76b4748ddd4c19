"""The plan a request is about, resolved once and used by every view, template and link.

A plan's pages live under `/plans/<plan_id>/…` (its JSON under `/api/v1/plans/<plan_id>/…`).
A page about one record (an action, a report, a period, an indicator) is addressed by that
record, which belongs to exactly one plan version, and its view enters that version's scope.
A plan page shows the current version unless `?version=<number>` picks another (last year's,
or the draft refresh for those who edit the structure); links built on such a page keep it.
Either way the request has one `PlanScope`: the plan, the version shown, its periods and its
open period. `url_for` fills in `plan_id` from it, so a link built on a page of plan B is a
link into plan B; a page outside any plan (your account, admin) links to the default plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from flask import Flask, abort, g, render_template, request, session
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select, true
from sqlalchemy.orm import aliased, joinedload

from tracker.arguments import record_id
from tracker.extensions import db
from tracker.models import Plan, PlanVersion, ReportingPeriod, Role
from tracker.periods.services import periods_of
from tracker.plans.versions import successor_of
from tracker.refresh.changes import change_lines

# The pages "Switch plan" and the version picker open in another plan or version: the same
# page there. Named here rather than taken from the address, so a crafted `page` can only
# ever pick one of these.
SWITCHABLE_PAGES = {
    "plans.overview": "Plan overview",
    "actions.my_actions": "Your actions",
    "dashboard.rollup_page": "Roll-up",
    "dashboard.trend_page": "Trend",
    "dashboard.drilldown": "Roll-up actions",
    "periods.index": "Reporting periods",
    "periods.outstanding": "Outstanding updates",
    "reports.index": "Reports",
    "reports.performance_summary": "Performance summary",
}

# The plan a person last looked at, so bare addresses (/, /rollup) take them back to it.
LAST_PLAN_KEY = "plan_id"


@dataclass
class PlanScope:
    """One plan version as a request sees it: resolved once, read by views and templates."""

    version: PlanVersion
    # How many of the plan's versions this person may pick, and how many plans they can
    # open, when read with the version (a plan page's address): every page asks whether
    # there is more than one of each, and most deployments have one of each.
    version_count: int | None = None
    plan_count: int | None = None

    @property
    def plan(self) -> Plan:
        return self.version.plan

    @property
    def several_versions(self) -> bool:
        """More than one version to pick from: the page offers the version picker."""
        count = len(self.versions) if self.version_count is None else self.version_count
        return count > 1

    @property
    def several_plans(self) -> bool:
        """More than one plan to switch to: the page names its plan and offers the others."""
        count = len(visible_plans()) if self.plan_count is None else self.plan_count
        return count > 1

    @cached_property
    def periods(self) -> list[ReportingPeriod]:
        """The version's reporting periods, oldest first."""
        return periods_of(db.session, self.version)

    @cached_property
    def open_period(self) -> ReportingPeriod | None:
        return next((period for period in self.periods if period.is_open), None)

    @cached_property
    def versions(self) -> list[PlanVersion]:
        """The plan's versions this person may pick, newest first."""
        return [
            version
            for version in sorted(self.plan.versions, key=lambda v: -v.version_number)
            if may_see(version)
        ]

    @cached_property
    def current(self) -> PlanVersion | None:
        return next((version for version in self.plan.versions if version.is_current), None)


def sees_drafts() -> bool:
    """A draft refresh is work in progress: only those who edit the structure see it."""
    return getattr(current_user, "role", None) in (Role.ADMIN, Role.COORDINATOR)


def may_see(version: PlanVersion) -> bool:
    """Whether the signed-in person may see this version of a plan."""
    return not version.is_draft or sees_drafts()


@cache
def _version_statement(*, by_number: bool, with_drafts: bool) -> Select[Any]:
    """The plan's version with the number asked for (or its current one), with its plan, the
    number of the plan's versions one may pick and the number of plans one can open. Built
    once per process: building it cost more than running it."""
    picked = aliased(PlanVersion)
    versions_seen = (
        select(func.count(picked.id))
        .where(picked.plan_id == PlanVersion.plan_id, true() if with_drafts else ~picked.is_draft)
        .scalar_subquery()
    )
    current = aliased(PlanVersion)  # each plan has exactly one current version
    plans_seen = select(func.count(current.id)).where(current.is_current).scalar_subquery()
    which = (
        PlanVersion.version_number == bindparam("number")
        if by_number
        else PlanVersion.is_current.is_(True)
    )
    return (
        select(PlanVersion, versions_seen, plans_seen)
        .where(PlanVersion.plan_id == bindparam("plan_id"), which)
        .options(joinedload(PlanVersion.plan))
    )


def enter_plan(plan_id: int) -> PlanScope:
    """Scope the request to the plan's version the address asks for (`?version=`), else its
    current one; 404 when there is no such plan or version."""
    number = request.args.get("version", type=record_id)
    if "version" in request.args and number is None:
        abort(404, "There is no such version of this plan.")
    statement = _version_statement(by_number=number is not None, with_drafts=sees_drafts())
    found = db.session.execute(statement, {"plan_id": plan_id, "number": number}).one_or_none()
    if found is None or not may_see(found[0]):
        abort(404, "There is no such version of this plan." if number is not None else None)
    version, version_count, plan_count = found
    return enter_version(version, version_count=version_count, plan_count=plan_count)


def enter_version(
    version: PlanVersion, *, version_count: int | None = None, plan_count: int | None = None
) -> PlanScope:
    """Scope the request to this plan version (the one a record being shown belongs to)."""
    if not may_see(version):
        abort(404)  # a record of a draft refresh, asked for by someone who cannot see it
    scope = getattr(g, "plan_scope", None)
    if scope is None or scope.version.id != version.id:
        scope = g.plan_scope = PlanScope(version, version_count, plan_count)
        if session.get(LAST_PLAN_KEY) != version.plan_id:
            session[LAST_PLAN_KEY] = version.plan_id
    return scope


def plan_scope() -> PlanScope:
    """The scope this request entered; a view that calls it without one is a bug."""
    scope = getattr(g, "plan_scope", None)
    if scope is None:
        raise RuntimeError("this view is not scoped to a plan")
    return scope


def scope_if_any() -> PlanScope | None:
    return getattr(g, "plan_scope", None)


def no_periods_yet(heading: str) -> str | None:
    """For a page counted by reporting period (roll-up, performance summary): the page that
    says the plan has no periods yet, when that is so and no period was asked for."""
    if plan_scope().periods or "period" in request.args:
        return None
    return render_template("plans/no_periods.html", heading=heading)


def visible_plans() -> list[Plan]:
    """The plans this person can open, in the order they were created (once per request).

    Every signed-in person can read every plan today; a plan switcher appears when there is
    more than one.
    """
    if "visible_plans" not in g:
        g.visible_plans = list(
            db.session.scalars(
                select(Plan)
                .join(PlanVersion, PlanVersion.plan_id == Plan.id)
                .where(PlanVersion.is_current.is_(True))
                .order_by(Plan.id)
            )
        )
    plans: list[Plan] = g.visible_plans
    return plans


def default_plan_id() -> int | None:
    """The plan an address without one means: the one this person last used, else the first."""
    scope = scope_if_any()
    if scope is not None:
        return scope.plan.id
    plan_ids = [plan.id for plan in visible_plans()]
    remembered = session.get(LAST_PLAN_KEY)
    if remembered in plan_ids:
        return int(remembered)
    return plan_ids[0] if plan_ids else None


def enter_plan_from_address() -> None:
    """before_request, after the access rule (a visitor is sent to sign in, not told 404)."""
    plan_id = g.pop("plan_id_in_address", None)
    if plan_id is not None:
        enter_plan(plan_id)


def init_plan_scope(app: Flask) -> None:
    """Take `plan_id` out of the address for the scope, and put it back into links."""

    @app.url_value_preprocessor
    def _take_plan_from_address(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "plan_id" in values:
            # Kept out of the view's arguments: views read plan_scope() instead.
            g.plan_id_in_address = values.pop("plan_id")

    @app.url_defaults
    def _link_within_the_plan(endpoint: str, values: dict[str, Any]) -> None:
        if not app.url_map.is_endpoint_expecting(endpoint, "plan_id"):
            return
        plan_id = values.get("plan_id") or default_plan_id()
        if plan_id is not None:
            values["plan_id"] = plan_id
        # On a page of last year's plan (or the draft), links within it stay in that version.
        scope = scope_if_any()
        if (
            scope is not None
            and "version" not in values
            and not scope.version.is_current
            and values.get("plan_id") == scope.plan.id
        ):
            values["version"] = scope.version.version_number

    @app.context_processor
    def _share_scope() -> dict[str, Any]:
        return {
            "plan_scope": scope_if_any,
            "visible_plans": visible_plans,
            "default_plan_id": default_plan_id,
            "switchable_pages": SWITCHABLE_PAGES,
            "successor_of": successor_of,
            "change_lines": change_lines,
        }
