"""Reading a page as a person would: the message shown next to a form field."""

from __future__ import annotations

import re
from html import unescape


def field_error(html: str, field: str) -> str:
    """The message shown next to a field (GOV.UK error message markup), as read."""
    match = re.search(rf'id="{field}-error"[^>]*>\s*<span[^>]*>Error:</span>\s*([^<]+)', html)
    return unescape(match.group(1).strip()) if match else ""
