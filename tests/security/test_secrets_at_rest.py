"""Two-factor secrets are encrypted in the database, and the keys can be rotated."""

from __future__ import annotations

import pyotp
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import select, text

from tests.conftest import make_app, run_cli, sign_in
from tests.support.factories import TEST_PASSWORD, make_user
from tracker.extensions import db
from tracker.models import User
from tracker.schema import enable_migrations


def stored_secret(session, user_id: int) -> str:
    """What the database itself holds, bypassing the model's decryption."""
    return session.execute(
        text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user_id}
    ).scalar_one()


def test_the_database_never_holds_the_secret_itself(session):
    secret = pyotp.random_base32()
    user = make_user(session, two_factor=True, totp_secret=secret)
    session.commit()
    stored = stored_secret(session, user.id)
    assert secret not in stored
    assert Fernet(_key()).decrypt(stored.encode()) == secret.encode()
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret, "the app reads it back"


def _key() -> str:
    from flask import current_app

    return current_app.config["ENCRYPTION_KEYS"][0]


def test_a_user_signs_in_with_codes_after_the_keys_are_rotated(app, session, tmp_path):
    user = make_user(session, two_factor=True)
    user_id, email, secret = user.id, user.email, user.totp_secret
    session.commit()
    old_key = app.config["ENCRYPTION_KEYS"][0]
    new_key = Fernet.generate_key().decode()

    rotating = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path / "rotating",
        ENCRYPTION_KEYS=[new_key, old_key],
    )
    result = run_cli(rotating, ["rotate-encryption-keys"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 two-factor secret with the first key" in result.output

    only_new = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "new", ENCRYPTION_KEYS=[new_key]
    )
    with only_new.app_context():
        stored = stored_secret(db.session, user_id)
        assert Fernet(new_key).decrypt(stored.encode()) == secret.encode()
    client = only_new.test_client()
    assert sign_in(client, email, TEST_PASSWORD, secret).status_code == 302
    assert client.get("/account").status_code == 200, "signed in with a code after rotation"
    for rotated in (rotating, only_new):
        with rotated.app_context():
            db.engine.dispose()


def test_rotating_without_the_old_key_fails_clearly_and_changes_nothing(app, session, tmp_path):
    user = make_user(session, two_factor=True)
    session.commit()
    before = stored_secret(session, user.id)
    wrong = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path / "wrong",
        ENCRYPTION_KEYS=[Fernet.generate_key().decode()],
    )
    result = run_cli(wrong, ["rotate-encryption-keys"])
    assert result.exit_code == 1
    assert "cannot be decrypted with any key in ENCRYPTION_KEYS" in result.output
    with wrong.app_context():
        db.engine.dispose()
    session.expire_all()
    assert stored_secret(session, user.id) == before


def test_the_migration_encrypts_secrets_stored_before_it(databases, tmp_path):
    url = databases.create_empty()
    app = make_app(url, tmp_path / "instance")
    enable_migrations(app)
    secret = pyotp.random_base32()
    try:
        with app.app_context():
            upgrade(revision="8b2d5f0a3c41")  # the schema before secrets were encrypted
            db.session.execute(
                text(
                    "INSERT INTO user_account (email, name, role, active, created_at,"
                    " session_token, totp_secret) VALUES ('old@example.org', 'Old', 'lead',"
                    " :true, CURRENT_TIMESTAMP, 'token-1', :secret)"
                ),
                {"secret": secret, "true": True},
            )
            db.session.commit()
            upgrade()
            stored = db.session.execute(text("SELECT totp_secret FROM user_account")).scalar_one()
            assert secret not in stored
            assert db.session.scalar(select(User.totp_secret)) == secret
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        databases.drop(url)
