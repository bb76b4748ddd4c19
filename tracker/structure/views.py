"""Plan structure pages: priorities, themes and indicators of a plan's current version (or
of its draft refresh), and partner organisations. Admins and coordinators keep the structure
right; nobody else may. Last year's version is read-only (tracker.plans.versions)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.arguments import record_id_or_none
from tracker.auth.access import roles
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Indicator,
    Organisation,
    Priority,
    Role,
    Theme,
    action_theme,
)
from tracker.plans.scope import enter_version, plan_scope
from tracker.plans.versions import refuse_if_superseded
from tracker.structure.forms import (
    ConfirmForm,
    IndicatorForm,
    OrganisationForm,
    PriorityForm,
    RetireIndicatorForm,
    RetirePriorityForm,
    RetireThemeForm,
    ThemeForm,
)
from tracker.structure.services import (
    RETIRE_CHOICES,
    THEME_RETIRE_CHOICES,
    ChangedMeanwhile,
    IndicatorDetails,
    PriorityDetails,
    StructureRefused,
    ThemeDetails,
    actions_with_theme,
    active_actions_of,
    add_indicator,
    add_priority,
    add_theme,
    edit_indicator,
    edit_priority,
    edit_theme,
    lead_candidates,
    move_indicator,
    move_priority,
    move_theme,
    priorities_in_use,
    rename_organisation,
    retire_indicator,
    retire_priority,
    retire_theme,
    sign_off_candidates,
    themes_in_use,
)
from tracker.widgets import offer_saved_version

bp = Blueprint("structure", __name__)

STRUCTURE_EDITORS = (Role.ADMIN, Role.COORDINATOR)


def _in_current_version(record: Priority | Theme) -> None:
    """Enter the record's plan version; one that has been replaced cannot change."""
    enter_version(record.plan_version)
    refuse_if_superseded(record.plan_version, "change the plan's structure")


def _load(model: Any, record_id: int) -> Any:
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    _in_current_version(record.priority if isinstance(record, Indicator) else record)
    return record


def _ids(values: list[str] | None) -> tuple[int, ...]:
    return tuple(
        record for record in (record_id_or_none(value) for value in values or []) if record
    )


def _structure_url(anchor: str) -> str:
    return url_for("structure.index", _anchor=anchor)


def _form_response(
    template: str, form: FlaskForm, conflict: Any = None, **context: Any
) -> Response:
    """The form again: 409 after a conflict, 422 with errors, 200 when first shown."""
    status = 409 if conflict is not None else (422 if form.errors else 200)
    return make_response(render_template(template, form=form, conflict=conflict, **context), status)


@dataclass(frozen=True)
class Outcome:
    """What became of a submitted form: saved (with what the service returned), refused
    (the message is on the form), or beaten by someone else's save (`conflict`)."""

    saved: bool
    value: Any = None
    conflict: Any = None


def _save(form: FlaskForm, save: Callable[[], Any]) -> Outcome:
    """Run a service call for a submitted form and commit it, or note why not."""
    try:
        value = save()
        db.session.commit()
    except StructureRefused as refusal:
        db.session.rollback()
        getattr(form, refusal.field).errors = [str(refusal)]
        return Outcome(saved=False)
    except ChangedMeanwhile as caught:
        offer_saved_version(form, caught.current.version)
        return Outcome(saved=False, conflict=caught.current)
    return Outcome(saved=True, value=value)


# --- The structure page ----------------------------------------------------------------------


@bp.route("/plans/<int:plan_id>/structure")
@roles(*STRUCTURE_EDITORS)
def index() -> str:
    """Every priority, theme and indicator of the plan's current version, in order."""
    version = plan_scope().version
    refuse_if_superseded(version, "change the plan's structure")
    priorities = db.session.scalars(
        select(Priority)
        .where(Priority.plan_version_id == version.id)
        .options(selectinload(Priority.leads), selectinload(Priority.predecessors))
        .order_by(Priority.position, Priority.id)
    ).all()
    themes = db.session.scalars(
        select(Theme)
        .where(Theme.plan_version_id == version.id)
        .options(selectinload(Theme.predecessors))
        .order_by(Theme.position, Theme.id)
    ).all()
    indicators = db.session.scalars(
        select(Indicator)
        .join(Priority)
        .where(Priority.plan_version_id == version.id)
        .order_by(Priority.position, Indicator.position, Indicator.id)
    ).all()
    active = Action.state == ActionState.ACTIVE.value
    per_priority: Counter[int] = Counter(
        dict(
            db.session.execute(
                select(Action.priority_id, func.count())
                .join(Priority)
                .where(Priority.plan_version_id == version.id, active)
                .group_by(Action.priority_id)
            ).all()
        )
    )
    per_theme: Counter[int] = Counter(
        dict(
            db.session.execute(
                select(action_theme.c.theme_id, func.count())
                .join(Action, Action.id == action_theme.c.action_id)
                .join(Theme, Theme.id == action_theme.c.theme_id)
                .where(Theme.plan_version_id == version.id, active)
                .group_by(action_theme.c.theme_id)
            ).all()
        )
    )
    return render_template(
        "structure/index.html",
        version=version,
        priorities=priorities,
        themes=themes,
        indicators=indicators,
        actions_per_priority=per_priority,
        actions_per_theme=per_theme,
        button=ConfirmForm(),
    )


# --- Priorities ------------------------------------------------------------------------------


def _predecessor_choices(
    form: PriorityForm | ThemeForm, model: Any, record: Priority | Theme | None
) -> None:
    """In a draft refresh, what a priority or theme continues can be chosen from those of
    the version being refreshed; elsewhere the field is not offered."""
    version = plan_scope().version
    if not version.is_draft:
        form.predecessors.choices = []
        return
    form.predecessors.choices = [
        SelectChoice(str(old.id), old.name)
        for old in db.session.scalars(
            select(model)
            .where(model.plan_version_id == version.based_on_id, model.retired_at.is_(None))
            .order_by(model.position, model.id)
        )
    ]
    if record is not None and request.method == "GET":
        form.predecessors.data = [str(old.id) for old in record.predecessors]


def _chosen_predecessors(form: PriorityForm | ThemeForm) -> tuple[int, ...] | None:
    return _ids(form.predecessors.data) if plan_scope().version.is_draft else None


def _priority_form(priority: Priority | None) -> PriorityForm:
    form = PriorityForm()
    form.leads.choices = [
        SelectChoice(str(user.id), f"{user.name} ({user.email})")
        for user in lead_candidates(db.session)
    ]
    form.sign_off_by.choices = [SelectChoice("", "Only the coordinators")] + [
        SelectChoice(str(user.id), f"{user.name} ({user.email})")
        for user in sign_off_candidates(db.session)
    ]
    _predecessor_choices(form, Priority, priority)
    if priority is not None and request.method == "GET":
        form.sign_off_by.data = str(priority.sign_off_by_id or "")
        form.name.data = priority.name
        form.description.data = priority.description
        form.includes.data = priority.includes
        form.lead_role.data = priority.lead_role
        form.leads.data = [str(user.id) for user in priority.leads]
        form.version.data = priority.version
    return form


def _priority_details(form: PriorityForm) -> PriorityDetails:
    return PriorityDetails(
        name=form.name.data or "",
        description=form.description.data or "",
        includes=form.includes.data or "",
        lead_role=form.lead_role.data or "",
        lead_ids=_ids(form.leads.data),
        sign_off_by_id=record_id_or_none(form.sign_off_by.data),
        predecessor_ids=_chosen_predecessors(form),
    )


@bp.route("/plans/<int:plan_id>/structure/priorities/new", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def new_priority() -> Response:
    version = plan_scope().version
    refuse_if_superseded(version, "change the plan's structure")
    form = _priority_form(None)
    if form.validate_on_submit():
        outcome = _save(form, lambda: add_priority(db.session, version, _priority_details(form)))
        if outcome.saved:
            flash(f"Added the priority {outcome.value.name}.", "success")
            return redirect(_structure_url(f"priority-{outcome.value.id}"), code=303)
    return _form_response("structure/priority_form.html", form, priority=None)


@bp.route("/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def edit_priority_page(priority_id: int) -> Response:
    priority = _load(Priority, priority_id)
    form = _priority_form(priority)
    conflict = None
    if form.validate_on_submit():
        outcome = _save(
            form,
            lambda: edit_priority(db.session, priority, _priority_details(form), form.version.data),
        )
        conflict = outcome.conflict
        if outcome.saved:
            flash(f"Saved the priority {priority.name}.", "success")
            return redirect(_structure_url(f"priority-{priority.id}"), code=303)
    return _form_response(
        "structure/priority_form.html", form, conflict=conflict, priority=priority
    )


def _move(record: Any, move: Any, anchor: str) -> Response:
    direction = request.form.get("direction")
    if not ConfirmForm().validate_on_submit() or direction not in {"up", "down"}:
        abort(400)
    if move(db.session, record, direction):
        db.session.commit()
        flash(f"Moved {record.name} {direction}.", "success")
    else:
        flash(
            f"{record.name} is already at the {'top' if direction == 'up' else 'bottom'}.", "info"
        )
    return redirect(_structure_url(anchor), code=303)


@bp.route("/priorities/<int:priority_id>/move", methods=["POST"])
@roles(*STRUCTURE_EDITORS)
def move_priority_page(priority_id: int) -> Response:
    priority = _load(Priority, priority_id)
    return _move(priority, move_priority, f"priority-{priority.id}")


@bp.route("/priorities/<int:priority_id>/retire", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def retire_priority_page(priority_id: int) -> Response:
    """Retire a priority, first deciding what happens to its active actions."""
    priority = _load(Priority, priority_id)
    actions = active_actions_of(db.session, priority)
    others = [p for p in priorities_in_use(db.session, priority.plan_version) if p != priority]
    form = RetirePriorityForm()
    form.what_happens.choices = [
        SelectChoice(key, label) for key, label in RETIRE_CHOICES.items() if key != "move" or others
    ]
    form.move_to.choices = [SelectChoice("", "Choose a priority")] + [
        SelectChoice(str(p.id), p.name) for p in others
    ]
    if request.method == "GET":
        form.version.data = priority.version
    conflict = None
    if form.validate_on_submit():
        move_to_id = record_id_or_none(form.move_to.data)
        outcome = _save(
            form,
            lambda: retire_priority(
                db.session,
                priority,
                loaded_version=form.version.data,
                what_happens=form.what_happens.data,
                move_to=db.session.get(Priority, move_to_id) if move_to_id else None,
            ),
        )
        conflict = outcome.conflict
        if outcome.saved:
            how = "moved" if form.what_happens.data == "move" else "closed as business as usual"
            moved = f" Its {outcome.value} active actions were {how}." if outcome.value else ""
            flash(f"Retired the priority {priority.name}.{moved}", "success")
            return redirect(_structure_url("retired-priorities"), code=303)
    return _form_response(
        "structure/retire_priority.html",
        form,
        conflict=conflict,
        priority=priority,
        actions=actions,
    )


# --- Themes ----------------------------------------------------------------------------------


def _theme_form(theme: Theme | None) -> ThemeForm:
    form = ThemeForm()
    _predecessor_choices(form, Theme, theme)
    if theme is not None and request.method == "GET":
        form.name.data = theme.name
        form.description.data = theme.description
        form.version.data = theme.version
    return form


def _theme_details(form: ThemeForm) -> ThemeDetails:
    return ThemeDetails(
        name=form.name.data or "",
        description=form.description.data or "",
        predecessor_ids=_chosen_predecessors(form),
    )


@bp.route("/plans/<int:plan_id>/structure/themes/new", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def new_theme() -> Response:
    version = plan_scope().version
    refuse_if_superseded(version, "change the plan's structure")
    form = _theme_form(None)
    if form.validate_on_submit():
        outcome = _save(form, lambda: add_theme(db.session, version, _theme_details(form)))
        if outcome.saved:
            flash(f"Added the theme {outcome.value.name}.", "success")
            return redirect(_structure_url(f"theme-{outcome.value.id}"), code=303)
    return _form_response("structure/theme_form.html", form, theme=None)


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def edit_theme_page(theme_id: int) -> Response:
    theme = _load(Theme, theme_id)
    form = _theme_form(theme)
    conflict = None
    if form.validate_on_submit():
        outcome = _save(
            form, lambda: edit_theme(db.session, theme, _theme_details(form), form.version.data)
        )
        conflict = outcome.conflict
        if outcome.saved:
            flash(f"Saved the theme {theme.name}.", "success")
            return redirect(_structure_url(f"theme-{theme.id}"), code=303)
    return _form_response("structure/theme_form.html", form, conflict=conflict, theme=theme)


@bp.route("/themes/<int:theme_id>/move", methods=["POST"])
@roles(*STRUCTURE_EDITORS)
def move_theme_page(theme_id: int) -> Response:
    theme = _load(Theme, theme_id)
    return _move(theme, move_theme, f"theme-{theme.id}")


@bp.route("/themes/<int:theme_id>/retire", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def retire_theme_page(theme_id: int) -> Response:
    """Retire a theme, first deciding whether its actions take another theme instead."""
    theme = _load(Theme, theme_id)
    actions = actions_with_theme(db.session, theme)
    others = [t for t in themes_in_use(db.session, theme.plan_version) if t != theme]
    form = RetireThemeForm()
    form.what_happens.choices = [
        SelectChoice(key, label)
        for key, label in THEME_RETIRE_CHOICES.items()
        if key != "replace" or others
    ]
    form.replace_with.choices = [SelectChoice("", "Choose a theme")] + [
        SelectChoice(str(t.id), t.name) for t in others
    ]
    if request.method == "GET":
        form.version.data = theme.version
    conflict = None
    if form.validate_on_submit():
        replace_id = record_id_or_none(form.replace_with.data)
        outcome = _save(
            form,
            lambda: retire_theme(
                db.session,
                theme,
                loaded_version=form.version.data,
                what_happens=form.what_happens.data,
                replace_with=db.session.get(Theme, replace_id) if replace_id else None,
            ),
        )
        conflict = outcome.conflict
        if outcome.saved:
            flash(f"Retired the theme {theme.name}.", "success")
            return redirect(_structure_url("retired-themes"), code=303)
    return _form_response(
        "structure/retire_theme.html", form, conflict=conflict, theme=theme, actions=actions
    )


# --- Indicators ------------------------------------------------------------------------------


def _indicator_form(indicator: Indicator | None) -> IndicatorForm:
    form = IndicatorForm()
    form.priority.choices = [SelectChoice("", "Choose a priority")] + [
        SelectChoice(str(p.id), p.name) for p in priorities_in_use(db.session, plan_scope().version)
    ]
    if request.method == "GET":
        if indicator is None:
            form.priority.data = request.args.get("priority", "")
        else:
            form.name.data = indicator.name
            form.priority.data = str(indicator.priority_id)
            form.unit.data = indicator.unit
            form.polarity.data = indicator.polarity
            form.source.data = indicator.source
            form.version.data = indicator.version
    return form


def _indicator_details(form: IndicatorForm) -> IndicatorDetails:
    return IndicatorDetails(
        name=form.name.data or "",
        unit=form.unit.data or "",
        polarity=form.polarity.data,
        source=form.source.data or "",
        priority_id=record_id_or_none(form.priority.data),
    )


@bp.route("/plans/<int:plan_id>/structure/indicators/new", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def new_indicator() -> Response:
    version = plan_scope().version
    refuse_if_superseded(version, "change the plan's structure")
    form = _indicator_form(None)
    if form.validate_on_submit():
        outcome = _save(form, lambda: add_indicator(db.session, version, _indicator_details(form)))
        if outcome.saved:
            flash(f"Added the indicator {outcome.value.name}.", "success")
            return redirect(_structure_url(f"indicator-{outcome.value.id}"), code=303)
    return _form_response("structure/indicator_form.html", form, indicator=None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def edit_indicator_page(indicator_id: int) -> Response:
    indicator = _load(Indicator, indicator_id)
    form = _indicator_form(indicator)
    conflict = None
    if form.validate_on_submit():
        outcome = _save(
            form,
            lambda: edit_indicator(
                db.session, indicator, _indicator_details(form), form.version.data
            ),
        )
        conflict = outcome.conflict
        if outcome.saved:
            flash(f"Saved the indicator {indicator.name}.", "success")
            return redirect(_structure_url(f"indicator-{indicator.id}"), code=303)
    return _form_response(
        "structure/indicator_form.html", form, conflict=conflict, indicator=indicator
    )


@bp.route("/indicators/<int:indicator_id>/move", methods=["POST"])
@roles(*STRUCTURE_EDITORS)
def move_indicator_page(indicator_id: int) -> Response:
    indicator = _load(Indicator, indicator_id)
    return _move(indicator, move_indicator, f"indicator-{indicator.id}")


@bp.route("/indicators/<int:indicator_id>/retire", methods=["GET", "POST"])
@roles(*STRUCTURE_EDITORS)
def retire_indicator_page(indicator_id: int) -> Response:
    """Retire an indicator after confirming; its readings stay."""
    indicator = _load(Indicator, indicator_id)
    form = RetireIndicatorForm()
    if request.method == "GET":
        form.version.data = indicator.version
    conflict = None
    if form.validate_on_submit():
        outcome = _save(form, lambda: retire_indicator(db.session, indicator, form.version.data))
        conflict = outcome.conflict
        if outcome.saved:
            flash(f"Retired the indicator {indicator.name}. Its readings are kept.", "success")
            return redirect(_structure_url("indicators"), code=303)
    return _form_response(
        "structure/retire_indicator.html", form, conflict=conflict, indicator=indicator
    )


# --- Organisations ---------------------------------------------------------------------------


@bp.route("/admin/organisations/<int:organisation_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_organisation(organisation_id: int) -> Response:
    """Rename a partner agency; every plan, action and paper from then on shows the new name."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    form = OrganisationForm()
    if request.method == "GET":
        form.name.data = organisation.name
        form.short_name.data = organisation.short_name
        form.version.data = organisation.version
    conflict = None
    if form.validate_on_submit():
        outcome = _save(
            form,
            lambda: rename_organisation(
                db.session,
                organisation,
                name=form.name.data or "",
                short_name=form.short_name.data or "",
                loaded_version=form.version.data,
            ),
        )
        conflict = outcome.conflict
        if outcome.saved:
            flash(f"Saved {organisation.name}.", "success")
            return redirect(url_for("admin.organisation_list"), code=303)
    return _form_response(
        "structure/organisation_form.html", form, conflict=conflict, organisation=organisation
    )
