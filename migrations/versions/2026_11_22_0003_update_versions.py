"""Action versions for compare-and-set saves; red mitigation and completion on updates.

Revision ID: a170b1f9e865
Revises: 7b3cccf593b5
Create Date: 2026-11-22 12:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a170b1f9e865"
down_revision = "7b3cccf593b5"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table rebuild), so action_update keeps its append-only triggers.
    op.add_column(
        "action", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
    )
    op.add_column("action_update", sa.Column("mitigation_text", sa.Text(), nullable=True))
    op.add_column(
        "action_update",
        sa.Column("completes_action", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_column("completes_action")
        batch_op.drop_column("mitigation_text")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilt the table, and its triggers went with the old one.
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER action_update_no_{operation.lower()} BEFORE {operation} "
                f"ON action_update BEGIN SELECT RAISE(ABORT, 'action_update rows are "
                f"append-only: {operation} is not allowed'); END"
            )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("version")
