"""Actions: a lead's own list, updating in place, the action page, and managing actions."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.actions.cards import action_card
from tracker.actions.forms import ActionForm, UpdateForm
from tracker.actions.services import (
    ActionDetails,
    EditConflict,
    UpdateRefused,
    action_timeline,
    change_state,
    create_action,
    edit_action,
    latest_update,
    move_action,
    open_period_for,
    record_update,
)
from tracker.arguments import record_id, record_id_or_none
from tracker.auth.access import deny_and_record, signed_in
from tracker.auth.permissions import (
    can_edit_action,
    can_manage_priority,
    editable_action_ids,
    edits_every_action,
)
from tracker.dashboard.cache import kept
from tracker.database import commit_keeping_loaded_objects
from tracker.extensions import db
from tracker.htmx import render_page_or_partial, wants_partial
from tracker.models import (
    Action,
    ActionOutcome,
    ActionState,
    Organisation,
    PlanVersion,
    Priority,
    RefreshDecision,
    ReportingPeriod,
    Role,
    Theme,
    Update,
    User,
)
from tracker.paging import first_row, page_count
from tracker.plans.scope import enter_version, plan_scope
from tracker.plans.services import (
    ActionPlace,
    ActionStatus,
    action_places,
    action_statuses,
    actions_with_theme,
)
from tracker.plans.versions import refuse_unless_current
from tracker.redirects import safe_local_path
from tracker.signoff.services import signs_off_in
from tracker.statuses import scale_of
from tracker.widgets import offer_saved_version

bp = Blueprint("actions", __name__)
bp.add_app_template_global(action_card)

# Your actions shows this many cards a page (about 40 KB of page), however many a lead has.
MY_ACTIONS_PAGE_SIZE = 50
UPDATE_SAVED_EVENT = "updateSaved"  # htmx event: pages refresh their counts when it fires
# The state changes that ask first: the question and the button that confirms.
STATES_TO_CONFIRM = {
    ActionState.COMPLETED.value: ("Mark this action complete?", "Yes, mark it complete"),
    ActionState.CLOSED.value: (
        "Close this action as business as usual?",
        "Yes, close it as business as usual",
    ),
}


def _load_action(action_id: int, *, with_details: bool = True) -> Action:
    """The action and its version; with its details (owner, themes, partners, responsible
    people) too unless the caller shows none of them when all goes well (a saved update)."""
    details = (
        [
            joinedload(Action.owner_organisation),
            selectinload(Action.themes),
            selectinload(Action.partners),
            selectinload(Action.responsible_users),
        ]
        if with_details
        else []
    )
    action = db.session.get(
        Action,
        action_id,
        options=[
            # Every caller reads the plan's settings (its RAG scale, sign-off) and stamp.
            joinedload(Action.priority)
            .joinedload(Priority.plan_version)
            .joinedload(PlanVersion.plan),
            *details,
        ],
    )
    if action is None:
        abort(404)
    enter_version(action.priority.plan_version)
    return action


def _refuse_unless_editor(action: Action, attempted: str) -> None:
    """409 for a version that takes no changes; 403 (audited) unless the signed-in user may
    change this action."""
    refuse_unless_current(action.priority.plan_version, "record updates and change actions")
    if can_edit_action(db.session, current_user, action):
        return
    deny_and_record("action", action.id, f"Tried to {attempted} an action they cannot change")


# --- My actions ------------------------------------------------------------------------


MY_ACTIONS_FILTERS = ("priority", "theme", "rag", "due")


def _kept_my_action_places(version: PlanVersion) -> list[ActionPlace]:
    """_my_action_places, kept per plan change stamp and person, as the plan page keeps its
    places: a lead of hundreds of actions pages and filters through them without every page
    reading every action's status again. Only for a request that has written nothing: the
    plan (and its stamp) was read at its start."""
    plan, person = version.plan, current_user
    places = kept(
        ("your actions", plan.id, plan.change_stamp, version.id, person.id, person.role),
        lambda: json.dumps([row.as_values() for row in _my_action_places(version)]).encode(),
    )
    return [ActionPlace.from_values(values) for values in json.loads(places)]


def _my_action_places(version: PlanVersion) -> list[ActionPlace]:
    """Every action this user may update: counted and filtered by its place alone, so that
    only a page of them is read in full (a lead may have hundreds)."""
    if edits_every_action(current_user, version):
        return action_places(db.session, version)
    return action_places(
        db.session, version, only=editable_action_ids(db.session, current_user, version.id)
    )


def _my_counts(rows: list[ActionPlace], open_period: ReportingPeriod | None) -> Counter[str]:
    """The counts box: active actions by status, those due an update, and all of them."""
    open_period_id = open_period.id if open_period else None
    counts = Counter(row.rag for row in rows if row.is_active)
    counts["due"] = sum(row.needs_update(open_period_id) for row in rows)
    counts["total"] = len(rows)
    return counts


def _filter_query() -> dict[str, Any]:
    """The filters asked for, to go back into url_for. Only the filters: a crafted
    `endpoint=` or `_external=` must not reach its own parameters."""
    return {
        key: value for key, value in request.args.items() if value and key in MY_ACTIONS_FILTERS
    }


def _my_actions_context() -> dict[str, Any]:
    scope = plan_scope()
    version = scope.version
    rows = _kept_my_action_places(version)
    open_period = scope.open_period
    open_period_id = open_period.id if open_period else None
    theme = request.args.get("theme", type=record_id)
    filters = {
        "priority": request.args.get("priority", type=record_id),
        "theme": theme,
        "rag": request.args.get("rag")
        if request.args.get("rag") in scale_of(version.plan).statuses
        else None,
        "due": request.args.get("due") == "yes",
    }
    with_theme = actions_with_theme(db.session, theme) if theme is not None else None
    shown = [
        row
        for row in rows
        if (filters["priority"] is None or row.priority_id == filters["priority"])
        and (with_theme is None or row.action_id in with_theme)
        and (filters["rag"] is None or (row.rag == filters["rag"] and row.is_active))
        and (not filters["due"] or row.needs_update(open_period_id))
    ]
    # A lead of hundreds of actions gets them a page at a time: the counts above the list
    # still cover them all. A page past the end (the list shrank as they worked) is the last.
    pages = page_count(len(shown), MY_ACTIONS_PAGE_SIZE)
    page = min(request.args.get("page", 1, type=record_id) or 1, pages)
    first = first_row(page, MY_ACTIONS_PAGE_SIZE)
    page_rows = shown[first : first + MY_ACTIONS_PAGE_SIZE]
    on_page = action_statuses(db.session, version, only=[row.action_id for row in page_rows])
    query = _filter_query()
    groups: dict[int, list[ActionStatus]] = {}
    for row in on_page:
        groups.setdefault(row.priority_id, []).append(row)
    counts = _my_counts(rows, open_period)
    return {
        "version": version,
        "groups": groups,
        "shown_count": len(shown),
        "page_number": page,
        "pages": pages,
        "first_shown": first + 1,
        "last_shown": first + len(on_page),
        "counts": counts,
        "open_period": open_period,
        "filters": filters,
        "priorities": {row.priority_id: row.priority_name for row in rows},
        "themes": db.session.scalars(_themes_in_use(), {"version_id": version.id}).all(),
        "query": query,
        "return_query": _return_query(
            url_for("actions.my_actions", **query, page=page if page > 1 else None)
        ),
        "can_edit": True,  # every action listed here is one this user may update
    }


@cache  # built once per process: building it cost more than running it
def _themes_in_use() -> Select[Theme]:
    """The version's themes still in the plan, for the theme filter."""
    return (
        select(Theme)
        .where(Theme.plan_version_id == bindparam("version_id"), Theme.retired_at.is_(None))
        .order_by(Theme.position)
    )


@bp.route("/plans/<int:plan_id>/my-actions")
@signed_in
def my_actions() -> Response:
    """The actions this user may update, grouped by priority, with filters kept in the URL."""
    context = _my_actions_context()
    version = context["version"]
    # A lead named to sign off a priority finds the waiting list from here.
    context["signs_off"] = version.plan.sign_off_required and signs_off_in(
        db.session, current_user, version
    )
    return render_page_or_partial(
        "actions/my_actions.html", "actions/_my_actions_results.html", **context
    )


@bp.route("/plans/<int:plan_id>/my-actions/counts")
@signed_in
def my_action_counts() -> str:
    """The counts box alone, refreshed after each saved update: from every action's place,
    without reading any of them in full."""
    scope = plan_scope()
    return render_template(
        "actions/_my_counts.html",
        version=scope.version,
        counts=_my_counts(_kept_my_action_places(scope.version), scope.open_period),
        query=_filter_query(),
    )


def _return_query(list_url: str) -> str:
    """The query string that brings a lead back to their list after an update saved on the
    action page (the no-JavaScript path)."""
    return urlencode({"return_to": list_url})


def _next_action_to_update(action: Action, open_period: ReportingPeriod | None) -> int | None:
    """After an update, the lead's next action still owing one for the open period, in the
    order Your actions lists them; None when none is left after it."""
    rows = _my_action_places(action.priority.plan_version)
    open_period_id = open_period.id if open_period else None
    ids = [row.action_id for row in rows]
    if action.id not in ids:
        return None
    following = rows[ids.index(action.id) + 1 :]
    return next(
        (row.action_id for row in following if row.is_active and row.needs_update(open_period_id)),
        None,
    )


def _after_saving(saved: Update, return_to: str | None) -> str:
    """Where a saved update (without htmx) goes: back where the lead came from, and on Your
    actions at their next action still owing one for the period the update was stamped with
    (the one open now: the same transaction read it); the action page otherwise."""
    action = saved.action
    back = safe_local_path(return_to)
    if back is None:
        return url_for("actions.detail", action_id=action.id)
    if urlsplit(back).path == url_for("actions.my_actions"):
        following = _next_action_to_update(action, saved.period)
        if following is not None:
            back += f"#action-{following}"
    return back


def _card(action: Action, open_period: ReportingPeriod | None, **extra: Any) -> str:
    """The action's card on the My actions page, in view mode, for the period open now."""
    rows = action_statuses(db.session, action.priority.plan_version, only=[action.id])
    if not rows:
        abort(404)  # under a retired priority: no longer on anyone's list
    row = rows[0]
    return render_template(
        "actions/_card.html",
        row=row,
        open_period=open_period,
        can_edit=True,
        return_query=_return_query(url_for("actions.my_actions")),
        **extra,
    )


def _card_form(action: Action, form: UpdateForm, **extra: Any) -> str:
    return render_template(
        "actions/_card_form.html",
        action=action,
        form=form,
        open_period=open_period_for(db.session, action),
        last_update=latest_update(db.session, action),
        **extra,
    )


@bp.route("/actions/<int:action_id>/update-form")
@signed_in
def update_form(action_id: int) -> Response | str:
    """The update form inside the action's card (htmx); without htmx, the action page."""
    action = _load_action(action_id)
    if not wants_partial():
        return redirect(
            url_for(
                "actions.detail",
                action_id=action.id,
                return_to=url_for("actions.my_actions"),
                _anchor="add-update-heading",
            )
        )
    _refuse_unless_editor(action, "open the update form of")
    form = UpdateForm(
        formdata=None,
        action_id=action.id,
        plan=action.priority.plan_version.plan,
        version=action.version,
        return_to=url_for("actions.my_actions"),
    )
    return _card_form(action, form)


@bp.route("/actions/<int:action_id>/card")
@signed_in
def card(action_id: int) -> str:
    """The card in view mode: what Cancel goes back to."""
    action = _load_action(action_id)
    _refuse_unless_editor(action, "view the card of")
    return _card(action, open_period_for(db.session, action))


# --- The action page and saving updates -------------------------------------------------


def _detail(action: Action, form: UpdateForm, status: int = 200, **extra: Any) -> Response:
    response = make_response(
        render_template(
            "actions/detail.html",
            action=action,
            form=form,
            can_edit=can_edit_action(db.session, current_user, action),
            timeline=action_timeline(db.session, action),
            open_period=open_period_for(db.session, action),
            last_update=latest_update(db.session, action),
            carried_to=db.session.scalar(
                select(Action).where(Action.carried_forward_from_id == action.id)
            ),
            left_at_refresh=db.session.execute(
                select(RefreshDecision.outcome, PlanVersion.label)
                .join(PlanVersion, PlanVersion.id == RefreshDecision.draft_version_id)
                .where(
                    RefreshDecision.action_id == action.id,
                    PlanVersion.is_draft.is_(False),
                    RefreshDecision.outcome != ActionOutcome.CARRY.value,
                )
            ).first(),
            **extra,
        ),
        status,
    )
    return response


@bp.route("/actions/<int:action_id>")
@signed_in
def detail(action_id: int) -> Response:
    action = _load_action(action_id)
    form = UpdateForm(
        formdata=None,
        action_id=action.id,
        plan=action.priority.plan_version.plan,
        version=action.version,
        return_to=safe_local_path(request.args.get("return_to")),
    )
    correcting = None
    correct_id = request.args.get("correct", type=record_id)
    if correct_id:
        correcting = db.session.get(Update, correct_id)
        if correcting is None or correcting.action_id != action.id:
            abort(404)
        form.rag.data = correcting.rag
        form.progress_text.data = correcting.progress_text
        form.mitigation_text.data = correcting.mitigation_text
        form.corrects.data = str(correcting.id)
    return _detail(action, form, correcting=correcting)


@bp.route("/actions/<int:action_id>/updates", methods=["POST"])
@signed_in
def add_update(action_id: int) -> Response | str:
    action = _load_action(action_id, with_details=False)
    _refuse_unless_editor(action, "add an update to")
    form = UpdateForm(action_id=action.id, plan=action.priority.plan_version.plan)
    in_card = wants_partial()
    if form.validate_on_submit():
        corrects = None
        if form.corrects.data:
            corrected_id = record_id_or_none(form.corrects.data)
            corrects = db.session.get(Update, corrected_id) if corrected_id else None
        try:
            saved = record_update(
                db.session,
                action,
                current_user,
                rag=form.rag.data,
                text=form.progress_text.data,
                mitigation=form.mitigation_text.data or "",
                completes=form.completes.data,
                loaded_version=form.version.data,
                corrects=corrects,
                loaded_period_id=record_id_or_none(form.period.data),
            )
            commit_keeping_loaded_objects(db.session)
        except UpdateRefused as refusal:
            getattr(form, refusal.field, form.rag).errors = [str(refusal)]
        except EditConflict as conflict:
            offer_saved_version(form, conflict.action.version)
            if in_card:
                return make_response(_card_form(action, form, conflict=conflict), 409)
            return _detail(action, form, 409, conflict=conflict)
        else:
            if in_card:
                # The period the update was stamped with is the one open now: the same
                # transaction read it, so neither this nor _after_saving reads it again.
                response = make_response(_card(action, saved.period, saved=True))
                response.headers["HX-Trigger"] = json.dumps(
                    {UPDATE_SAVED_EVENT: {"action": action.id}}
                )
                return response
            flash(
                "Update saved. It counts once a coordinator or the priority's sign-off person "
                "approves it."
                if saved.needs_sign_off
                else "Update saved.",
                "success",
            )
            session["saved_draft"] = f"update-{action.id}-"  # drafts.js forgets this draft
            return redirect(_after_saving(saved, form.return_to.data), code=303)
    if in_card:
        return make_response(_card_form(action, form), 422)
    return _detail(action, form, 422)


# --- Managing actions ------------------------------------------------------------------


def _choices_for(form: ActionForm, version: PlanVersion) -> None:
    priorities = db.session.scalars(
        select(Priority)
        .where(Priority.plan_version_id == version.id, Priority.retired_at.is_(None))
        .order_by(Priority.position)
    ).all()
    if current_user.role != Role.COORDINATOR:
        led = {priority.id for priority in current_user.led_priorities}
        priorities = [priority for priority in priorities if priority.id in led]
    form.priority.choices = [SelectChoice(str(p.id), p.name) for p in priorities]
    themes = db.session.scalars(
        select(Theme)
        .where(Theme.plan_version_id == version.id, Theme.retired_at.is_(None))
        .order_by(Theme.position)
    ).all()
    form.themes.choices = [SelectChoice(str(t.id), t.name) for t in themes]
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.owner.choices = [SelectChoice("", "Not set")] + [
        SelectChoice(str(o.id), o.name) for o in organisations
    ]
    form.partners.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
    people = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_([Role.LEAD.value, Role.COORDINATOR.value]))
        .order_by(User.name)
    ).all()
    form.responsible.choices = [SelectChoice(str(u.id), u.name) for u in people]


def _details_from(form: ActionForm) -> ActionDetails:
    def rows(model: Any, values: list[str] | None) -> list[Any]:
        ids = [int(value) for value in values or []]
        return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []

    priority = db.session.get(Priority, int(form.priority.data))
    assert priority is not None  # the form only offers existing priorities
    return ActionDetails(
        title=form.title.data or "",
        description=form.description.data or "",
        priority=priority,
        themes=rows(Theme, form.themes.data),
        owner=db.session.get(Organisation, int(form.owner.data)) if form.owner.data else None,
        partners=rows(Organisation, form.partners.data),
        responsible=rows(User, form.responsible.data),
        start_date=form.start_date.data,
        target_date=form.target_date.data,
    )


@bp.route("/priorities/<int:priority_id>/actions/new", methods=["GET", "POST"])
@signed_in
def new_action(priority_id: int) -> Response:
    priority = db.session.get(Priority, priority_id)
    if priority is None:
        abort(404)
    enter_version(priority.plan_version)
    refuse_unless_current(priority.plan_version, "add actions")
    if not can_manage_priority(current_user, priority):
        deny_and_record(
            "priority", priority.id, "Tried to add an action to a priority they do not lead"
        )
    form = ActionForm()
    _choices_for(form, priority.plan_version)
    if request.method == "GET":
        form.priority.data = str(priority.id)
    if form.validate_on_submit():
        try:
            action = create_action(db.session, _details_from(form))
            db.session.commit()
        except UpdateRefused as refusal:
            getattr(form, refusal.field).errors = [str(refusal)]
        else:
            flash("Action added.", "success")
            return redirect(url_for("actions.detail", action_id=action.id), code=303)
    status = 422 if form.errors else 200
    return make_response(
        render_template("actions/form.html", form=form, action=None, priority=priority), status
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(action_id: int) -> Response:
    action = _load_action(action_id)
    _refuse_unless_editor(action, "edit")
    form = ActionForm(obj=None)
    _choices_for(form, action.priority.plan_version)
    if action.priority_id not in {int(choice.value) for choice in form.priority.choices}:
        form.priority.choices.append(SelectChoice(str(action.priority_id), action.priority.name))
    if request.method == "GET":
        form.title.data = action.title
        form.description.data = action.description
        form.priority.data = str(action.priority_id)
        form.themes.data = [str(theme.id) for theme in action.themes]
        form.owner.data = str(action.owner_organisation_id or "")
        form.partners.data = [str(o.id) for o in action.partners]
        form.responsible.data = [str(u.id) for u in action.responsible_users]
        form.start_date.data = action.start_date
        form.target_date.data = action.target_date
        form.version.data = action.version
    conflict = None
    if form.validate_on_submit():
        try:
            edit_action(db.session, action, _details_from(form), form.version.data)
            db.session.commit()
        except UpdateRefused as refusal:
            getattr(form, refusal.field).errors = [str(refusal)]
        except EditConflict as caught:
            conflict = caught
            offer_saved_version(form, caught.action.version)
        else:
            flash("Action saved.", "success")
            return redirect(url_for("actions.detail", action_id=action.id), code=303)
    status = 409 if conflict else (422 if form.errors else 200)
    return make_response(
        render_template(
            "actions/form.html",
            form=form,
            action=action,
            priority=action.priority,
            conflict=conflict,
        ),
        status,
    )


@bp.route("/actions/<int:action_id>/state", methods=["POST"])
@signed_in
def set_state(action_id: int) -> Response:
    """Mark complete, close as business as usual, or reopen. Completing and closing take
    the action out of the lead's updates, so they ask first; reopening does not."""
    action = _load_action(action_id)
    _refuse_unless_editor(action, "change the state of")
    new_state = request.form.get("state", "")
    loaded_version = request.form.get("version", type=int)
    if new_state in STATES_TO_CONFIRM and request.form.get("confirmed") != "yes":
        question, confirm_label = STATES_TO_CONFIRM[new_state]
        return make_response(
            render_template(
                "actions/confirm_state.html",
                action=action,
                state=new_state,
                loaded_version=loaded_version,
                question=question,
                confirm_label=confirm_label,
            )
        )
    try:
        change_state(db.session, action, new_state, loaded_version)
        db.session.commit()
    except UpdateRefused as refusal:
        flash(str(refusal), "info")
    except EditConflict:
        flash(
            "Someone else changed this action just now, so nothing was changed. "
            "Check it and try again.",
            "info",
        )
    else:
        flash(f"The action is now {ActionState(action.state).label.lower()}.", "success")
    return redirect(url_for("actions.detail", action_id=action.id), code=303)


@bp.route("/actions/<int:action_id>/move", methods=["POST"])
@signed_in
def move(action_id: int) -> Response:
    """Move an action up or down within its priority."""
    action = _load_action(action_id)
    _refuse_unless_editor(action, "reorder")
    direction = request.form.get("direction")
    if direction not in {"up", "down"}:
        abort(400)
    moved = move_action(db.session, action, direction)
    db.session.commit()
    if not moved:
        flash(f"This action is already at the {'top' if direction == 'up' else 'bottom'}.", "info")
    else:
        flash(f"Moved {direction}: the plan and reports now list it in this order.", "success")
    return redirect(
        safe_local_path(request.form.get("return_to")) or url_for("plans.overview"), code=303
    )
