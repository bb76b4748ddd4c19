"""Command line: `flask --app wsgi send-reminders`, safe to run every hour."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.reminders.senders import sender_from_config
from tracker.reminders.services import local_today, plans_due_reminders, send_reminders


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Say who would get which reminder, and send nothing.")
@click.option(
    "--on",
    "on_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Work as if today were this date (YYYY-MM-DD), to check a schedule.",
)
@with_appcontext
def send_reminders_command(dry_run: bool, on_day: object) -> None:
    """E-mail each person who owes updates one digest per stage: N days before the due date,
    on it, and once overdue. Each stage goes once; failures are retried on the next run."""
    today = on_day.date() if on_day is not None else local_today()  # type: ignore[attr-defined]
    planned = plans_due_reminders(db.session, today)
    for plan in planned:
        stage = plan.stage.label.lower() if plan.stage else "none"
        click.echo(f"{plan.plan.name}: {len(plan.to_send)} to send (stage: {stage})")
        if plan.reason:
            click.echo(f"  {plan.reason}")
        for digest in plan.digests:
            state = "already sent" if digest.already_sent else "given up" if digest.given_up else ""
            click.echo(
                f"  {digest.person.name} <{digest.person.email}>: "
                f"{len(digest.actions)} action(s){f' ({state})' if state else ''}"
            )
    if not planned:
        click.echo("No plan has reminders turned on.")
    if dry_run:
        return
    sender = sender_from_config(current_app.config)
    if sender is None:
        raise click.ClickException(
            "No e-mail sender is set up: set SMTP_HOST and MAIL_FROM, or NOTIFY_API_KEY and "
            "its template ids (see the README, E-mail reminders)"
        )
    report = send_reminders(db.session, sender, planned, current_app.config["PUBLIC_URL"])
    for digest, error in report.failed:
        click.echo(f"Failed: {digest.person.email}: {error}", err=True)
    click.echo(f"Reminders: {report.summary()}.")
    if report.failed:
        raise SystemExit(1)
