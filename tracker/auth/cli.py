"""Command line: creating users (the first admin of a new deployment) and resetting passwords."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker.audit import acting_as, record_account_event
from tracker.auth.accounts import AccountError, create_user, set_password
from tracker.encryption import SecretUnreadable, rotate_encryption
from tracker.extensions import db
from tracker.models import Organisation, PlanVersion, Priority, Role, User


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@click.command("create-user")
@click.option("--email", required=True, help="Email address; the user signs in with it.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--organisation", help="Organisation name (created if new).")
@click.option(
    "--lead-of",
    "lead_of",
    multiple=True,
    metavar="PRIORITY",
    help="Name of a priority in a current plan version that the user leads; repeatable.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(
    email: str,
    name: str,
    role: str,
    organisation: str | None,
    lead_of: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Create a user with a password (prompted for, never given on the command line)."""
    priorities: list[Priority] = []
    for priority_name in lead_of:
        matches = db.session.scalars(
            select(Priority)
            .join(PlanVersion)
            .where(Priority.name == priority_name, PlanVersion.is_current.is_(True))
        ).all()
        if not matches:
            _fail(f"No priority called '{priority_name}' in a current plan version")
        priorities.extend(matches)
    organisation_row = None
    if organisation:
        organisation_row = db.session.scalar(
            select(Organisation).where(Organisation.name == organisation.strip())
        ) or Organisation(name=organisation.strip())
    password = _read_password(password_stdin)
    with acting_as(None):
        try:
            user = create_user(
                db.session,
                email=email,
                name=name,
                role=role,
                organisation=organisation_row,
                lead_of=priorities,
            )
            set_password(user, password)
        except AccountError as error:
            _fail(str(error))
        db.session.flush()
        record_account_event(db.session, "user_created_from_cli", user)
        db.session.commit()
    click.echo(f"Created {user.role} {user.name} <{user.email}>.")


@click.command("reset-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def reset_password_command(email: str, password_stdin: bool) -> None:
    """Set a user's password (prompted for); signs them out everywhere."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _fail(f"No user with the email address {email}")
    assert user is not None
    password = _read_password(password_stdin)
    try:
        set_password(user, password)
    except AccountError as error:
        _fail(str(error))
    record_account_event(db.session, "password_reset_from_cli", user)
    db.session.commit()
    click.echo(f"Password changed for {user.email}; their other sessions have been signed out.")


@click.command("rotate-encryption-keys")
@with_appcontext
def rotate_encryption_keys_command() -> None:
    """Re-encrypt two-factor secrets with the first key in ENCRYPTION_KEYS.

    Put the new key first, keep the old ones after it, run this, then drop the old keys.
    """
    try:
        count = rotate_encryption(db.session)
    except SecretUnreadable as error:
        _fail(str(error))
    db.session.commit()
    click.echo(
        f"Re-encrypted {count} two-factor secret{'' if count == 1 else 's'} "
        "with the first key in ENCRYPTION_KEYS."
    )
