"""Spreadsheets uploaded for import, kept until their uploader confirms the preview.

Revision ID: 8b2d5f0a3c41
Revises: 7a1c4e9b2d30
Create Date: 2026-12-01 22:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8b2d5f0a3c41"
down_revision = "7a1c4e9b2d30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_version.id"],
            name=op.f("fk_pending_import_plan_version_id_plan_version"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_pending_import_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_import")),
    )


def downgrade():
    op.drop_table("pending_import")
