"""The roll-up page and its JSON twin."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.auth.access import signed_in
from tracker.dashboard.services import STATUSES, Rollup, default_period, rollup
from tracker.extensions import db
from tracker.models import ReportingPeriod
from tracker.plans.services import current_version

bp = Blueprint("dashboard", __name__)


def _rollup_from_request() -> tuple[Rollup, list[ReportingPeriod]]:
    version = current_version(db.session, request.args.get("plan", type=int))
    if version is None:
        abort(404)
    periods = list(
        db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.plan_version_id == version.id)
            .order_by(ReportingPeriod.start_date)
        )
    )
    period_id = request.args.get("period", type=int)
    if request.args.get("period") and period_id is None:
        abort(404)
    period = (
        next((p for p in periods if p.id == period_id), None)
        if period_id
        else default_period(db.session, version)
    )
    if period is None:
        abort(404)  # no such period in this plan version, or none at all yet
    return rollup(db.session, version, period), periods


@bp.route("/rollup")
@signed_in
def rollup_page() -> str:
    """Priorities and themes × statuses for a reporting period, with overall status."""
    result, periods = _rollup_from_request()
    return render_template(
        "dashboard/rollup.html", rollup=result, periods=periods, statuses=STATUSES
    )


@bp.route("/api/v1/rollup")
@signed_in
def rollup_json() -> Response:
    """The same numbers as the roll-up page, for other tools."""
    result, _periods = _rollup_from_request()
    return jsonify(result.as_dict())
