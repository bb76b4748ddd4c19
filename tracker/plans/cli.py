"""Command line: loading the demo plan."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.plans.demo import (
    database_has_plans,
    demo_plan_loaded,
    demo_sign_ins,
    load_demo_plan,
)
from tracker.plans.demo_content import DEMO_PASSWORD


@click.command("seed-demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only load the demo plan when the database has no plan at all.",
)
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo plan, its users and a year of progress (safe to run again)."""
    if if_empty and demo_plan_loaded(db.session):
        click.echo("The demo plan is already loaded.")
    elif if_empty and database_has_plans(db.session):
        click.echo("The database already has a plan; the demo plan was not loaded.")
    else:
        click.echo(load_demo_plan(db.session).message)
    if not demo_plan_loaded(db.session):
        return
    click.echo()
    click.echo(f"Demo sign-ins (password for each: {DEMO_PASSWORD}):")
    for sign_in in demo_sign_ins():
        click.echo(f"  {sign_in.email:<28} {sign_in.role:<12} {sign_in.description}")
