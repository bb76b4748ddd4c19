"""The waiting-for-sign-off list, approving and returning updates, and the plan's setting."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.auth.access import deny_and_record, roles, signed_in
from tracker.extensions import db
from tracker.models import ReviewDecision, Role, Update
from tracker.plans.scope import enter_version, plan_scope
from tracker.signoff.services import (
    SignOffRefused,
    can_sign_off,
    review,
    set_sign_off,
    signs_off_in,
    waiting_for_sign_off,
)

bp = Blueprint("signoff", __name__)


def _page(
    errors: dict[int, str] | None = None, setting_error: str = "", status: int = 200
) -> Response:
    scope = plan_scope()
    version = scope.current or scope.version
    if not signs_off_in(db.session, current_user, version):
        deny_and_record(
            "plan", scope.plan.id, "Tried to open the sign-off list without signing off in it"
        )
    return make_response(
        render_template(
            "signoff/index.html",
            plan=scope.plan,
            version=version,
            waiting=waiting_for_sign_off(db.session, version, current_user),
            errors=errors or {},
            # What a reviewer typed as a reason stays in its box when the page comes back.
            typed_reasons=dict(request.form.items()),
            setting_error=setting_error,
        ),
        status,
    )


@bp.route("/plans/<int:plan_id>/sign-off")
@signed_in
def index() -> Response:
    return _page()


@bp.route("/plans/<int:plan_id>/sign-off/setting", methods=["POST"])
@roles(Role.COORDINATOR)
def setting() -> Response:
    scope = plan_scope()
    required = request.form.get("required") == "yes"
    try:
        set_sign_off(db.session, scope.plan, required, scope.current or scope.version)
        db.session.commit()
    except SignOffRefused as refusal:
        db.session.rollback()
        return _page(setting_error=str(refusal), status=422)
    flash(
        "Sign-off is on: from now on a lead's update counts once a coordinator or the "
        "priority's sign-off person approves it."
        if required
        else "Sign-off is off: updates count as soon as they are saved.",
        "success",
    )
    return redirect(url_for("signoff.index"), code=303)


def _waiting_update(update_id: int) -> Update:
    update = db.session.get(Update, update_id)
    if update is None:
        abort(404)
    enter_version(update.action.priority.plan_version)
    return update


@bp.route("/updates/<int:update_id>/sign-off", methods=["POST"])
@signed_in
def decide(update_id: int) -> Response:
    """Approve an update, or return it with a reason (the decision is its own record)."""
    update = _waiting_update(update_id)
    if not can_sign_off(current_user, update.action.priority):
        deny_and_record("update", update.id, "Tried to sign off an update of another priority")
    decision = request.form.get("decision", "")
    try:
        review(
            db.session,
            update,
            current_user,
            decision,
            request.form.get(f"reason-{update.id}", ""),
        )
        db.session.commit()
    except SignOffRefused as refusal:
        db.session.rollback()
        return _page({update.id: str(refusal)}, status=422)
    title = update.action.title
    flash(
        f"Approved the update on {title}: it now counts."
        if decision == ReviewDecision.APPROVED
        else f"Returned the update on {title} to {update.author.name}, with your reason.",
        "success",
    )
    return redirect(
        url_for("signoff.index", plan_id=update.action.priority.plan_version.plan_id), code=303
    )
