"""The refresh pages: start a draft of next year's version, decide every active action, see
what changed, and publish. Admins and coordinators run the refresh; nobody else may."""

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

from tracker.arguments import record_id_or_none
from tracker.auth.access import roles
from tracker.extensions import db
from tracker.htmx import wants_partial
from tracker.models import Action, ActionOutcome, PlanVersion, Role
from tracker.plans.scope import plan_scope
from tracker.refresh.changes import change_lines, change_summary
from tracker.refresh.forms import DiscardForm, PublishForm, RefreshForm
from tracker.refresh.services import (
    ActionChoice,
    Decision,
    PublishRefused,
    RefreshDetails,
    RefreshRefused,
    accept_proposals,
    action_choices,
    decide,
    discard_draft,
    draft_of,
    edit_draft_details,
    publish_problems,
    publish_refresh,
    start_refresh,
)
from tracker.structure.services import priorities_in_use, themes_in_use

bp = Blueprint("refresh", __name__)

REFRESH_RUNNERS = (Role.ADMIN, Role.COORDINATOR)


def _draft() -> PlanVersion:
    draft = draft_of(db.session, plan_scope().plan)
    if draft is None:
        abort(404, "No refresh is under way for this plan: start one from the refresh page.")
    return draft


def _details(form: RefreshForm) -> RefreshDetails:
    return RefreshDetails(
        label=form.label.data or "",
        effective_from=form.effective_from.data,
        agreement_version=form.agreement_version.data or "",
    )


def _refused_on(form: RefreshForm, refusal: RefreshRefused) -> None:
    db.session.rollback()
    getattr(form, refusal.field).errors = [str(refusal)]


@bp.route("/plans/<int:plan_id>/refresh", methods=["GET", "POST"])
@roles(*REFRESH_RUNNERS)
def draft() -> Response:
    """Start the refresh, or (once started) the draft: its details, what changed so far,
    how many actions are undecided, and publishing."""
    scope = plan_scope()
    if not scope.version.is_current:
        return redirect(url_for("refresh.draft", plan_id=scope.plan.id, version=None), code=303)
    existing = draft_of(db.session, scope.plan)
    form = RefreshForm()
    if existing is None:
        if form.validate_on_submit():
            try:
                started = start_refresh(db.session, scope.plan, _details(form))
                db.session.commit()
            except RefreshRefused as refusal:
                _refused_on(form, refusal)
            else:
                flash(
                    f"Started the refresh {started.label}. It is a copy of {scope.version.label}"
                    " to change.",
                    "success",
                )
                return redirect(url_for("refresh.draft"), code=303)
        return make_response(
            render_template("refresh/start.html", form=form, base=scope.version),
            422 if form.errors else 200,
        )
    if request.method == "GET":
        form.label.data = existing.label
        form.effective_from.data = existing.effective_from
        form.agreement_version.data = existing.agreement_version
    elif form.validate_on_submit():
        try:
            edit_draft_details(db.session, existing, _details(form))
            db.session.commit()
        except RefreshRefused as refusal:
            _refused_on(form, refusal)
        else:
            flash(f"Saved the details of {existing.label}.", "success")
            return redirect(url_for("refresh.draft"), code=303)
    return _draft_page(existing, details_form=form)


def _draft_page(
    existing: PlanVersion,
    *,
    details_form: RefreshForm | None = None,
    publish_form: PublishForm | None = None,
    discard_form: DiscardForm | None = None,
    refused: list[str] | None = None,
) -> Response:
    details_form = details_form or RefreshForm(formdata=None, obj=existing)
    choices = action_choices(db.session, existing)
    states = {state: 0 for state in ("decided", "proposed", "undecided")}
    for choice in choices:
        states[choice.state] += 1
    problems = publish_problems(db.session, existing, choices)
    errors = any(
        form is not None and form.errors for form in (details_form, publish_form, discard_form)
    )
    page = render_template(
        "refresh/draft.html",
        draft=existing,
        base=existing.based_on,
        details_form=details_form,
        publish_form=publish_form or PublishForm(formdata=None, notes=existing.change_log),
        discard_form=discard_form or DiscardForm(formdata=None),
        choice_count=len(choices),
        states=states,
        problems=refused if refused is not None else problems,
        publish_refused=refused is not None,
        changes=change_lines(change_summary(db.session, existing, choices).as_json()),
        priorities=priorities_in_use(db.session, existing),
        themes=themes_in_use(db.session, existing),
    )
    return make_response(page, 422 if errors or refused else 200)


@bp.route("/plans/<int:plan_id>/refresh/publish", methods=["POST"])
@roles(*REFRESH_RUNNERS)
def publish() -> Response:
    existing = _draft()
    form = PublishForm()
    if not form.validate_on_submit():
        return _draft_page(existing, publish_form=form)
    label, base_label = existing.label, existing.based_on.label if existing.based_on else ""
    try:
        publish_refresh(db.session, existing, current_user, notes=form.notes.data or "")
        db.session.commit()
    except PublishRefused as refusal:
        db.session.rollback()
        return _draft_page(existing, publish_form=form, refused=refusal.reasons)
    flash(
        f"Published {label}: it is now the current version. {base_label} is read-only and "
        "can still be opened with the version picker.",
        "success",
    )
    return redirect(url_for("plans.overview", version=None), code=303)


@bp.route("/plans/<int:plan_id>/refresh/discard", methods=["POST"])
@roles(*REFRESH_RUNNERS)
def discard() -> Response:
    existing = _draft()
    form = DiscardForm()
    if not form.validate_on_submit():
        return _draft_page(existing, discard_form=form)
    label = existing.label
    discard_draft(db.session, existing)
    db.session.commit()
    flash(f"Discarded the draft {label}. The current version is unchanged.", "success")
    return redirect(url_for("refresh.draft"), code=303)


# --- Deciding the actions ------------------------------------------------------------------


def _decision_context(existing: PlanVersion) -> dict[str, object]:
    return {
        "draft": existing,
        "new_priorities": priorities_in_use(db.session, existing),
        "new_themes": themes_in_use(db.session, existing),
        "outcomes": list(ActionOutcome),
    }


@bp.route("/plans/<int:plan_id>/refresh/actions")
@roles(*REFRESH_RUNNERS)
def actions() -> str:
    """Every active action of the version being refreshed, with its decision or proposal."""
    existing = _draft()
    choices = action_choices(db.session, existing)
    showing = request.args.get("show", "all")
    if showing not in ("all", "undecided"):
        showing = "all"
    groups: dict[int, tuple[str, list[ActionChoice]]] = {}
    for choice in choices:
        if showing == "all" or choice.outcome is None or choice.problem:
            priority = choice.action.priority
            groups.setdefault(priority.id, (priority.name, []))[1].append(choice)
    return render_template(
        "refresh/actions.html",
        groups=list(groups.values()),
        counts=_counts(choices),
        showing=showing,
        **_decision_context(existing),
    )


def _counts(choices: list[ActionChoice]) -> dict[str, int]:
    return {
        "total": len(choices),
        "undecided": sum(1 for c in choices if c.outcome is None),
        "proposed": sum(1 for c in choices if c.state == "proposed"),
        "with_problems": sum(1 for c in choices if c.outcome is not None and c.problem),
    }


@bp.route("/plans/<int:plan_id>/refresh/actions/accept", methods=["POST"])
@roles(*REFRESH_RUNNERS)
def accept() -> Response:
    existing = _draft()  # the CSRF token was checked by CSRFProtect, as for every POST
    count = accept_proposals(db.session, existing, current_user)
    db.session.commit()
    flash(f"Accepted {count} proposed decision{'s' if count != 1 else ''}.", "success")
    return redirect(url_for("refresh.actions"), code=303)


@bp.route("/plans/<int:plan_id>/refresh/actions/<int:action_id>", methods=["POST"])
@roles(*REFRESH_RUNNERS)
def decide_action(action_id: int) -> Response:
    """Save one action's decision: the row again in place (htmx), or back to the list."""
    existing = _draft()
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    chosen = Decision(
        outcome=request.form.get("outcome"),
        priority_id=record_id_or_none(request.form.get("priority")),
        theme_ids=tuple(
            number
            for number in (record_id_or_none(value) for value in request.form.getlist("themes"))
            if number
        ),
    )
    error: RefreshRefused | None = None
    try:
        decide(db.session, existing, action, chosen, current_user)
        db.session.commit()
    except RefreshRefused as refusal:
        db.session.rollback()
        error = refusal
    choices = action_choices(db.session, existing)
    choice = next((c for c in choices if c.action.id == action.id), None)
    if choice is None:
        abort(404, "This action is not active in the version being refreshed.")
    if wants_partial() or error is not None:
        # In place, the row again (saved, or with the message); without JavaScript, a page
        # of that one row with the message next to the field.
        template = "refresh/_decision.html" if wants_partial() else "refresh/decision_page.html"
        page = render_template(
            template,
            choice=choice,
            error=error,
            posted=chosen if error else None,
            saved=error is None,
            **_decision_context(existing),
        )
        if wants_partial():  # the counts above the list change with each decision
            page += render_template(
                "refresh/_decision_counts.html", counts=_counts(choices), out_of_band=True
            )
        return make_response(page, 422 if error else 200)
    flash(f"Saved the decision for {action.title}.", "success")
    return redirect(url_for("refresh.actions", _anchor=f"decision-{action.id}"), code=303)
