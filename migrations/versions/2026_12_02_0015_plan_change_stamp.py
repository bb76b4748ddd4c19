"""The plan's change stamp: drawn afresh with every write that can change its roll-up, so a
roll-up computed at one stamp can be served again until the stamp changes. Existing plans
start at 0; their first write gives them a random stamp.

Revision ID: 3e7a1c9b5d24
Revises: 8d4b2e6f0a17
Create Date: 2026-12-02 21:50:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3e7a1c9b5d24'
down_revision = '8d4b2e6f0a17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('change_stamp', sa.BigInteger(), server_default=sa.text('0'), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('change_stamp')
