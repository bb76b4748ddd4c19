"""Plan structure edits: versions for lost-update checks, and retiring instead of deleting.

Priorities, themes and indicators can be retired (they leave the plan but keep their
history); each of them and each organisation carries a version, compared on save.

Revision ID: 7a1c4e9b2d30
Revises: 3e8a6b1f7c52
Create Date: 2026-12-01 21:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7a1c4e9b2d30"
down_revision = "3e8a6b1f7c52"
branch_labels = None
depends_on = None

RETIRABLE = ("priority", "theme", "indicator")


def upgrade():
    for table in (*RETIRABLE, "organisation"):
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    for table in RETIRABLE:
        op.add_column(table, sa.Column("retired_at", sa.DateTime(), nullable=True))


def downgrade():
    for table in (*RETIRABLE, "organisation"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in RETIRABLE:
                batch_op.drop_column("retired_at")
            batch_op.drop_column("version")
