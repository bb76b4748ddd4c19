"""Index for an action's latest update within a reporting period (the roll-up).

Revision ID: 5d2f0c7e9a41
Revises: a170b1f9e865
Create Date: 2026-11-22 13:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5d2f0c7e9a41"
down_revision = "a170b1f9e865"
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX: no table rebuild, so the append-only triggers stay in place.
    op.create_index(
        "ix_action_update_period_latest",
        "action_update",
        ["action_id", "period_id", "recorded_at", "id"],
    )


def downgrade():
    op.drop_index("ix_action_update_period_latest", table_name="action_update")
