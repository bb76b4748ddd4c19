"""Locked periods and e-mail reminders.

A reporting period records when it was closed and by whom: a closed period is locked until a
coordinator reopens it. Periods of the past that are no longer open count as closed. Each plan
says whether reminders go and how many days before the due date the first one goes; each
reminder sent (or tried) is a row, unique per period, person and stage.

Revision ID: 7a1c5e9d2b40
Revises: 4d7b2e8f1a63
Create Date: 2026-12-02 16:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7a1c5e9d2b40"
down_revision = "4d7b2e8f1a63"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reporting_period", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_reporting_period_closed_by_id_user_account",
            "user_account",
            ["closed_by_id"],
            ["id"],
        )
    # A period that is not open and has updates was open once: it is closed now.
    op.execute(
        "UPDATE reporting_period SET closed_at = CURRENT_TIMESTAMP "
        "WHERE NOT is_open AND EXISTS "
        "(SELECT 1 FROM action_update WHERE action_update.period_id = reporting_period.id)"
    )

    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminders_enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "reminder_days_before", sa.Integer(), server_default=sa.text("7"), nullable=False
            )
        )
        batch_op.create_check_constraint(
            "reminder_days_before_in_range", "reminder_days_before BETWEEN 1 AND 60"
        )

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("action_count", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "stage IN ('before_due', 'due_today', 'overdue')", name=op.f("ck_reminder_stage_known")
        ),
        sa.CheckConstraint(
            "status IN ('sending', 'sent', 'failed')", name=op.f("ck_reminder_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["reporting_period.id"], name=op.f("fk_reminder_period_id_reporting_period")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_reminder_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint("period_id", "user_id", "stage", name=op.f("uq_reminder_period_id_user_id_stage")),
    )
    op.create_index("ix_reminder_period_id", "reminder", ["period_id"])
    op.create_index("ix_reminder_user_id", "reminder", ["user_id"])


def downgrade():
    op.drop_index("ix_reminder_user_id", table_name="reminder")
    op.drop_index("ix_reminder_period_id", table_name="reminder")
    op.drop_table("reminder")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("reminder_days_before_in_range", type_="check")
        batch_op.drop_column("reminder_days_before")
        batch_op.drop_column("reminders_enabled")
    with op.batch_alter_table("reporting_period", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_reporting_period_closed_by_id_user_account", type_="foreignkey"
        )
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_at")
