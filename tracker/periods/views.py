"""Coordinators manage reporting periods and chase outstanding updates."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.actions.services import UpdateRefused
from tracker.auth.access import roles
from tracker.extensions import db
from tracker.models import ReportingPeriod, Role
from tracker.periods.forms import PeriodForm, ReopenForm, YearOfPeriodsForm
from tracker.periods.services import (
    chase_list_text,
    close_period,
    create_period,
    create_year_of_periods,
    open_period,
    outstanding_updates,
    reopen_period,
)
from tracker.plans.scope import enter_version, plan_scope
from tracker.reminders.services import latest_reminders

bp = Blueprint("periods", __name__)


@bp.route("/plans/<int:plan_id>/periods", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def index() -> Response:
    scope = plan_scope()
    version = scope.version
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            period = create_period(
                db.session,
                version,
                name=form.name.data,
                start=form.start_date.data,
                end=form.end_date.data,
                due=form.due_date.data,
            )
            db.session.commit()
        except UpdateRefused as refusal:
            getattr(form, refusal.field).errors = [str(refusal)]
        else:
            flash(
                f"Added {period.name}. Open it when updates should start counting towards it.",
                "success",
            )
            return redirect(url_for("periods.index"), code=303)
    return _index_page(form, YearOfPeriodsForm(formdata=None))


def _index_page(form: PeriodForm, year_form: YearOfPeriodsForm) -> Response:
    scope = plan_scope()
    if year_form.first_day.data is None:
        year_form.first_day.data = scope.version.effective_from
    status = 422 if form.errors or year_form.errors else 200
    return make_response(
        render_template(
            "periods/index.html",
            form=form,
            year_form=year_form,
            version=scope.version,
            periods=scope.periods,
        ),
        status,
    )


@bp.route("/plans/<int:plan_id>/periods/year", methods=["POST"])
@roles(Role.COORDINATOR)
def add_year() -> Response:
    """A year of quarterly or two-monthly periods with due dates, all at once."""
    version = plan_scope().version
    year_form = YearOfPeriodsForm()
    if year_form.validate_on_submit():
        try:
            created = create_year_of_periods(
                db.session,
                version,
                frequency=year_form.frequency.data,
                first_day=year_form.first_day.data,
                due_after_days=year_form.due_after_days.data,
            )
            db.session.commit()
        except UpdateRefused as refusal:
            db.session.rollback()
            getattr(year_form, refusal.field).errors = [str(refusal)]
        else:
            flash(
                f"Added {len(created)} periods, {created[0].name} to {created[-1].name}.",
                "success",
            )
            return redirect(url_for("periods.index"), code=303)
    return _index_page(PeriodForm(formdata=None), year_form)


def _period(period_id: int) -> ReportingPeriod:
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    enter_version(period.plan_version)
    return period


@bp.route("/periods/<int:period_id>/open", methods=["POST"])
@roles(Role.COORDINATOR)
def open_(period_id: int) -> Response:
    period = _period(period_id)
    try:
        open_period(db.session, period)
        db.session.commit()
    except UpdateRefused as refusal:
        flash(str(refusal), "info")
    else:
        flash(f"{period.name} is open: new updates count towards it.", "success")
    return redirect(url_for("periods.index"), code=303)


@bp.route("/periods/<int:period_id>/close", methods=["POST"])
@roles(Role.COORDINATOR)
def close(period_id: int) -> Response:
    period = _period(period_id)
    close_period(period, current_user)
    db.session.commit()
    flash(
        f"{period.name} is closed: it takes no more updates, context or indicator values "
        "unless it is reopened.",
        "success",
    )
    return redirect(url_for("periods.index"), code=303)


@bp.route("/periods/<int:period_id>/reopen", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def reopen(period_id: int) -> Response:
    """Unlock a closed period, with a reason kept in the audit trail."""
    period = _period(period_id)
    if not period.is_locked:
        flash(f"{period.name} is not closed.", "info")
        return redirect(url_for("periods.index"), code=303)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopen_period(db.session, period, current_user, form.reason.data)
            db.session.commit()
        except UpdateRefused as refusal:
            db.session.rollback()
            getattr(form, refusal.field, form.reason).errors = [str(refusal)]
        else:
            flash(
                f"{period.name} is open again: updates, context and indicator values count "
                "towards it. Close it again when the late changes are in.",
                "success",
            )
            return redirect(url_for("periods.index"), code=303)
    return make_response(
        render_template("periods/reopen.html", form=form, period=period),
        422 if form.errors else 200,
    )


@bp.route("/plans/<int:plan_id>/periods/outstanding")
@roles(Role.COORDINATOR)
def outstanding() -> str:
    """For the open period: every active action without an update, grouped by lead."""
    scope = plan_scope()
    version, period = scope.version, scope.open_period
    groups = outstanding_updates(db.session, version, period) if period else []
    total = len({action.id for group in groups for action in group.actions})
    return render_template(
        "periods/outstanding.html",
        version=version,
        period=period,
        groups=groups,
        total=total,
        plain_text=chase_list_text(period, groups) if period else "",
        reminders=latest_reminders(db.session, period) if period else {},
    )
