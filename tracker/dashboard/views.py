"""The roll-up page and its JSON twin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.arguments import record_id
from tracker.auth.access import signed_in
from tracker.dashboard.charts import stacked_bars
from tracker.dashboard.services import (
    Rollup,
    actions_in_rollup,
    chosen_period,
    rollup,
    trend,
    what_moved,
)
from tracker.extensions import db
from tracker.htmx import render_page_or_partial
from tracker.models import Action, Organisation, Priority, ReportingPeriod
from tracker.plans.scope import no_periods_yet, plan_scope
from tracker.reports.content import RECOVERY_LABEL, updated_of
from tracker.statuses import (
    NO_UPDATE_TEXT,
    STATUS_LABELS,
    definitions_of,
    scale_of,
)

bp = Blueprint("dashboard", __name__)
bp.add_app_template_global(stacked_bars)


@bp.record_once
def _share_status_wording(state: BlueprintSetupState) -> None:
    """The words for each status, in one place for every template and export."""
    state.app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        NO_UPDATE_TEXT=NO_UPDATE_TEXT,
        RECOVERY_LABEL=RECOVERY_LABEL,
        updated_of=updated_of,
        scale_of=scale_of,
        definitions_of=definitions_of,
    )


# "What moved" lists longer than this show their first entries and a link to the rest: a
# meeting reads the top of the list, and a plan of thousands should not render thousands.
MOVED_LIMIT = 25


def _rollup_from_request() -> tuple[Rollup, list[ReportingPeriod]]:
    scope = plan_scope()
    period = chosen_period(scope.periods, request.args.get("period"))
    if period is None:
        abort(404)  # no such period in this plan version, or none at all yet
    return rollup(db.session, scope.version, period), scope.periods


@bp.route("/plans/<int:plan_id>/rollup")
@signed_in
def rollup_page() -> str:
    """Priorities and themes × statuses for a reporting period, with overall status."""
    if (empty := no_periods_yet("Roll-up")) is not None:
        return empty
    result, periods = _rollup_from_request()
    return render_template(
        "dashboard/rollup.html",
        rollup=result,
        periods=periods,
        statuses=scale_of(result.version.plan).statuses,
        moved=what_moved(db.session, result.version, result.period),
        moved_limit=MOVED_LIMIT,
        show_all_moved=request.args.get("moved"),
    )


@bp.route("/plans/<int:plan_id>/rollup/trend")
@signed_in
def trend_page() -> str:
    """The RAG mix of every reporting period, overall and for each priority."""
    version = plan_scope().version
    return render_template(
        "dashboard/trend.html",
        version=version,
        trend=trend(db.session, version),
        statuses=scale_of(version.plan).statuses,
    )


@bp.route("/plans/<int:plan_id>/rollup/actions")
@signed_in
def drilldown() -> Response | str:
    """The actions behind a roll-up count, with their progress text; filters combine."""
    if (empty := no_periods_yet("Roll-up")) is not None:
        return empty
    result, periods = _rollup_from_request()
    statuses = scale_of(result.version.plan).statuses
    filters: dict[str, Any] = {
        "priority_id": request.args.get("priority", type=record_id),
        "theme_id": request.args.get("theme", type=record_id),
        "organisation_id": request.args.get("organisation", type=record_id),
        "status": request.args.get("status") if request.args.get("status") in statuses else None,
    }
    rows = actions_in_rollup(db.session, result.version, result.period, **filters)
    # Organisations are shared by every plan; offer those that own an action in this one.
    organisations = db.session.scalars(
        select(Organisation)
        .where(
            Organisation.id.in_(
                select(Action.owner_organisation_id)
                .join(Priority, Priority.id == Action.priority_id)
                .where(Priority.plan_version_id == result.version.id)
            )
        )
        .order_by(Organisation.name)
    ).all()
    return render_page_or_partial(
        "dashboard/drilldown.html",
        "dashboard/_drilldown.html",
        rollup=result,
        periods=periods,
        rows=rows,
        filters=filters,
        statuses=statuses,
        organisations=organisations,
    )


@bp.route("/api/v1/plans/<int:plan_id>/rollup")
@signed_in
def rollup_json() -> Response:
    """The same numbers as the roll-up page, for other tools."""
    result, _periods = _rollup_from_request()
    return jsonify(result.as_dict())
