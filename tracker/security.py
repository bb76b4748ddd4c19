"""Security headers for every response."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request

# No inline script or style anywhere: scripts and styles come from our own static files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    """Set CSP and related headers unless a view has chosen its own."""
    if current_app.config.get("SEND_HSTS"):
        # Browsers then refuse plain HTTP to this host for a year, even if a link says http://.
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        # Pages and downloads hold a partnership's data: no browser or proxy keeps a copy, so
        # the Back button after signing out on a shared computer shows nothing.
        # A view whose answer is safe to keep for this person alone (the roll-up, with its
        # ETag) says so itself; signing out then clears what the browser kept.
        response.headers.setdefault("Cache-Control", "no-store")
    if g.get("clear_browser_cache"):
        response.headers["Clear-Site-Data"] = '"cache"'
    return response


def init_security(app: Flask) -> None:
    """Register the security hooks on the app."""
    app.after_request(add_security_headers)
