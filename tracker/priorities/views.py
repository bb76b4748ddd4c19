"""A priority's page, its context narrative for a period, and its indicator readings."""

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
from flask import session as browser_session
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.arguments import record_id_or_none
from tracker.auth.access import deny_and_record, signed_in
from tracker.auth.permissions import can_manage_priority
from tracker.dashboard.services import chosen_period, trend
from tracker.extensions import db
from tracker.grants.services import format_money, projects_supporting
from tracker.models import Indicator, IndicatorValue, Priority, ReportingPeriod
from tracker.periods.locks import locked_message
from tracker.plans.scope import enter_version, plan_scope
from tracker.plans.versions import refuse_unless_current
from tracker.priorities.forms import NarrativeForm, ReadingForm
from tracker.priorities.services import (
    DEFAULT_COMPARISON_LABEL,
    InputRefused,
    ReadingInput,
    SavedMeanwhile,
    current_narrative,
    format_number,
    format_percent,
    indicator_summaries,
    narrative_paragraphs,
    same_period_last_year,
    save_narrative,
    save_reading,
    source_notes,
)
from tracker.statuses import scale_of
from tracker.widgets import offer_saved_version

bp = Blueprint("priorities", __name__)


for helper in (narrative_paragraphs, source_notes, format_number, format_percent):
    bp.add_app_template_global(helper)  # registered once, not on every render


def _load_priority(priority_id: int) -> Priority:
    priority = db.session.get(Priority, priority_id)
    if priority is None:
        abort(404)
    enter_version(priority.plan_version)
    return priority


def _chosen_period(periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    """The period asked for (404 if it is not one of this plan's), else the default one,
    which is None only while the plan has no periods."""
    period = chosen_period(periods, request.args.get("period"))
    if period is None and "period" in request.args:
        abort(404)
    return period


def _refuse_unless_manager(priority: Priority, attempted: str) -> None:
    refuse_unless_current(priority.plan_version, attempted)
    if not can_manage_priority(current_user, priority):
        deny_and_record(
            "priority", priority.id, f"Tried to {attempted} of a priority they do not lead"
        )


def _page_url(priority: Priority, period: ReportingPeriod | None, anchor: str) -> str:
    return url_for(
        "priorities.page",
        priority_id=priority.id,
        period=period.id if period else None,
        _anchor=anchor,
    )


@bp.route("/priorities/<int:priority_id>")
@signed_in
def page(priority_id: int) -> str:
    """A priority for a period: its status counts, context, indicators and trend."""
    priority = _load_priority(priority_id)
    periods = plan_scope().periods
    period = _chosen_period(periods)
    # The trend holds this priority's roll-up for every period, the chosen one included.
    trend_rows = trend(db.session, priority.plan_version, priority.id).for_priority(priority.id)
    row = next((r for r in trend_rows if period and r.id == period.id), None)
    return render_template(
        "priorities/page.html",
        priority=priority,
        periods=periods,
        period=period,
        row=row,
        statuses=scale_of(priority.plan_version.plan).statuses,
        narrative=current_narrative(db.session, priority, period) if period else None,
        indicators=indicator_summaries(db.session, priority),
        trend_rows=trend_rows,
        can_manage=can_manage_priority(current_user, priority),
        grant_projects=projects_supporting(db.session, priority),
        format_money=format_money,
    )


@bp.route("/priorities/<int:priority_id>/context", methods=["GET", "POST"])
@signed_in
def context(priority_id: int) -> Response:
    """Write or rewrite the priority's context narrative for a period."""
    priority = _load_priority(priority_id)
    _refuse_unless_manager(priority, "write the context")
    period = _chosen_period(plan_scope().periods)
    if period is None:
        abort(404)
    narrative = current_narrative(db.session, priority, period)
    form = NarrativeForm()
    if request.method == "GET" and narrative is not None:
        form.body.data = narrative.body
        form.sources.data = narrative.sources
        form.version.data = narrative.version
    conflict = None
    if form.validate_on_submit():
        try:
            save_narrative(
                db.session,
                priority,
                period,
                current_user,
                body=form.body.data or "",
                sources=form.sources.data or "",
                loaded_version=form.version.data,
            )
            db.session.commit()
        except InputRefused as refusal:
            getattr(form, refusal.field).errors = [str(refusal)]
        except SavedMeanwhile as caught:
            conflict = caught
            offer_saved_version(form, caught.current.version if caught.current else None)
        else:
            flash(f"Context for {period.name} saved.", "success")
            browser_session["saved_draft"] = f"context-{priority.id}-{period.id}-"
            return redirect(_page_url(priority, period, "context"), code=303)
    status = 409 if conflict else (422 if form.errors else 200)
    return make_response(
        render_template(
            "priorities/context_form.html",
            form=form,
            priority=priority,
            period=period,
            conflict=conflict,
            locked=locked_message(db.session, period, "context") if period.is_locked else None,
        ),
        status,
    )


@bp.route("/indicators/<int:indicator_id>/readings/new", methods=["GET", "POST"])
@signed_in
def new_reading(indicator_id: int) -> Response:
    """Record an indicator's value for a period."""
    return _reading_form(_load_indicator(indicator_id), None)


@bp.route("/indicators/<int:indicator_id>/readings/<int:reading_id>", methods=["GET", "POST"])
@signed_in
def edit_reading(indicator_id: int, reading_id: int) -> Response:
    """Correct an indicator's value for a period."""
    indicator = _load_indicator(indicator_id)
    reading = db.session.get(IndicatorValue, reading_id)
    if reading is None or reading.indicator_id != indicator.id:
        abort(404)
    return _reading_form(indicator, reading)


def _load_indicator(indicator_id: int) -> Indicator:
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    enter_version(indicator.priority.plan_version)
    return indicator


def _reading_form(indicator: Indicator, reading: IndicatorValue | None) -> Response:
    priority = indicator.priority
    _refuse_unless_manager(priority, "record an indicator value")
    periods = plan_scope().periods
    form = ReadingForm()
    form.period.choices = [
        (str(p.id), f"{p.name} (closed)" if p.is_locked else p.name) for p in periods
    ]
    if request.method == "GET":
        if reading is not None:
            form.period.data = str(reading.period_id)
            form.value.data = f"{reading.value.normalize():f}"
            if reading.comparison_value is not None:
                form.comparison_value.data = f"{reading.comparison_value.normalize():f}"
            form.comparison_label.data = reading.comparison_label
            form.note.data = reading.note
            form.version.data = reading.version
        else:
            period = _chosen_period(periods)
            form.period.data = str(period.id) if period else None
            last_year = same_period_last_year(db.session, indicator, period) if period else None
            if last_year is not None:  # offered, not forced: the lead can change or clear it
                form.comparison_value.data = f"{last_year.value.normalize():f}"
                form.comparison_label.data = DEFAULT_COMPARISON_LABEL
    conflict = None
    if form.validate_on_submit():
        entered = ReadingInput(
            period_id=record_id_or_none(form.period.data),
            value=form.value.data or "",
            comparison_value=form.comparison_value.data or "",
            comparison_label=form.comparison_label.data or "",
            note=form.note.data or "",
        )
        try:
            saved = save_reading(
                db.session,
                indicator,
                current_user,
                entered,
                existing=reading,
                loaded_version=form.version.data,
            )
            db.session.commit()
        except InputRefused as refusal:
            getattr(form, refusal.field).errors = [str(refusal)]
        except SavedMeanwhile as caught:
            conflict = caught
            offer_saved_version(form, caught.current.version if caught.current else None)
        else:
            flash(f"{indicator.name}: value for {saved.period.name} saved.", "success")
            return redirect(
                _page_url(priority, saved.period, f"indicator-{indicator.id}"), code=303
            )
    status = 409 if conflict else (422 if form.errors else 200)
    return make_response(
        render_template(
            "priorities/reading_form.html",
            form=form,
            indicator=indicator,
            priority=priority,
            reading=reading,
            conflict=conflict,
        ),
        status,
    )
