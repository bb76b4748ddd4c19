"""The coordinator's reminders page: settings, who would get what today, and send now."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.audit import record_event
from tracker.auth.access import roles
from tracker.extensions import db
from tracker.models import Role
from tracker.plans.scope import plan_scope
from tracker.reminders.forms import ReminderSettingsForm
from tracker.reminders.senders import sender_from_config
from tracker.reminders.services import (
    local_today,
    reminders_for,
    send_reminders,
    stage_dates,
)

bp = Blueprint("reminders", __name__)


def _page(form: ReminderSettingsForm, status: int = 200) -> Response:
    scope = plan_scope()
    version = scope.current or scope.version
    planned = reminders_for(db.session, version, local_today(), early=True)
    sender = sender_from_config(current_app.config)
    period = planned.period
    return make_response(
        render_template(
            "reminders/index.html",
            form=form,
            plan=scope.plan,
            version=version,
            planned=planned,
            schedule=(
                stage_dates(period, scope.plan.reminder_days_before)
                if period is not None and period.due_date is not None
                else {}
            ),
            today=local_today(),
            sender=sender,
            public_url=current_app.config["PUBLIC_URL"],
        ),
        status,
    )


@bp.route("/plans/<int:plan_id>/reminders")
@roles(Role.COORDINATOR)
def index() -> Response:
    plan = plan_scope().plan
    form = ReminderSettingsForm(
        formdata=None, enabled=plan.reminders_enabled, days_before=plan.reminder_days_before
    )
    return _page(form)


@bp.route("/plans/<int:plan_id>/reminders/settings", methods=["POST"])
@roles(Role.COORDINATOR)
def settings() -> Response:
    plan = plan_scope().plan
    form = ReminderSettingsForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    plan.reminders_enabled = bool(form.enabled.data)
    plan.reminder_days_before = form.days_before.data
    db.session.commit()
    flash(
        f"Reminders are on: the first goes {plan.reminder_days_before} days before the due date."
        if plan.reminders_enabled
        else "Reminders are off for this plan: the hourly run sends none.",
        "success",
    )
    return redirect(url_for("reminders.index"), code=303)


@bp.route("/plans/<int:plan_id>/reminders/send", methods=["POST"])
@roles(Role.COORDINATOR)
def send_now() -> Response:
    """Send today's stage now (the first stage early, if it is not due yet)."""
    scope = plan_scope()
    version = scope.current or scope.version
    sender = sender_from_config(current_app.config)
    if sender is None:
        flash("No e-mail sender is set up, so nothing was sent.", "info")
        return redirect(url_for("reminders.index"), code=303)
    planned = reminders_for(db.session, version, local_today(), early=True)
    if not planned.to_send:
        flash(planned.reason or "Everyone owing an update has had this reminder.", "info")
        return redirect(url_for("reminders.index"), code=303)
    report = send_reminders(db.session, sender, [planned], current_app.config["PUBLIC_URL"])
    record_event(
        db.session,
        "reminders_sent",
        actor=current_user,
        entity_type="reporting_period",
        entity_id=planned.period.id if planned.period else None,
        summary=f"Sent reminders now for {scope.plan.name}: {report.summary()}",
    )
    db.session.commit()
    flash(
        f"Reminders: {report.summary()}.",
        "info" if report.failed else "success",
    )
    return redirect(url_for("reminders.index"), code=303)
