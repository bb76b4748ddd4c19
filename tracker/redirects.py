"""The one check for every redirect target a request supplies (`next`, `return_to`).

A browser reads `//host`, `/\\host` and `/\t/host` as "another site", and some decode
`%2F%2Fhost` first, so a target is followed only if it is plainly a path on this site.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def _is_plain_local_path(target: str) -> bool:
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return False
    # Control characters and whitespace (CR LF would split the Location header; browsers
    # strip tabs and newlines before parsing) and backslashes are never in our own paths.
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in target):
        return False
    if "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (the caller picks its own default)."""
    if not target:
        return None
    # The decoded form must also be a plain path: `/%2F%2Fevil` must not become `//evil`.
    if _is_plain_local_path(target) and _is_plain_local_path(unquote(target)):
        return target
    return None
