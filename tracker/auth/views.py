"""Sign-in and sign-out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.audit import record_event
from tracker.auth.forms import SignInForm
from tracker.auth.passwords import verify_password
from tracker.extensions import db, login_manager
from tracker.models import User

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    """Only follow a 'next' that stays on this site, to avoid an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("plans.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("plans.index"))
    form = SignInForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if (
            user is not None
            and user.active
            and verify_password(user.password_hash, form.password.data)
        ):
            session.clear()  # a fresh session on sign-in: nothing carried over from before
            login_user(user)
            record_event(db.session, "sign_in", actor=user, entity_type="user", entity_id=user.id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        record_event(
            db.session,
            "sign_in_failed",
            entity_type="user",
            entity_id=user.id if user else None,
            summary="Sign-in refused",
            after={"email": email},
        )
        db.session.commit()
        form.email.errors = [SIGN_IN_FAILED]
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    record_event(
        db.session, "sign_out", actor=current_user, entity_type="user", entity_id=current_user.id
    )
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
