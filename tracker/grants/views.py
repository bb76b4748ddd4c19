"""The grants page (everyone signed in reads it) and the coordinators' forms for a year's
grant and its projects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from tracker.auth.access import roles, signed_in
from tracker.extensions import db
from tracker.grants.forms import PotForm, ProjectForm
from tracker.grants.services import (
    financial_year_of,
    format_money,
    over_allocation,
    pots_for,
    totals_of,
)
from tracker.models import GrantPot, GrantProject, GrantStatus, Priority, Role
from tracker.plans.scope import enter_plan, plan_scope
from tracker.reminders.services import local_today
from tracker.widgets import offer_saved_version

bp = Blueprint("grants", __name__)

CHANGED_MEANWHILE = (
    "Someone else saved this while you were editing: nothing was saved. Their version is "
    "below in the list; save again to replace it with yours."
)


@bp.route("/plans/<int:plan_id>/grants")
@signed_in
def index() -> str:
    pots = pots_for(db.session, plan_scope().plan)
    return render_template(
        "grants/index.html",
        pots=[(pot, totals_of(pot)) for pot in pots],
        can_edit=current_user.role == Role.COORDINATOR.value,
        format_money=format_money,
    )


@bp.route("/plans/<int:plan_id>/grants/new", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def new_pot() -> Response | tuple[str, int]:
    form = PotForm()
    if request.method == "GET":
        form.financial_year.data = financial_year_of(local_today())
    if form.validate_on_submit() and _funder_free(form, None):
        pot = GrantPot(plan=plan_scope().plan)
        _fill_pot(pot, form)
        db.session.add(pot)
        db.session.commit()
        flash(f"Grant from {pot.funder} for {pot.financial_year} added.", "success")
        return redirect(url_for("grants.index", _anchor=f"grant-{pot.id}"), code=303)
    return render_template("grants/pot_form.html", form=form, pot=None), _status(form)


@bp.route("/grants/<int:pot_id>/edit", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def edit_pot(pot_id: int) -> Response | tuple[str, int]:
    pot = _pot_or_404(pot_id)
    form = PotForm(obj=pot) if request.method == "GET" else PotForm()
    conflict = None
    if form.validate_on_submit() and _funder_free(form, pot) and _covers_allocations(form, pot):
        if form.version.data != pot.version:
            conflict = CHANGED_MEANWHILE
        else:
            _fill_pot(pot, form)
            if _saved(pot):
                flash(f"Grant from {pot.funder} for {pot.financial_year} saved.", "success")
                return redirect(url_for("grants.index", _anchor=f"grant-{pot.id}"), code=303)
            conflict = CHANGED_MEANWHILE
        offer_saved_version(form, pot.version)
    page = render_template("grants/pot_form.html", form=form, pot=pot, conflict=conflict)
    return page, 409 if conflict else _status(form)


@bp.route("/grants/<int:pot_id>/projects/new", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def new_project(pot_id: int) -> Response | tuple[str, int]:
    pot = _pot_or_404(pot_id)
    return _project_form(pot, None)


@bp.route("/grants/projects/<int:project_id>/edit", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def edit_project(project_id: int) -> Response | tuple[str, int]:
    project = db.session.get(GrantProject, project_id)
    if project is None:
        abort(404)
    enter_plan(project.pot.plan_id)
    return _project_form(project.pot, project)


def _project_form(pot: GrantPot, project: GrantProject | None) -> Response | tuple[str, int]:
    if request.method == "GET":
        form = ProjectForm(obj=project)
        if project is not None:
            form.priorities.data = [priority.id for priority in project.priorities]
    else:
        form = ProjectForm()
    choices = _priority_choices(project)
    form.priorities.choices = [(priority.id, priority.name) for priority in choices]
    conflict = None
    asks_reason = bool(project and project.over_allocation_reason)
    if form.validate_on_submit():
        over = over_allocation(pot, project, _amount(form), GrantStatus(form.status.data))
        reason = (form.over_allocation_reason.data or "").strip()
        if over and not reason:
            asks_reason = True
            form.over_allocation_reason.errors = [
                f"This allocates {format_money(over)} more than the {format_money(pot.amount)} "
                "grant. Say why the working group agreed it, or lower the amount"
            ]
        elif project is not None and form.version.data != project.version:
            conflict = CHANGED_MEANWHILE
            offer_saved_version(form, project.version)
        else:
            saving = project or GrantProject(pot=pot)
            _fill_project(saving, form, [p for p in choices if p.id in form.priorities.data])
            saving.over_allocation_reason = reason if over else ""
            db.session.add(saving)
            if _saved(saving):
                flash(f"Project {saving.name} saved.", "success")
                return redirect(url_for("grants.index", _anchor=f"grant-{pot.id}"), code=303)
            conflict = CHANGED_MEANWHILE
            offer_saved_version(form, saving.version)
    page = render_template(
        "grants/project_form.html",
        form=form,
        pot=pot,
        project=project,
        totals=totals_of(pot),
        asks_reason=asks_reason,
        conflict=conflict,
        format_money=format_money,
    )
    return page, 409 if conflict else _status(form)


def _priority_choices(project: GrantProject | None) -> list[Priority]:
    """The plan's current priorities, and any older ones the project already supports."""
    scope = plan_scope()
    version = scope.current or scope.version
    current = list(
        db.session.scalars(
            select(Priority)
            .where(Priority.plan_version_id == version.id, Priority.retired_at.is_(None))
            .order_by(Priority.position, Priority.id)
        )
    )
    earlier = [p for p in (project.priorities if project else []) if p not in current]
    return current + earlier


def _fill_pot(pot: GrantPot, form: PotForm) -> None:
    pot.funder = form.funder.data.strip()
    pot.financial_year = form.financial_year.data.strip()
    pot.amount = _amount(form)
    pot.notes = (form.notes.data or "").strip()


def _fill_project(project: GrantProject, form: ProjectForm, priorities: list[Priority]) -> None:
    project.name = form.name.data.strip()
    project.amount = _amount(form)
    project.status = form.status.data
    project.priorities = priorities
    project.lead_organisation = (form.lead_organisation.data or "").strip()
    project.start_date = form.start_date.data
    project.end_date = form.end_date.data
    project.achieved = (form.achieved.data or "").strip()
    project.reach = form.reach.data
    project.reach_measure = (
        (form.reach_measure.data or "").strip() if form.reach.data is not None else ""
    )


def _funder_free(form: PotForm, pot: GrantPot | None) -> bool:
    """One grant per funder a year: a second is an error on the funder."""
    same = db.session.scalar(
        select(GrantPot).where(
            GrantPot.plan_id == plan_scope().plan.id,
            GrantPot.funder == form.funder.data.strip(),
            GrantPot.financial_year == form.financial_year.data.strip(),
        )
    )
    if same is not None and same is not pot:
        form.funder.errors = [
            f"There is already a grant from {same.funder} for {same.financial_year}: edit that one"
        ]
        return False
    return True


def _covers_allocations(form: PotForm, pot: GrantPot) -> bool:
    allocated = totals_of(pot).allocated
    if _amount(form) < allocated:
        form.amount.errors = [
            f"The grant cannot be less than the {format_money(allocated)} already allocated to "
            "approved and delivered projects"
        ]
        return False
    return True


def _saved(record: Any) -> bool:
    """Commit, unless the row changed since it was loaded (then nothing is written)."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


def _pot_or_404(pot_id: int) -> GrantPot:
    pot = db.session.get(GrantPot, pot_id)
    if pot is None:
        abort(404)
    enter_plan(pot.plan_id)
    return pot


def _amount(form: PotForm | ProjectForm) -> Decimal:
    """The amount typed, once the form has validated (it is required)."""
    assert form.amount.data is not None
    return form.amount.data


def _status(form: Any) -> int:
    return 422 if form.errors else 200
