"""Versions on indicator readings and context narratives, and the narrative's source notes.

Revision ID: 9c41e7d2b6a0
Revises: 5d2f0c7e9a41
Create Date: 2026-11-22 14:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c41e7d2b6a0"
down_revision = "5d2f0c7e9a41"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("indicator_value", "priority_narrative"):
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    op.add_column(
        "priority_narrative",
        sa.Column("sources", sa.Text(), server_default="", nullable=False),
    )


def downgrade():
    with op.batch_alter_table("priority_narrative", schema=None) as batch_op:
        batch_op.drop_column("sources")
        batch_op.drop_column("version")
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_column("version")
