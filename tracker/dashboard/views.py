"""The roll-up page and its JSON twin."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select, bindparam, select
from werkzeug.wrappers import Response

from tracker.arguments import record_id
from tracker.auth.access import signed_in
from tracker.dashboard.cache import (
    conditional,
    entity_tag,
    kept,
    revalidate_each_time,
    rollup_key,
)
from tracker.dashboard.charts import stacked_bars
from tracker.dashboard.services import (
    DrillFilters,
    actions_in_rollup,
    chosen_period,
    count_in_rollup,
    rollup,
    trend,
    what_moved,
)
from tracker.extensions import db
from tracker.htmx import render_page_or_partial
from tracker.models import Action, Organisation, Priority, ReportingPeriod, Theme
from tracker.paging import first_row, page_count
from tracker.plans.scope import PlanScope, no_periods_yet, plan_scope
from tracker.reports.content import RECOVERY_LABEL, updated_of
from tracker.statuses import (
    NO_UPDATE_TEXT,
    STATUS_LABELS,
    definitions_of,
    scale_of,
)

bp = Blueprint("dashboard", __name__)
bp.add_app_template_global(stacked_bars)


@bp.record_once
def _share_status_wording(state: BlueprintSetupState) -> None:
    """The words for each status, in one place for every template and export."""
    state.app.jinja_env.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        NO_UPDATE_TEXT=NO_UPDATE_TEXT,
        RECOVERY_LABEL=RECOVERY_LABEL,
        updated_of=updated_of,
        scale_of=scale_of,
        definitions_of=definitions_of,
    )


# "What moved" lists longer than this show their first entries and a link to the rest: a
# meeting reads the top of the list, and a plan of thousands should not render thousands.
MOVED_LIMIT = 25


# The "What moved" lists a page can be asked to show in full.
MOVED_LISTS = ("changed", "completed", "added", "gone-quiet")


def _period_from_request(scope: PlanScope) -> ReportingPeriod:
    period = chosen_period(scope.periods, request.args.get("period"))
    if period is None:
        abort(404)  # no such period in this plan version, or none at all yet
    return period


@bp.route("/plans/<int:plan_id>/rollup")
@signed_in
def rollup_page() -> Response | str:
    """Priorities and themes × statuses for a reporting period, with overall status.

    The body is kept until the plan changes (tracker.dashboard.cache); the page around it,
    which says who is signed in, is drawn for each request."""
    if (empty := no_periods_yet("Roll-up")) is not None:
        return empty
    scope = plan_scope()
    period = _period_from_request(scope)
    show_all = request.args.get("moved") if request.args.get("moved") in MOVED_LISTS else None
    key = rollup_key(scope, period, "page", current_user.role, show_all)
    tag = entity_tag(key, per_person=True)
    if (not_modified := conditional(tag)) is not None:
        return not_modified

    def draw_body() -> bytes:
        result = rollup(db.session, scope.version, period)
        return render_template(
            "dashboard/_rollup_body.html",
            rollup=result,
            periods=scope.periods,
            statuses=scale_of(result.version.plan).statuses,
            moved=what_moved(db.session, result.version, result.period),
            moved_limit=MOVED_LIMIT,
            show_all_moved=show_all,
        ).encode()

    # Our own template's output, escaped as it was drawn.
    body = Markup(kept(key, draw_body).decode())  # noqa: S704  # nosec B704
    page = render_template("dashboard/rollup.html", body=body, period_name=period.name)
    return revalidate_each_time(make_response(page), tag)


@bp.route("/plans/<int:plan_id>/rollup/trend")
@signed_in
def trend_page() -> str:
    """The RAG mix of every reporting period, overall and for each priority."""
    version = plan_scope().version
    return render_template(
        "dashboard/trend.html",
        version=version,
        trend=trend(db.session, version),
        statuses=scale_of(version.plan).statuses,
    )


# A drill-down shows this many actions a page: enough to read in a meeting, and a page
# that stays quick to draw however many actions a count stands for.
DRILL_PAGE_SIZE = 50


@bp.route("/plans/<int:plan_id>/rollup/actions")
@signed_in
def drilldown() -> Response | str:
    """The actions behind a roll-up count, with their progress text; filters combine, and
    a long list comes a page at a time, its heading still counting every action."""
    if (empty := no_periods_yet("Roll-up")) is not None:
        return empty
    scope = plan_scope()
    version, period = scope.version, _period_from_request(scope)
    statuses = scale_of(version.plan).statuses
    status = request.args.get("status")
    filters = DrillFilters(
        priority_id=request.args.get("priority", type=record_id),
        theme_id=request.args.get("theme", type=record_id),
        organisation_id=request.args.get("organisation", type=record_id),
        status=status if status in statuses else None,
    )
    total = count_in_rollup(db.session, version, period, filters)
    pages = page_count(total, DRILL_PAGE_SIZE)
    page = request.args.get("page", 1, type=record_id) or 1
    if page > pages:
        abort(404, description=f"There is no page {page} of these actions: there are {pages}.")
    rows = actions_in_rollup(
        db.session,
        version,
        period,
        filters,
        limit=DRILL_PAGE_SIZE,
        offset=first_row(page, DRILL_PAGE_SIZE),
    )
    organisations = db.session.scalars(_owners_in_version(), {"version_id": version.id}).all()
    return render_page_or_partial(
        "dashboard/drilldown.html",
        "dashboard/_drilldown.html",
        version=version,
        period=period,
        priorities=_in_plan_order(Priority, version.id),
        themes=_in_plan_order(Theme, version.id),
        rows=rows,
        total=total,
        page_number=page,
        pages=pages,
        first_shown=(page - 1) * DRILL_PAGE_SIZE + 1,
        filters=filters,
        statuses=statuses,
        organisations=organisations,
    )


# The drill-down's choice lists, built once per process: building them cost more than
# running them.


@cache
def _owners_in_version() -> Select[Organisation]:
    """Organisations are shared by every plan; offer those that own an action in this one."""
    return (
        select(Organisation)
        .where(
            Organisation.id.in_(
                select(Action.owner_organisation_id)
                .join(Priority, Priority.id == Action.priority_id)
                .where(Priority.plan_version_id == bindparam("version_id"))
            )
        )
        .order_by(Organisation.name)
    )


def _in_plan_order(model: type[Priority] | type[Theme], version_id: int) -> list[Any]:
    """The version's priorities (or themes) still in the plan, as the roll-up lists them."""
    statement = _in_plan_order_statement(model.__name__)
    return list(db.session.scalars(statement, {"version_id": version_id}))


@cache
def _in_plan_order_statement(model_name: str) -> Select[Any]:
    model: type[Priority] | type[Theme] = Priority if model_name == "Priority" else Theme
    return (
        select(model)
        .where(model.plan_version_id == bindparam("version_id"), model.retired_at.is_(None))
        .order_by(model.position, model.id)
    )


@bp.route("/api/v1/plans/<int:plan_id>/rollup")
@signed_in
def rollup_json() -> Response:
    """The same numbers as the roll-up page, for other tools; kept as the page is."""
    scope = plan_scope()
    period = _period_from_request(scope)
    key = rollup_key(scope, period, "json")
    tag = entity_tag(key, per_person=False)
    if (not_modified := conditional(tag)) is not None:
        return not_modified

    def draw() -> bytes:
        return current_app.json.dumps(rollup(db.session, scope.version, period).as_dict()).encode()

    response = Response(kept(key, draw), mimetype="application/json")
    return revalidate_each_time(response, tag)
