"""Two-factor secrets encrypted at rest with the keys in ENCRYPTION_KEYS.

Revision ID: 9c3e6a1b4d52
Revises: 8b2d5f0a3c41
Create Date: 2026-12-02 01:00:00

"""

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app

# revision identifiers, used by Alembic.
revision = "9c3e6a1b4d52"
down_revision = "8b2d5f0a3c41"
branch_labels = None
depends_on = None

user_account = sa.table(
    "user_account", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String)
)


def _keyring() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in current_app.config["ENCRYPTION_KEYS"]])


def _rewrite_secrets(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(user_account.c.id, user_account.c.totp_secret).where(
            user_account.c.totp_secret.is_not(None)
        )
    ).all()
    for user_id, secret in rows:
        connection.execute(
            user_account.update()
            .where(user_account.c.id == user_id)
            .values(totp_secret=change(secret))
        )


def upgrade():
    # A Fernet token of a 32-character secret is 140 characters.
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=255)
        )
    keyring = _keyring()
    _rewrite_secrets(lambda secret: keyring.encrypt(secret.encode()).decode())


def downgrade():
    keyring = _keyring()
    _rewrite_secrets(lambda token: keyring.decrypt(token.encode()).decode())
    with op.batch_alter_table("user_account") as batch:
        batch.alter_column(
            "totp_secret", existing_type=sa.String(length=255), type_=sa.String(length=64)
        )
