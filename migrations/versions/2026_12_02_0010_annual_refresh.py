"""The annual refresh: draft versions, what continues what, and decisions on actions.

A plan version can be a draft (at most one per plan) that records the version it was
refreshed from, the agreement's own version number, and when it was published. Priorities
and themes record the ones of the version before that they continue; indicators the one
whose readings are their history. Each active action gets a decision in the refresh.

Revision ID: 4d7b2e8f1a63
Revises: 9c3e6a1b4d52
Create Date: 2026-12-02 04:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4d7b2e8f1a63"
down_revision = "9c3e6a1b4d52"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("agreement_version", sa.String(20), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("changes", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(
            sa.Column("is_draft", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("based_on_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_plan_version_based_on_id_plan_version", "plan_version", ["based_on_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_plan_version_published_by_id_user_account",
            "user_account",
            ["published_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "draft_is_not_current", "NOT (is_current AND is_draft)"
        )
        batch_op.create_index(
            "uq_plan_version_one_draft_per_plan",
            ["plan_id"],
            unique=True,
            sqlite_where=sa.text("is_draft = 1"),
            postgresql_where=sa.text("is_draft"),
        )

    for table in ("priority", "theme"):
        op.create_table(
            f"{table}_predecessor",
            sa.Column(f"{table}_id", sa.Integer(), nullable=False),
            sa.Column("predecessor_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([f"{table}_id"], [f"{table}.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["predecessor_id"], [f"{table}.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint(f"{table}_id", "predecessor_id"),
        )

    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("continues_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_indicator_continues_id_indicator", "indicator", ["continues_id"], ["id"]
        )

    op.create_table(
        "refresh_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_version_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('carry', 'complete', 'close')", name="outcome_known"
        ),
        sa.CheckConstraint(
            "(outcome = 'carry') = (priority_id IS NOT NULL)", name="carry_has_priority"
        ),
        sa.ForeignKeyConstraint(["draft_version_id"], ["plan_version.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"]),
        sa.ForeignKeyConstraint(["priority_id"], ["priority.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_version_id", "action_id"),
    )
    op.create_index(
        "ix_refresh_decision_draft_version_id", "refresh_decision", ["draft_version_id"]
    )
    op.create_table(
        "refresh_decision_theme",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["refresh_decision.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("decision_id", "theme_id"),
    )


def downgrade():
    op.drop_table("refresh_decision_theme")
    op.drop_index("ix_refresh_decision_draft_version_id", table_name="refresh_decision")
    op.drop_table("refresh_decision")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_constraint("fk_indicator_continues_id_indicator", type_="foreignkey")
        batch_op.drop_column("continues_id")
    op.drop_table("theme_predecessor")
    op.drop_table("priority_predecessor")
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.drop_index("uq_plan_version_one_draft_per_plan")
        batch_op.drop_constraint("draft_is_not_current", type_="check")
        batch_op.drop_constraint(
            "fk_plan_version_published_by_id_user_account", type_="foreignkey"
        )
        batch_op.drop_constraint("fk_plan_version_based_on_id_plan_version", type_="foreignkey")
        for column in (
            "published_by_id",
            "published_at",
            "based_on_id",
            "is_draft",
            "changes",
            "agreement_version",
        ):
            batch_op.drop_column(column)
