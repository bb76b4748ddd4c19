"""Addresses from before plans were named in them (/rollup, /my-actions…) keep working.

Each redirects to the same page of the default plan (or of `?plan=`, which those pages used
to read), keeping the rest of the query string. 307 keeps the method and body, so a form
posted to an old address still arrives; it is temporary because the default plan is a
person's own choice and can change.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from tracker.arguments import record_id
from tracker.auth.access import signed_in
from tracker.plans.scope import default_plan_id, visible_plans

bp = Blueprint("legacy", __name__)

OLD_ADDRESSES = {
    "/rollup": "dashboard.rollup_page",
    "/rollup/trend": "dashboard.trend_page",
    "/rollup/actions": "dashboard.drilldown",
    "/api/v1/rollup": "dashboard.rollup_json",
    "/my-actions": "actions.my_actions",
    "/my-actions/counts": "actions.my_action_counts",
    "/periods": "periods.index",
    "/periods/outstanding": "periods.outstanding",
    "/reports": "reports.index",
    "/reports/new": "reports.new",
    "/reports/performance-summary": "reports.performance_summary",
}


def _plan_for_old_address() -> int | None:
    asked = request.args.get("plan", type=record_id)
    if asked is not None and asked in {plan.id for plan in visible_plans()}:
        return asked
    return default_plan_id()


def _redirect_to(endpoint: str) -> Callable[[], Response]:
    def redirect_old_address() -> Response:
        plan_id = _plan_for_old_address()
        if plan_id is None:
            return redirect(url_for("plans.index"))
        # The query string is copied as text, never passed to url_for as arguments.
        query = [(key, value) for key, value in request.args.items(multi=True) if key != "plan"]
        target = url_for(endpoint, plan_id=plan_id)
        return redirect(f"{target}?{urlencode(query)}" if query else target, code=307)

    redirect_old_address.__doc__ = f"The old address of {endpoint}: redirect into a plan."
    return signed_in(redirect_old_address)


for old_path, new_endpoint in OLD_ADDRESSES.items():
    bp.add_url_rule(
        old_path,
        endpoint=new_endpoint.replace(".", "_"),
        view_func=_redirect_to(new_endpoint),
        methods=["GET", "POST"] if new_endpoint in {"periods.index", "reports.new"} else ["GET"],
    )
