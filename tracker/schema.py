"""Schema migrations (Flask-Migrate over Alembic), loaded only where something migrates.

A web worker never migrates, and Alembic with Mako would cost each one about 11 MB. The
`flask db …` commands and code that migrates (the test suite's template databases) bind
Flask-Migrate to the app on first use instead of at start-up.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, g
from flask.cli import ScriptInfo, with_appcontext

from tracker.extensions import db

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent.parent / "migrations"


def enable_migrations(app: Flask) -> None:
    """Bind Flask-Migrate to the app, so `flask_migrate.upgrade()` and the rest work in it."""
    from flask_migrate import Migrate

    if "migrate" not in app.extensions:
        Migrate(app, db, directory=str(MIGRATIONS_DIRECTORY))


class MigrationCommands(click.Group):
    """`flask db`: Flask-Migrate's own commands, imported when the command line asks."""

    def _flask_migrate_group(self, ctx: click.Context) -> click.Group:
        from flask_migrate.cli import db as flask_migrate_group

        enable_migrations(ctx.ensure_object(ScriptInfo).load_app())
        return flask_migrate_group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._flask_migrate_group(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._flask_migrate_group(ctx).get_command(ctx, cmd_name)


@click.group("db", cls=MigrationCommands)
@click.option("-d", "--directory", default=None, help="Migration script directory.")
@click.option("-x", "--x-arg", multiple=True, help="Arguments for a custom env.py.")
@with_appcontext
def migration_commands(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Database migrations (Flask-Migrate): upgrade, downgrade, current, history, …"""
    # What Flask-Migrate's own `db` group does: its commands read these from g.
    g.directory = directory
    g.x_arg = x_arg
