"""Database connection set-up shared by the app, the CLI and the tests."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import event, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from tracker.arguments import LARGEST_RECORD_ID
from tracker.config import ConfigError, database_url_for_display
from tracker.extensions import db


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite leaves foreign keys off by default; WAL lets readers and a writer overlap."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def engine_options_for(url: str, busy_seconds: float = 5.0) -> dict[str, Any]:
    """Engine options per backend: a bounded connect time for PostgreSQL, and how long a write
    waits for a lock someone else holds (SQLite retries until then) before it gives up and the
    person is told the tracker is busy."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["connect_args"] = {
            "connect_timeout": 10,
            "options": f"-c lock_timeout={int(busy_seconds * 1000)}",
        }
    else:
        options["connect_args"] = {"timeout": busy_seconds}
    return options


# What SQLite says when the file is busy or cannot be reached, as opposed to a fault in a
# query (it reports "no such table" as an OperationalError too).
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o error")


def database_is_unavailable(error: Exception) -> bool:
    """True for a lock timeout or a lost or refused connection: worth trying again later."""
    if isinstance(error, SQLAlchemyTimeoutError):
        return True  # no connection free in the pool
    if not isinstance(error, OperationalError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        return any(phrase in str(original).lower() for phrase in _SQLITE_UNAVAILABLE)
    # psycopg raises OperationalError for refused or dropped connections and lock timeouts;
    # faults in a query are ProgrammingError or DataError.
    return True


def check_database_reachable(app: Flask) -> None:
    """Connect once at start-up, so a wrong DATABASE_URL fails with one clear line."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise ConfigError(
                f"cannot connect to the database {database_url_for_display(url)}: {reason}"
            ) from None


def claim_version(session: Any, record: Any, loaded_version: int) -> bool:
    """Compare and set a record's `version` column in one statement: True if it still had the
    version its form was loaded with (and now has the next one), False if someone saved first.

    The statement is atomic in SQLite and PostgreSQL alike: of several saves made from the
    same loaded version, the first moves the version on and every other one matches no row.
    """
    if not 0 <= loaded_version <= LARGEST_RECORD_ID:
        return False  # a crafted version no row can have (and no database column can hold)
    model = type(record)
    claimed = session.execute(
        update(model)
        .where(model.id == record.id, model.version == loaded_version)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    session.expire(record, ["version"])
    return True


def commit_keeping_loaded_objects(session: Any) -> None:
    """Commit, leaving the objects this request loaded as they are instead of expired.

    For a save that answers with what it has just written (the card of an update saved in
    place): expiring would reload the action and each of its collections only to draw a
    card whose figures come from fresh queries anyway. Attributes the save expired itself
    (a claimed version) still reload.
    """
    session_itself = session()  # Flask-SQLAlchemy's session is scoped: this request's own
    expiring = session_itself.expire_on_commit
    session_itself.expire_on_commit = False
    try:
        session_itself.commit()
    finally:
        session_itself.expire_on_commit = expiring


def take_write_lock(session: Any, lock_id: int) -> None:
    """Make the rest of this transaction run one at a time among all that name `lock_id`.

    On PostgreSQL this takes a transaction-long advisory lock. SQLite has one writer at a time:
    a transaction whose first statement writes holds the write lock until it ends, so the
    caller starts a fresh transaction (commit first) and writes before it reads.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": lock_id})
