"""The plan overview: priorities and themes of the current plan version with their actions."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import login_required
from werkzeug.wrappers import Response

from tracker.extensions import db
from tracker.htmx import render_page_or_partial
from tracker.plans.services import all_plans, current_version, plan_overview

bp = Blueprint("plans", __name__)

GROUPINGS = ("priorities", "themes")


@bp.route("/")
@login_required
def index() -> Response | str:
    """The current version of the first plan."""
    return _overview(plan_id=None)


@bp.route("/plans/<int:plan_id>")
@login_required
def overview(plan_id: int) -> Response | str:
    """The current version of a chosen plan."""
    return _overview(plan_id=plan_id)


def _overview(plan_id: int | None) -> Response | str:
    version = current_version(db.session, plan_id)
    if version is None:
        if plan_id is not None:
            abort(404)
        return render_template("plans/empty.html")
    grouping = request.args.get("group", "priorities")
    if grouping not in GROUPINGS:
        grouping = "priorities"
    return render_page_or_partial(
        "plans/index.html",
        "plans/_overview.html",
        overview=plan_overview(db.session, version),
        grouping=grouping,
        plans=all_plans(db.session),
    )
