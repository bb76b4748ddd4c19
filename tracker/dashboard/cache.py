"""The roll-up, kept once computed until its plan changes.

A working group opens the roll-up in the minutes before a meeting, each of them several
times, while the data behind it changes only when a lead writes. So the page's body and its
JSON are kept per worker process, under a key made of everything they are computed from:
the plan's change stamp (tracker.changes, read from the database at the start of every
request, so a write in any worker or on any server changes it), the version, the period,
today's date (an action passes its target date at midnight), and what the request asked
for. A key that can no longer be asked for simply ages out of the cache.

The plan page keeps its costly part here the same way: the counts and every action's place
(tracker.plans.services.plan_overview), under its plan's stamp; so does Your actions, each
person's actions with their places (tracker.actions.views). So does a live draft's CSV,
which is the roll-up's actions row by row (tracker.reports.views.download), in a store of
its own so that one large file does not push out hundreds of roll-ups.

The same key, with who is asking, makes the page's `ETag`: a browser or tool asking again
with `If-None-Match` gets `304 Not Modified` without the page being drawn at all.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from datetime import date

from cachetools import LRUCache
from flask import request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.wrappers import Response

from tracker.models import Plan, PlanVersion, ReportingPeriod
from tracker.plans.scope import PlanScope, visible_plans

# Bytes of rendered pages and JSON each worker keeps: a 10,000-action plan's roll-up body is
# about 60 KB, so this holds hundreds of roll-ups while bounding the worker's memory.
CACHE_BYTES = 16 * 1024 * 1024
# Downloads are larger (a 10,000-action plan's CSV is about 4 MB) and asked for less often.
DOWNLOAD_CACHE_BYTES = 16 * 1024 * 1024

# Drawn action cards (tracker.actions.cards), about 1.2 KB each: several thousand.
CARD_CACHE_BYTES = 4 * 1024 * 1024

_kept: LRUCache[Hashable, bytes] = LRUCache(maxsize=CACHE_BYTES, getsizeof=len)
_kept_downloads: LRUCache[Hashable, bytes] = LRUCache(maxsize=DOWNLOAD_CACHE_BYTES, getsizeof=len)
_kept_cards: LRUCache[Hashable, Markup] = LRUCache(maxsize=CARD_CACHE_BYTES, getsizeof=len)
_lock = threading.Lock()  # gunicorn's threaded workers share one cache per process


def rollup_key(scope: PlanScope, period: ReportingPeriod, *asked: Hashable) -> tuple[Hashable, ...]:
    """What a roll-up answer is computed from. The stamp was read with the plan, before any
    of the data the answer is computed from."""
    return period_data_key(scope.plan, scope.version, period, *asked)


def period_data_key(
    plan: Plan, version: PlanVersion, period: ReportingPeriod, *asked: Hashable
) -> tuple[Hashable, ...]:
    """What an answer about a version's actions in a period is computed from. Read the plan
    (its stamp) before any of that data."""
    return (plan.id, plan.change_stamp, version.id, period.id, date.today().isoformat(), *asked)


def kept(
    key: tuple[Hashable, ...], compute: Callable[[], bytes], *, download: bool = False
) -> bytes:
    """The answer kept under key, computed (outside the lock) when it is not kept yet. An
    answer larger than its whole store is computed each time rather than kept."""
    store = _kept_downloads if download else _kept
    with _lock:
        answer = store.get(key)
    if answer is None:
        answer = compute()
        if len(answer) <= store.maxsize:
            with _lock:
                store[key] = answer
    return answer


def kept_card(key: Hashable, draw: Callable[[], Markup]) -> Markup:
    """The card kept under key (everything it is drawn from), drawn when it is not kept."""
    with _lock:
        card = _kept_cards.get(key)
    if card is None:
        card = draw()
        with _lock:
            _kept_cards[key] = card
    return card


def forget_everything() -> None:
    """For the tests and the bench that measure a first, uncached answer."""
    with _lock:
        _kept.clear()
        _kept_downloads.clear()
        _kept_cards.clear()


def entity_tag(key: tuple[Hashable, ...], *, per_person: bool) -> str | None:
    """The validator for an answer under key; None when the answer must be drawn afresh.

    A page also carries who is signed in (their menu, the sign-out form's token) and the
    plans they can switch to, so its tag includes those; a message waiting to be shown (a
    flash) is shown once, so such a page gets no tag at all."""
    parts: list[object] = [key]
    if per_person:
        if session.get("_flashes") or session.get("saved_draft"):
            return None
        generate_csrf()  # the session's token, made now if this is its first page
        parts += [current_user.id, current_user.role, session.get("csrf_token")]
        parts += [(plan.id, plan.name) for plan in visible_plans()]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def conditional(tag: str | None) -> Response | None:
    """304 Not Modified when the asker already holds the answer with this tag."""
    if tag is not None and tag in request.if_none_match:
        response = Response(status=304)
        revalidate_each_time(response, tag)
        return response
    return None


def revalidate_each_time(response: Response, tag: str | None) -> Response:
    """Kept only by this person's browser, and checked with us before each use: the tag
    changes with every write, so a kept copy is never shown out of date."""
    if tag is not None:
        response.set_etag(tag)
        response.headers["Cache-Control"] = "private, no-cache"
    return response
