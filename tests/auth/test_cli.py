"""Creating users and resetting passwords from the command line."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import sign_in
from tracker.models import User


def run(app, *args: str, password: str = ""):
    return app.test_cli_runner().invoke(args=list(args), input=password + "\n")


def test_first_admin_is_created_from_the_command_line(app, client, session):
    assert session.scalar(select(User.id)) is None, "a fresh database has no account"
    result = run(
        app,
        "create-user",
        "--email",
        "First.Admin@example.org",
        "--name",
        "First Admin",
        "--role",
        "admin",
        "--organisation",
        "Kent County Council",
        "--password-stdin",
        password="sunlit harbour crossing",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin First Admin <first.admin@example.org>" in result.output
    user = session.scalar(select(User).where(User.email == "first.admin@example.org"))
    assert user.organisation.name == "Kent County Council"
    assert "sunlit harbour crossing" not in result.output
    response = sign_in(client, "first.admin@example.org", "sunlit harbour crossing")
    assert response.headers["Location"].startswith("/login/two-factor"), "admins must enrol"


def test_password_is_prompted_for_twice_when_not_piped(app, session):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "v@example.org", "--name", "Vee", "--role", "viewer"],
        input="a good long passphrase\na good long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output


def test_create_user_with_lead_priorities(app, session, demo_plan):
    result = run(
        app,
        "create-user",
        "--email",
        "l@example.org",
        "--name",
        "Lee",
        "--role",
        "lead",
        "--lead-of",
        "Road Safety",
        "--lead-of",
        "Domestic Abuse",
        "--password-stdin",
        password="a good long passphrase",
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "l@example.org"))
    assert sorted(p.name for p in user.led_priorities) == ["Domestic Abuse", "Road Safety"]


def test_create_user_errors_are_clear_and_save_nothing(app, session, demo_plan):
    count = len(session.scalars(select(User.id)).all())
    cases = [
        (
            ["--email", "x@example.org", "--name", "X", "--role", "lead", "--lead-of", "Knitting"],
            "No priority called 'Knitting'",
        ),
        (["--email", "viewer@example.org", "--name", "X", "--role", "viewer"], "already exists"),
        (["--email", "nope", "--name", "X", "--role", "viewer"], "correct format"),
        (["--email", "y@example.org", "--name", "X", "--role", "viewer"], "at least 12 characters"),
    ]
    for arguments, message in cases:
        password = "short" if "y@example.org" in arguments else "a good long passphrase"
        result = run(app, "create-user", *arguments, "--password-stdin", password=password)
        assert result.exit_code == 1, arguments
        assert message in result.output
    bad_role = run(
        app,
        "create-user",
        "--email",
        "z@example.org",
        "--name",
        "Z",
        "--role",
        "boss",
        "--password-stdin",
    )
    assert bad_role.exit_code == 2
    assert len(session.scalars(select(User.id)).all()) == count


def test_reset_password_signs_the_user_out_everywhere(app, client, session, demo_plan):
    sign_in(client, "viewer@example.org", "amber-lantern-orchard-42")
    result = run(
        app,
        "reset-password",
        "--email",
        "viewer@example.org",
        "--password-stdin",
        password="a replacement pass phrase",
    )
    assert result.exit_code == 0, result.output
    assert client.get("/account").status_code == 302
    assert (
        sign_in(app.test_client(), "viewer@example.org", "a replacement pass phrase").status_code
        == 302
    )
    unknown = run(
        app,
        "reset-password",
        "--email",
        "ghost@example.org",
        "--password-stdin",
        password="whatever it is here",
    )
    assert unknown.exit_code == 1 and "No user with the email address" in unknown.output
