"""The plans: the list to choose from, and a plan's overview of its current version."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.arguments import record_id
from tracker.auth.access import roles, signed_in
from tracker.auth.permissions import editable_action_ids, manageable_priority_ids
from tracker.extensions import db
from tracker.htmx import render_page_or_partial
from tracker.models import Role
from tracker.plans.forms import PlanForm
from tracker.plans.scale import ScaleRefused, change_scale, save_definitions
from tracker.plans.scope import SWITCHABLE_PAGES, default_plan_id, plan_scope, visible_plans
from tracker.plans.services import plan_overview
from tracker.statuses import SCALES, definitions_of, scale_of
from tracker.structure.services import StructureRefused, create_plan

bp = Blueprint("plans", __name__)

GROUPINGS = ("priorities", "themes")


@bp.route("/")
@signed_in
def index() -> Response | str:
    """The plan this person last used, or the first; a page that says so when there is none."""
    plan_id = default_plan_id()
    if plan_id is None:
        return render_template("plans/empty.html")
    return redirect(url_for("plans.overview", plan_id=plan_id))


@bp.route("/plans")
@signed_in
def choose() -> str:
    """Every plan this person can open; from a plan page, each links to that same page."""
    page = request.args.get("page")
    if page not in SWITCHABLE_PAGES:
        page = "plans.overview"
    return render_template(
        "plans/choose.html",
        plans=visible_plans(),
        page=page,
        page_name=SWITCHABLE_PAGES[page],
        current_plan_id=default_plan_id(),
        can_create=current_user.role in PLAN_CREATORS,
    )


# Admins set a deployment up; coordinators run the plans and start a district's own.
PLAN_CREATORS = (Role.ADMIN, Role.COORDINATOR)


@bp.route("/plans/new", methods=["GET", "POST"])
@roles(*PLAN_CREATORS)
def new() -> Response | tuple[str, int]:
    """Create a plan and its first version, ready for its priorities and themes."""
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = create_plan(
                db.session,
                name=form.name.data or "",
                description=form.description.data or "",
                version_label=form.version_label.data or "",
                effective_from=form.effective_from.data,
            )
            db.session.commit()
        except StructureRefused as refusal:
            getattr(form, refusal.field).errors = [str(refusal)]
        else:
            flash(f"Created {plan.name}.", "success")
            return redirect(url_for("plans.overview", plan_id=plan.id), code=303)
    return render_template("plans/new.html", form=form), 422 if form.errors else 200


@bp.route("/plans/<int:plan_id>")
@signed_in
def overview() -> Response | str:
    """A plan's current version: its priorities or themes with their actions."""
    scope = plan_scope()
    grouping = request.args.get("group", "priorities")
    if grouping not in GROUPINGS:
        grouping = "priorities"
    overview = plan_overview(
        db.session, scope.version, grouping, request.args.get("page", 1, type=record_id) or 1
    )
    return render_page_or_partial(
        "plans/index.html",
        "plans/_overview.html",
        overview=overview,
        overview_page=overview.page,
        grouping=grouping,
        open_period=scope.open_period,
        editable_action_ids=editable_action_ids(db.session, current_user, scope.version.id),
        manageable_priority_ids=manageable_priority_ids(current_user, scope.version),
    )


@bp.route("/plans/<int:plan_id>/status-scale")
@roles(Role.COORDINATOR)
def status_scale() -> Response:
    return _status_scale_page()


def _status_scale_page(errors: dict[str, str] | None = None) -> Response:
    plan = plan_scope().plan
    return make_response(
        render_template(
            "plans/status_scale.html",
            plan=plan,
            version=plan_scope().version,
            scales=SCALES,
            scale=scale_of(plan),
            definitions=definitions_of(plan),
            entered=request.form if errors else {},
            errors=errors or {},
        ),
        422 if errors else 200,
    )


@bp.route("/plans/<int:plan_id>/status-scale", methods=["POST"])
@roles(Role.COORDINATOR)
def save_status_scale() -> Response:
    """Choose the scale, or word its statuses' definitions (one form each)."""
    plan = plan_scope().plan  # CSRFProtect has checked the token, as for every POST
    try:
        if request.form.get("form") == "scale":
            change_scale(db.session, plan, request.form.get("scale"))
            message = f"This plan now uses {scale_of(plan).name.lower()}."
        else:
            save_definitions(
                plan,
                {key: request.form.get(f"definition-{key}", "") for key in scale_of(plan).choices},
            )
            message = "Saved what each status means. Leads see it when they choose one."
        db.session.commit()
    except ScaleRefused as refusal:
        db.session.rollback()
        return _status_scale_page({refusal.field: str(refusal)})
    flash(message, "success")
    return redirect(url_for("plans.status_scale"), code=303)
