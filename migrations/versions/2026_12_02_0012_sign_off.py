"""Sign-off, and each plan's own status scale.

Sign-off: the plan says whether; a priority can name its sign-off person; an update records
whether it needed sign-off when written; each decision (approved, or returned with a reason)
is its own append-only row, one per update.

Status scales: a plan uses red/amber/green (as before), BRAG (blue for complete) or the
five-point delivery confidence scale, with its own definitions; an update's status can be
any status of those scales.

Revision ID: 3e8b6d1f7c25
Revises: 7a1c5e9d2b40
Create Date: 2026-12-02 17:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3e8b6d1f7c25"
down_revision = "7a1c5e9d2b40"
branch_labels = None
depends_on = None


OLD_RAG = "rag IN ('red', 'amber', 'green')"
NEW_RAG = "rag IN ('red', 'amber_red', 'amber', 'amber_green', 'green', 'blue')"


def upgrade():
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sign_off_required", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("status_scale", sa.String(20), server_default="rag", nullable=False)
        )
        batch_op.add_column(
            sa.Column("status_definitions", sa.JSON(none_as_null=True), nullable=True)
        )
        batch_op.create_check_constraint(
            "status_scale_known", "status_scale IN ('rag', 'brag', 'five_point')"
        )
    _change_rag_check(NEW_RAG, 20)
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sign_off_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_priority_sign_off_by_id_user_account", "user_account", ["sign_off_by_id"], ["id"]
        )
    # A plain ADD COLUMN (no table rebuild), so action_update keeps its append-only triggers.
    op.add_column(
        "action_update",
        sa.Column("needs_sign_off", sa.Boolean(), server_default=sa.false(), nullable=False),
    )

    op.create_table(
        "update_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('approved', 'returned')", name=op.f("ck_update_review_decision_known")
        ),
        sa.CheckConstraint(
            "decision = 'approved' OR length(trim(reason)) > 0",
            name=op.f("ck_update_review_return_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["update_id"], ["action_update.id"], name=op.f("fk_update_review_update_id_action_update")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user_account.id"],
            name=op.f("fk_update_review_reviewer_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_review")),
        sa.UniqueConstraint("update_id", name=op.f("uq_update_review_update_id")),
    )
    op.create_index("ix_update_review_reviewer_id", "update_review", ["reviewer_id"])
    _append_only("update_review")


def _change_rag_check(condition, width):
    """The statuses an update may hold ("amber_green" needs a wider column). SQLite rebuilds
    the table to change a CHECK, and the table's append-only triggers go with the old one, so
    they are made again."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_action_update_rag_known"), "action_update", type_="check")
        op.alter_column("action_update", "rag", type_=sa.String(width))
        op.create_check_constraint("rag_known", "action_update", condition)
        return
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_constraint("rag_known", type_="check")
        batch_op.alter_column("rag", type_=sa.String(width))
        batch_op.create_check_constraint("rag_known", condition)
    for operation in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS action_update_no_{operation.lower()}")
        op.execute(
            f"CREATE TRIGGER action_update_no_{operation.lower()} BEFORE {operation} "
            f"ON action_update BEGIN SELECT RAISE(ABORT, 'action_update rows are "
            f"append-only: {operation} is not allowed'); END"
        )


def _append_only(table):
    """UPDATE and DELETE fail in the database itself, as for updates and audit events (the
    PostgreSQL function is the one the first migration created)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: "
                f"{operation} is not allowed'); END"
            )


def downgrade():
    op.drop_index("ix_update_review_reviewer_id", table_name="update_review")
    op.drop_table("update_review")  # its triggers go with it
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_column("needs_sign_off")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilt the table, and its triggers went with the old one.
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER action_update_no_{operation.lower()} BEFORE {operation} "
                f"ON action_update BEGIN SELECT RAISE(ABORT, 'action_update rows are "
                f"append-only: {operation} is not allowed'); END"
            )
    with op.batch_alter_table("priority", schema=None) as batch_op:
        batch_op.drop_constraint("fk_priority_sign_off_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("sign_off_by_id")
    # Updates are append-only: with statuses of the newer scales in use, this step fails
    # rather than deleting them.
    _change_rag_check(OLD_RAG, 10)
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("status_scale_known", type_="check")
        batch_op.drop_column("status_definitions")
        batch_op.drop_column("status_scale")
        batch_op.drop_column("sign_off_required")
