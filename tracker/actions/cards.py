"""An action's card on Your actions, drawn once and kept for as long as nothing on it changes.

A card is a pure function of what it is drawn from: the action's row (ActionStatus, plain
values: its status, state, latest update, what waits for sign-off), the open period, whether
the person may update it, the two pieces of its links, and today's date (an action passes its
target date at midnight). So a card is kept (tracker.dashboard.cache) under exactly those
values, with no stamp to check: when an update is saved, the action's row changes and so does
its key, while the lead's other cards are found again as they were. A key nobody asks for
again ages out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import current_app
from markupsafe import Markup

from tracker.dashboard.cache import kept_card
from tracker.models import ReportingPeriod
from tracker.plans.services import ActionStatus


def action_card(
    row: ActionStatus,
    open_period: ReportingPeriod | None,
    can_edit: bool,
    actions_prefix: str,
    return_query: str,
    saved: bool = False,
) -> Markup:
    """The card macro's output for this row (templates/_macros/cards.html), kept once drawn.
    A card just saved says so once, and is drawn afresh."""
    if saved:
        return _macro()(row, open_period, can_edit, actions_prefix, return_query, saved=True)
    key = (
        row,
        (open_period.id, open_period.name) if open_period else None,
        can_edit,
        actions_prefix,
        return_query,
        date.today(),
    )
    return kept_card(
        key, lambda: _macro()(row, open_period, can_edit, actions_prefix, return_query)
    )


def _macro() -> Callable[..., Markup]:
    # A macro of an autoescaped template: it returns Markup, its text already escaped.
    macro: Callable[..., Markup] = current_app.jinja_env.get_template(
        "_macros/cards.html"
    ).module.action_card  # type: ignore[attr-defined]
    return macro
