"""Backing up the whole database to one file, and restoring it.

SQLite is copied with its online backup API (a consistent copy while the app keeps serving);
PostgreSQL with pg_dump's custom format, restored with pg_restore. A backup restores into the
same kind of database it came from.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect, literal, make_url, select, table
from sqlalchemy.engine import Engine

from tracker.extensions import db
from tracker.files import replaced_atomically

SQLITE_MAGIC = b"SQLite format 3\0"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """Why a backup or restore could not be done; the message is for the operator as is."""


def backup_database(engine: Engine, output: Path) -> str:
    """Write a backup of the database to `output` (replaced only when complete); what kind."""
    url = engine.url
    with replaced_atomically(output) as partial:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(engine), partial)
            return "SQLite"
        _run_pg_tool("pg_dump", ["--format=custom", "--no-owner", f"--file={partial}"], engine)
        return "PostgreSQL"


def restore_database(engine: Engine, backup: Path, force: bool) -> str:
    """Replace the database's contents with the backup's; refuses a database that holds data
    unless forced. What kind of backup it was."""
    kind = _kind_of(backup)
    backend = engine.url.get_backend_name()
    if (kind == "SQLite") != (backend == "sqlite"):
        raise BackupError(
            f"{backup} is a {kind} backup, but DATABASE_URL is a "
            f"{'SQLite' if backend == 'sqlite' else 'PostgreSQL'} database: restore it into "
            "the same kind of database it came from"
        )
    if not force and holds_data(engine):
        raise BackupError(
            "the database already holds data: restoring would replace all of it. "
            "Back it up first, then run restore again with --force"
        )
    if kind == "SQLite":
        engine.dispose()
        _sqlite_backup(backup, _sqlite_path(engine))
    else:
        engine.dispose()
        _run_pg_tool(
            "pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(backup)],
            engine,
            database_flag=True,
        )
    return kind


def holds_data(engine: Engine) -> bool:
    """True if any table (other than the migration marker) has a row."""
    with engine.connect() as connection:
        tables = [
            name for name in inspect(connection).get_table_names() if name != "alembic_version"
        ]
        for name in tables:
            if connection.execute(select(literal(1)).select_from(table(name)).limit(1)).first():
                return True
    return False


def _kind_of(backup: Path) -> str:
    try:
        with open(backup, "rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {backup}: {error.strerror}") from None
    if start.startswith(SQLITE_MAGIC):
        return "SQLite"
    if start.startswith(PG_DUMP_MAGIC):
        return "PostgreSQL"
    raise BackupError(f"{backup} is not a backup made by this command (neither SQLite nor pg_dump)")


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _sqlite_backup(source: Path, destination: Path) -> None:
    """Copy one SQLite database onto another, page by page, with SQLite's own backup API."""
    try:
        reading = sqlite3.connect(source)
        try:
            writing = sqlite3.connect(destination)
            try:
                reading.backup(writing)
                check = writing.execute("PRAGMA integrity_check").fetchone()
            finally:
                writing.close()
        finally:
            reading.close()
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy the database: {error}") from None
    if not check or check[0] != "ok":
        raise BackupError(f"the copy failed SQLite's integrity check: {check}")


def _postgres_tool(name: str) -> str:
    """The newest Debian build of the tool (it must be at least the server's version)."""
    builds = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    found = builds[-1] if builds else shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found: install PostgreSQL's client tools (postgresql-client)"
        )
    return found


def _run_pg_tool(
    name: str, arguments: list[str], engine: Engine, database_flag: bool = False
) -> None:
    url = make_url(engine.url.render_as_string(hide_password=False))
    environment = {**os.environ}
    if url.password:
        # In the environment, not on the command line, where ps would show it.
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    target = [f"--dbname={plain}"] if database_flag else [plain]
    # The tool's path and every argument are ours (an argument list, never a shell).
    result = subprocess.run(  # noqa: S603
        [_postgres_tool(name), *arguments, *target],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{name} failed: {(result.stderr or result.stdout).strip()}")


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The backup file to write (replaced only once the new backup is complete).",
)
@with_appcontext
def backup_command(output: Path) -> None:
    """Back up the whole database (every plan, update, report and the audit trail) to a file."""
    try:
        kind = backup_database(db.engine, output)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"could not write {output}: {error.strerror}") from None
    click.echo(f"Backed up the {kind} database to {output} ({output.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(backup: Path, force: bool) -> None:
    """Restore the database from a file made by `backup`. Stop the app first."""
    try:
        kind = restore_database(db.engine, backup, force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored the {kind} database from {backup}. Run `flask --app wsgi db upgrade` if the "
        "backup is from an older version of the tracker."
    )
