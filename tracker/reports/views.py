"""Report pages: the action plan and performance summary for a reporting period."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from tracker.auth.access import signed_in
from tracker.dashboard.services import default_period
from tracker.extensions import db
from tracker.models import ReportingPeriod
from tracker.plans.services import current_version
from tracker.reports.content import report_content

bp = Blueprint("reports", __name__)


@bp.route("/reports/performance-summary")
@signed_in
def performance_summary() -> str:
    """The report's generated part for a period, laid out for reading and printing."""
    version = current_version(db.session, request.args.get("plan", type=int))
    if version is None:
        abort(404)
    if "period" in request.args:
        period = db.session.scalar(
            select(ReportingPeriod).where(
                ReportingPeriod.id == request.args.get("period", type=int),
                ReportingPeriod.plan_version_id == version.id,
            )
        )
    else:
        period = default_period(db.session, version)
    if period is None:
        abort(404)
    return render_template(
        "reports/performance_summary.html", content=report_content(db.session, period)
    )
