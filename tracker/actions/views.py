"""The action page: details, history, and the update form for those who may change it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from tracker.actions.forms import UpdateForm
from tracker.actions.services import UpdateRefused, action_history, open_period_for, record_update
from tracker.audit import record_event
from tracker.auth.access import signed_in
from tracker.auth.permissions import can_edit_action
from tracker.extensions import db
from tracker.models import Action, Priority

bp = Blueprint("actions", __name__)


def _load_action(action_id: int) -> Action:
    action = db.session.get(
        Action,
        action_id,
        options=[
            joinedload(Action.priority).joinedload(Priority.plan_version),
            joinedload(Action.owner_organisation),
            selectinload(Action.themes),
            selectinload(Action.partners),
            selectinload(Action.responsible_users),
        ],
    )
    if action is None:
        abort(404)
    return action


def _render(action: Action, form: UpdateForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "actions/detail.html",
            action=action,
            form=form,
            can_edit=can_edit_action(db.session, current_user, action),
            history=action_history(db.session, action),
            open_period=open_period_for(db.session, action),
        ),
        status,
    )


@bp.route("/actions/<int:action_id>")
@signed_in
def detail(action_id: int) -> tuple[str, int]:
    return _render(_load_action(action_id), UpdateForm())


@bp.route("/actions/<int:action_id>/updates", methods=["POST"])
@signed_in
def add_update(action_id: int) -> Response | tuple[str, int]:
    action = _load_action(action_id)
    if not can_edit_action(db.session, current_user, action):
        record_event(
            db.session,
            "access_denied",
            entity_type="action",
            entity_id=action.id,
            summary="Tried to add an update to an action outside their priorities",
        )
        db.session.commit()
        abort(403)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            record_update(db.session, action, current_user, form.rag.data, form.progress_text.data)
        except UpdateRefused as refusal:
            getattr(form, refusal.field).errors = [str(refusal)]
        else:
            db.session.commit()
            flash("Update saved.", "success")
            return redirect(url_for("actions.detail", action_id=action.id), code=303)
    return _render(action, form, 422)
