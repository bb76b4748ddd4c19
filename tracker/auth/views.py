"""Signing in (with two-factor codes), signing out, and a user's own account pages."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from werkzeug.wrappers import Response

from tracker.audit import record_account_event, record_event
from tracker.auth import two_factor
from tracker.auth.access import public, signed_in
from tracker.auth.accounts import AccountError, set_password, user_for_setup_code
from tracker.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmButtonForm,
    SetUpAccountForm,
    SignInForm,
)
from tracker.auth.passwords import hash_password, needs_rehash, verify_password
from tracker.auth.sessions import end_session, start_session
from tracker.auth.throttle import (
    LOCKED_MESSAGE,
    attempt_failed,
    attempt_succeeded,
    claim_attempt,
    record_success,
    release_attempt,
)
from tracker.extensions import db, login_manager
from tracker.models import Role, SignInAttempt, User, utcnow
from tracker.plans.scope import default_plan_id
from tracker.redirects import safe_local_path

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"
CODE_FAILED = "Enter a correct code: the code changes every 30 seconds and each works once"
PENDING = "pending_sign_in"  # the user who gave a correct password but still owes a code
PENDING_LIFETIME = timedelta(minutes=10)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The session cookie names a session token; a replaced token means signed out."""
    return db.session.scalar(_user_by_session_token(), {"token": session_token})


@cache  # asked on every request: built once per process, as building cost more than running
def _user_by_session_token() -> Select[User]:
    return select(User).where(User.session_token == bindparam("token"), User.active.is_(True))


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Send visitors who are not signed in to the sign-in page, then back where they were."""
    if request.path.startswith("/api/"):
        response = jsonify({"error": "Sign in first: this API uses the same session as the site."})
        response.status_code = 401
        return response
    target = url_for("auth.login", next=_return_path())
    if request.headers.get("HX-Request"):
        # An htmx swap would put the sign-in page inside the current one: navigate instead.
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _return_path() -> str:
    """Where to come back to after signing in: the page the person was on, never a POST URL."""
    if request.method == "GET" and not request.headers.get("HX-Request"):
        return request.full_path.rstrip("?")
    came_from = request.headers.get("HX-Current-URL") or request.referrer or ""
    parts = urlsplit(came_from)
    if parts.netloc and parts.netloc != request.host:
        return url_for("plans.index")
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@cache
def _dummy_hash() -> str:
    return hash_password("no-such-account-placeholder")


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _safe_next(target: str | None, user: User | None = None) -> str:
    """Only follow a 'next' that stays on this site, to avoid an open redirect. Without one,
    leads land on their own actions and everyone else on the plan."""
    local = safe_local_path(target)
    if local:
        return local
    if user is not None and user.role == Role.LEAD and default_plan_id() is not None:
        return url_for("actions.my_actions")
    return url_for("plans.index")


def _complete_sign_in(user: User, attempt: SignInAttempt) -> Response:
    attempt_succeeded(attempt, user)
    record_account_event(db.session, "sign_in", user, actor=user)
    db.session.commit()
    start_session(user)
    return redirect(_safe_next(request.args.get("next"), user))


def _refuse(
    template: str, form: Any, field: Any, message: str, verb: str, email: str, status: int
) -> tuple[str, int]:
    """Audit a refused attempt and show the form again with the reason next to the field."""
    # Operators watch the log for attacks: who and where, never what was typed.
    log.warning("%s for %s from %s", verb, email, _client_address())
    record_event(
        db.session, verb, entity_type="user_account", summary=message, after={"email": email}
    )
    db.session.commit()
    field.errors = [message]
    return render_template(template, form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("plans.index"))
    form = SignInForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("auth/login.html", form=form), status

    email = form.email.data.strip().lower()
    attempt = claim_attempt(db.session, email, _client_address())
    if attempt is None:  # locked: no password hash is computed
        return _refuse(
            "auth/login.html", form, form.email, LOCKED_MESSAGE, "sign_in_locked", email, 429
        )

    user = db.session.scalar(select(User).where(User.email == email))
    password = form.password.data
    if user is None or not user.active or not user.password_hash:
        verify_password(_dummy_hash(), password)  # the same work, so timing reveals nothing
        correct = False
    else:
        correct = verify_password(user.password_hash, password)
    if not correct:
        attempt_failed(attempt, user)
        return _refuse(
            "auth/login.html", form, form.email, SIGN_IN_FAILED, "sign_in_failed", email, 401
        )

    assert user is not None and user.password_hash
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.has_two_factor or two_factor.must_use_two_factor(db.session, user):
        release_attempt(db.session, attempt)
        db.session.commit()
        session.clear()
        session[PENDING] = {"token": user.session_token, "email": email, "at": utcnow().timestamp()}
        step = "auth.two_factor_code" if user.has_two_factor else "auth.two_factor_enrol"
        return redirect(url_for(step, next=request.args.get("next")))
    return _complete_sign_in(user, attempt)


def _pending_user() -> User | None:
    """The user part-way through signing in, if their password step is recent."""
    pending = session.get(PENDING)
    if not pending:
        return None
    if utcnow().timestamp() - pending["at"] > PENDING_LIFETIME.total_seconds():
        session.pop(PENDING, None)
        return None
    return load_user(pending["token"])


@bp.route("/login/code", methods=["GET", "POST"])
@public
def two_factor_code() -> Response | str | tuple[str, int]:
    user = _pending_user()
    if user is None:
        flash("Sign in again: that sign-in took too long or was not started.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form), 422 if form.errors else 200
    email = session[PENDING]["email"]
    attempt = claim_attempt(db.session, email, _client_address(), user)
    if attempt is None:
        return _refuse(
            "auth/code.html", form, form.code, LOCKED_MESSAGE, "sign_in_locked", email, 429
        )
    code = form.code.data
    if two_factor.verify_code(user, code):
        return _complete_sign_in(user, attempt)
    if two_factor.use_recovery_code(db.session, user, code):
        record_account_event(db.session, "recovery_code_used", user, actor=user)
        return _complete_sign_in(user, attempt)
    return _refuse("auth/code.html", form, form.code, CODE_FAILED, "two_factor_failed", email, 401)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def two_factor_enrol() -> Response | str | tuple[str, int]:
    """Enrolment that a role requiring two-factor sign-in must finish before signing in."""
    user = _pending_user()
    if user is None:
        flash("Sign in again: that sign-in took too long or was not started.", "info")
        return redirect(url_for("auth.login"))
    if user.has_two_factor:
        return redirect(url_for("auth.two_factor_code", next=request.args.get("next")))
    email = session[PENDING]["email"]
    outcome = _enrol(user, required=True)
    if isinstance(outcome, list):  # confirmed: show the recovery codes, then carry on
        record_success(db.session, email, _client_address(), user)
        record_account_event(db.session, "sign_in", user, actor=user)
        db.session.commit()
        start_session(user)
        return render_template(
            "auth/recovery_codes.html",
            codes=outcome,
            next=_safe_next(request.args.get("next"), user),
        )
    return outcome


def _enrol(user: User, required: bool) -> list[str] | tuple[str, int]:
    """Show the QR code and confirm the first code; returns the recovery codes when done."""
    if not user.totp_secret:
        user.totp_secret = two_factor.new_secret()
        db.session.commit()
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.verify_code(user, form.code.data):
            user.totp_confirmed_at = utcnow()
            codes = two_factor.issue_recovery_codes(db.session, user)
            record_account_event(db.session, "two_factor_on", user, actor=user)
            db.session.commit()
            return codes
        form.code.errors = [CODE_FAILED]
    uri = two_factor.provisioning_uri(user, user.totp_secret, current_app.config["SERVICE_NAME"])
    status = 422 if form.errors else 200
    return (
        render_template(
            "auth/two_factor_enrol.html",
            form=form,
            qr_code=two_factor.qr_code_svg(uri),
            secret=user.totp_secret,
            required=required,
        ),
        status,
    )


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    user = current_user._get_current_object()
    record_account_event(db.session, "sign_out", user, actor=user)
    user.end_all_sessions()
    db.session.commit()
    end_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@signed_in
def account() -> str:
    return render_template(
        "auth/account.html",
        two_factor_required=two_factor.must_use_two_factor(db.session, current_user),
        recovery_codes_left=two_factor.unused_recovery_codes(db.session, current_user),
        button_form=ConfirmButtonForm(),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Response | str | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors = ["Your current password is not correct"]
        else:
            try:
                set_password(user, form.new_password.data)
            except AccountError as error:
                form.new_password.errors = [str(error)]
            else:
                record_account_event(db.session, "password_changed", user)
                db.session.commit()
                start_session(user)  # this browser carries on; every other session has ended
                flash(
                    "Your password has been changed. Any other sessions have been signed out.",
                    "success",
                )
                return redirect(url_for("auth.account"))
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/account/set-up", methods=["GET", "POST"])
@public
def set_up_account() -> Response | str | tuple[str, int]:
    """Where a new (or reset) user chooses a password with the code an admin gave them."""
    form = SetUpAccountForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        attempt = claim_attempt(db.session, email, _client_address())
        if attempt is None:
            return _refuse(
                "auth/set_up.html", form, form.code, LOCKED_MESSAGE, "set_up_locked", email, 429
            )
        user = user_for_setup_code(db.session, email, form.code.data)
        if user is None:
            message = (
                "Enter the email address and the set-up code you were given (codes last 7 days)"
            )
            return _refuse(
                "auth/set_up.html", form, form.code, message, "set_up_failed", email, 401
            )
        release_attempt(db.session, attempt)  # the code was right: not a failure
        try:
            set_password(user, form.new_password.data)
        except AccountError as error:
            db.session.commit()
            form.new_password.errors = [str(error)]
        else:
            record_account_event(db.session, "password_set", user, actor=user)
            db.session.commit()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/set_up.html", form=form), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def account_two_factor() -> Response | str | tuple[str, int]:
    """Turn on two-factor sign-in from the account page (optional for some roles)."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return redirect(url_for("auth.account"))
    outcome = _enrol(user, required=False)
    if isinstance(outcome, list):
        return render_template(
            "auth/recovery_codes.html", codes=outcome, next=url_for("auth.account")
        )
    return outcome


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@signed_in
def new_recovery_codes() -> str | Response:
    user = current_user._get_current_object()
    if not user.has_two_factor:
        return redirect(url_for("auth.account"))
    codes = two_factor.issue_recovery_codes(db.session, user)
    record_account_event(db.session, "recovery_codes_replaced", user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, next=url_for("auth.account"))


@bp.route("/account/two-factor/off", methods=["POST"])
@signed_in
def two_factor_off() -> Response | tuple[str, int]:
    user = current_user._get_current_object()
    if two_factor.must_use_two_factor(db.session, user):
        flash("Your role must use two-factor sign-in, so it cannot be turned off.", "info")
        return redirect(url_for("auth.account"))
    two_factor.switch_off(db.session, user)
    record_account_event(db.session, "two_factor_off", user)
    db.session.commit()
    flash("Two-factor sign-in is off for your account.", "success")
    return redirect(url_for("auth.account"))
