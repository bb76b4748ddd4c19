"""Command line: `flask --app wsgi import-plan FILE --plan NAME [--dry-run] [--by EMAIL]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker.audit import acting_as
from tracker.extensions import db
from tracker.imports.services import apply_import, preview_import
from tracker.models import Plan, PlanVersion, User


@click.command("import-plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", "plan_name", required=True, help="The plan to import into (its name).")
@click.option("--dry-run", is_flag=True, help="Print what would be created and change nothing.")
@click.option(
    "--by",
    "by_email",
    help="The user the import is recorded as (and the author of its progress updates).",
)
@with_appcontext
def import_plan_command(file: Path, plan_name: str, dry_run: bool, by_email: str | None) -> None:
    """Import actions from an .xlsx or .csv file into a plan's current version.

    Prints what would be created and every problem; exits 1 if there is any problem, and
    then imports nothing.
    """
    version = db.session.scalar(
        select(PlanVersion)
        .join(Plan)
        .where(func.lower(Plan.name) == plan_name.strip().lower(), PlanVersion.is_current)
    )
    if version is None:
        raise click.BadParameter(f"there is no plan called {plan_name}", param_hint="--plan")
    author = None
    if by_email:
        author = db.session.scalar(
            select(User).where(func.lower(User.email) == by_email.strip().lower(), User.active)
        )
        if author is None:
            raise click.BadParameter(f"no active user has the e-mail {by_email}", param_hint="--by")
    preview = preview_import(db.session, version, file.name, file.read_bytes(), author=author)
    for line in preview.summary_lines():
        click.echo(line)
    if preview.problems:
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)
    if not preview.new_actions:
        click.echo("Nothing new to import.")
        return
    if dry_run:
        click.echo("Dry run: nothing was imported.")
        return
    with acting_as(author):
        result = apply_import(db.session, version, preview, author=author)
        db.session.commit()
    click.echo(
        f"Imported {result.actions} actions ({result.updates} with progress) into "
        f"{version.plan.name} {version.label}."
    )
