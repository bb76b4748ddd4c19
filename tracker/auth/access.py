"""Who may reach which route: every view declares a rule, and one hook enforces it.

A view without a rule is refused (and logged), so forgetting to declare one fails closed.
Rules here are about roles; rules about particular records (a lead and the actions under
their priorities) are checked by the views through tracker.auth.permissions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user

from tracker.audit import record_event
from tracker.extensions import db, login_manager
from tracker.models import Role

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    roles: frozenset[str] = frozenset()

    def describe(self) -> str:
        return "public" if self.public else "roles: " + ", ".join(sorted(self.roles))


ALL_ROLES = frozenset(role.value for role in Role)


def _with_rule(rule: AccessRule) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


public = _with_rule(AccessRule(public=True))
"""Anyone, signed in or not (sign-in pages, the password set-up link)."""

signed_in = _with_rule(AccessRule(roles=ALL_ROLES))
"""Any signed-in user, whatever their role."""


def roles(*allowed: Role) -> Callable[[View], View]:
    """Only signed-in users with one of these roles."""
    return _with_rule(AccessRule(roles=frozenset(role.value for role in allowed)))


def access_rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    """The rule declared by the view behind an endpoint, if any."""
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access_rule() -> Any:
    """before_request: refuse the request unless the view's rule lets this user in."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # unknown URLs become 404s; static files are public
    rule = access_rule_for(current_app, endpoint)
    if rule is None:
        log.error("route %s has no access rule: refused", endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in rule.roles:
        abort(403)
    return None


def deny_and_record(entity_type: str, entity_id: int, summary: str) -> NoReturn:
    """Refuse with 403, keeping a record of the attempt in the audit log."""
    record_event(
        db.session, "access_denied", entity_type=entity_type, entity_id=entity_id, summary=summary
    )
    db.session.commit()
    abort(403)
