"""The plan overview: priorities and themes of the current plan version with their actions."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth.access import signed_in
from tracker.auth.permissions import editable_action_ids, manageable_priority_ids
from tracker.extensions import db
from tracker.htmx import render_page_or_partial
from tracker.plans.services import all_plans, current_version, plan_overview

bp = Blueprint("plans", __name__)

GROUPINGS = ("priorities", "themes")


@bp.route("/")
@signed_in
def index() -> Response | str:
    """The current version of the first plan."""
    return _overview(plan_id=None)


@bp.route("/plans/<int:plan_id>")
@signed_in
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
        editable_action_ids=editable_action_ids(db.session, current_user, version.id),
        manageable_priority_ids=manageable_priority_ids(current_user, version.id),
    )
