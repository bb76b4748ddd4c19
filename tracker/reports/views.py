"""Report pages: the action plan and performance summary for a reporting period."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from tracker.auth.access import signed_in
from tracker.dashboard.services import chosen_period
from tracker.extensions import db
from tracker.periods.services import periods_of
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
    period = chosen_period(periods_of(db.session, version), request.args.get("period"))
    if period is None:
        abort(404)
    return render_template(
        "reports/performance_summary.html", content=report_content(db.session, period)
    )
