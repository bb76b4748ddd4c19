"""The one place that reads htmx request headers."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template
from htmx_flask import request


def wants_partial() -> bool:
    """True for an htmx request that swaps part of the page (not boosted, not history)."""
    return bool(request.htmx) and not (request.htmx.boosted or request.htmx.history_restore_request)


def render_page_or_partial(page: str, partial: str, status: int = 200, **context: Any) -> Response:
    """Render only the fragment for an htmx swap, the whole page otherwise."""
    template = partial if wants_partial() else page
    response = make_response(render_template(template, **context), status)
    # Caches must not serve a fragment to a full-page request for the same URL, or vice versa.
    response.vary.add("HX-Request")
    return response
