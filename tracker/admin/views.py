"""Admin pages: users (create, edit, deactivate, set-up codes), organisations, audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from tracker.admin.forms import OrganisationForm, UserForm
from tracker.admin.services import (
    AUDIT_PAGE_SIZE,
    AuditFilter,
    all_users,
    audit_choices,
    audit_page,
    current_priorities,
    organisation_user_counts,
    organisations,
)
from tracker.arguments import record_id
from tracker.audit import record_account_event
from tracker.auth import two_factor
from tracker.auth.access import roles
from tracker.auth.accounts import AccountError, create_user, issue_setup_code, normalise_email
from tracker.auth.forms import ConfirmButtonForm
from tracker.extensions import db
from tracker.models import Organisation, Priority, Role, User
from tracker.paging import page_count

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=None)
    form.organisation.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(organisation.id), organisation.name)
        for organisation in organisations(db.session)
    ]
    form.lead_of.choices = [
        SelectChoice(str(priority.id), f"{priority.name} ({priority.plan_version.plan.name})")
        for priority in current_priorities(db.session)
    ]
    if user is not None and request.method == "GET":
        form.name.data = user.name
        form.email.data = user.email
        form.role.data = user.role
        form.organisation.data = str(user.organisation_id or "")
        form.lead_of.data = [str(priority.id) for priority in user.led_priorities]
    return form


def _chosen(form: UserForm) -> tuple[Organisation | None, list[Priority]]:
    organisation = (
        db.session.get(Organisation, int(form.organisation.data))
        if form.organisation.data
        else None
    )
    priorities = [db.session.get(Priority, int(value)) for value in form.lead_of.data or []]
    return organisation, [priority for priority in priorities if priority is not None]


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@roles(Role.ADMIN)
def users() -> str:
    return render_template("admin/users.html", users=all_users(db.session))


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_user() -> Response | str | tuple[str, int]:
    form = _user_form()
    if form.validate_on_submit():
        organisation, led = _chosen(form)
        try:
            user = create_user(
                db.session,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                organisation=organisation,
                lead_of=led,
            )
        except AccountError as error:
            getattr(form, error.field or "email").errors = [str(error)]
        else:
            code = issue_setup_code(user)
            db.session.commit()
            return render_template("admin/setup_code.html", user=user, code=code, new=True)
    status = 422 if form.errors else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_user(user_id: int) -> Response | str | tuple[str, int]:
    user = _get_user(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        organisation, led = _chosen(form)
        try:
            email = normalise_email(form.email.data)
        except AccountError as error:
            form.email.errors = [str(error)]
        else:
            user.name = form.name.data.strip()
            user.email = email
            user.role = form.role.data
            user.organisation = organisation
            # Only priorities of current versions are on the form; leave older ones alone.
            current_ids = {int(choice.value) for choice in form.lead_of.choices}
            user.led_priorities = [p for p in user.led_priorities if p.id not in current_ids] + led
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.email.errors = ["A user with this email address already exists"]
            else:
                flash(f"Saved the changes to {user.name}.", "success")
                return redirect(url_for("admin.users"))
    status = 422 if form.errors else 200
    return render_template(
        "admin/user_form.html", form=form, user=user, button_form=ConfirmButtonForm()
    ), status


def _button_action(user_id: int) -> User:
    if not ConfirmButtonForm().validate_on_submit():
        abort(400)
    return _get_user(user_id)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles(Role.ADMIN)
def deactivate_user(user_id: int) -> Response:
    user = _button_action(user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "info")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    user.active = False
    user.end_all_sessions()
    record_account_event(db.session, "user_deactivated", user)
    db.session.commit()
    flash(f"{user.name} can no longer sign in. Their history stays.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles(Role.ADMIN)
def reactivate_user(user_id: int) -> Response:
    user = _button_action(user_id)
    user.active = True
    record_account_event(db.session, "user_reactivated", user)
    db.session.commit()
    flash(f"{user.name} can sign in again.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/set-up-code", methods=["POST"])
@roles(Role.ADMIN)
def new_setup_code(user_id: int) -> str:
    user = _button_action(user_id)
    code = issue_setup_code(user)
    record_account_event(db.session, "set_up_code_issued", user)
    db.session.commit()
    return render_template("admin/setup_code.html", user=user, code=code, new=False)


@bp.route("/users/<int:user_id>/two-factor-reset", methods=["POST"])
@roles(Role.ADMIN)
def reset_two_factor(user_id: int) -> Response:
    user = _button_action(user_id)
    two_factor.switch_off(db.session, user)
    user.end_all_sessions()
    record_account_event(db.session, "two_factor_reset", user)
    db.session.commit()
    flash(
        f"Two-factor sign-in was reset for {user.name}; they set it up again at next sign-in.",
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/organisations", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organisation_list() -> Response | str | tuple[str, int]:
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = Organisation(
            name=form.name.data.strip(), short_name=(form.short_name.data or "").strip()
        )
        db.session.add(organisation)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors = ["An organisation with this name already exists"]
        else:
            flash(f"Added {organisation.name}.", "success")
            return redirect(url_for("admin.organisation_list"))
    status = 422 if form.errors else 200
    return render_template(
        "admin/organisations.html",
        form=form,
        organisations=organisations(db.session),
        user_counts=organisation_user_counts(db.session),
    ), status


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/audit")
@roles(Role.ADMIN, Role.COORDINATOR)
def audit_log() -> str:
    args = request.args
    audit_filter = AuditFilter(
        actor_id=args.get("actor", type=record_id),
        verb=args.get("verb", ""),
        entity_type=args.get("entity", ""),
        date_from=_parse_date(args.get("from")),
        date_to=_parse_date(args.get("to")),
    )
    page = max(int(args["page"]), 1) if args.get("page", "").isdigit() else 1
    events, total = audit_page(db.session, audit_filter, page)
    pages = page_count(total, AUDIT_PAGE_SIZE)
    if page > pages:
        count = f"{pages} page{'' if pages == 1 else 's'}"
        abort(404, description=f"There is no page {page} of this list: it has {count}.")
    verbs, entity_types = audit_choices(db.session)
    return render_template(
        "admin/audit.html",
        events=events,
        total=total,
        page=page,
        pages=pages,
        audit_filter=audit_filter,
        users=all_users(db.session),
        verbs=verbs,
        entity_types=entity_types,
        bad_dates=[
            name for name in ("from", "to") if args.get(name) and not _parse_date(args.get(name))
        ],
    )
