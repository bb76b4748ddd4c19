"""Reading numbers from addresses and query strings without trusting their size.

A database key is a 32-bit integer on PostgreSQL and SQLite refuses integers beyond 64 bits, so
a crafted `?priority=99999999999999999999` or `/actions/1e30` must be "no such record", not a
database error.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

LARGEST_RECORD_ID = 2**31 - 1


def record_id(text: str) -> int:
    """For `request.args.get(name, type=record_id)`: a possible record id, else ValueError
    (which `get` turns into None, as for any other unreadable value)."""
    value = int(text)
    if not 1 <= value <= LARGEST_RECORD_ID:
        raise ValueError(f"{text!r} is not a record id")
    return value


def record_id_or_none(text: str | None) -> int | None:
    """A record id typed into a form field (a choice, a hidden field), or None if it cannot
    be one."""
    try:
        return record_id(text) if text else None
    except ValueError:
        return None


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in routes: an address with a number too large for a key is not found."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's own parameter name
        kwargs.setdefault("max", LARGEST_RECORD_ID)
        super().__init__(map, *args, **kwargs)


NUL_REFUSED = (
    "The address or the form contained a NUL character, which no field can hold. "
    "Nothing was saved: retype the text rather than pasting it from that source, and try again."
)


def refuse_nul_characters() -> None:
    """No text in the database can hold U+0000 (PostgreSQL refuses it outright), so a query
    string or form carrying one is refused before any view reads it."""
    fields = [*request.args.items(multi=True)]
    if request.method == "POST" and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        fields += request.form.items(multi=True)
    if any("\x00" in name or "\x00" in value for name, value in fields):
        abort(400, description=NUL_REFUSED)
