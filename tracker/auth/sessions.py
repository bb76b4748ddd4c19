"""Signed-in sessions: starting them, ending them everywhere, and their time limits.

The session cookie holds the user's session token, not their id. Replacing the token (on
sign-out, password change or deactivation) ends every session of that user at once, copies
of the cookie included. Sessions also end after a spell of inactivity and after an absolute
limit, whatever the activity.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, flash, g, session
from flask_login import current_user, login_user, logout_user

from tracker.models import User, utcnow

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
# Saving the session on every request would rewrite the cookie each time; a minute is precise
# enough for an idle limit measured in tens of minutes.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def start_session(user: User) -> None:
    """Sign the user in with a brand-new session: nothing from before sign-in carries over."""
    session.clear()
    login_user(user)
    now = utcnow().timestamp()
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now


def end_session() -> None:
    """Sign out of this browser (the caller ends other sessions by replacing the token)."""
    logout_user()
    session.clear()
    # The roll-up may be kept by the browser (private, revalidated each time): forget it, so
    # Back on a shared computer shows nothing of the partnership's data.
    g.clear_browser_cache = True


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )


def expire_stale_session() -> None:
    """before_request: end a session that has been idle too long or has reached its limit."""
    if not current_user.is_authenticated:
        return
    idle_limit, absolute_limit = _limits()
    now = utcnow()
    signed_in_at = datetime.fromtimestamp(session.get(SIGNED_IN_AT, 0), now.tzinfo)
    last_seen = datetime.fromtimestamp(session.get(LAST_SEEN, 0), now.tzinfo)
    if now - last_seen > idle_limit or now - signed_in_at > absolute_limit:
        end_session()
        flash("Your session ended, so you have been signed out. Sign in again to carry on.", "info")
        return
    if now - last_seen >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN] = now.timestamp()
