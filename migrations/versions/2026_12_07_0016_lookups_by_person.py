"""Indexes on the person's side of the lead and responsible tables: the list of actions a
person may update starts from their own few rows there, found by an index seek rather than
by reading the whole table (which grows with every plan and year kept).

Revision ID: 5c2f8a7e1b90
Revises: 3e7a1c9b5d24
Create Date: 2026-12-07 05:10:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = '5c2f8a7e1b90'
down_revision = '3e7a1c9b5d24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_priority_lead_user_id', 'priority_lead', ['user_id'])
    op.create_index('ix_action_responsible_user_user_id', 'action_responsible_user', ['user_id'])


def downgrade():
    op.drop_index('ix_action_responsible_user_user_id', table_name='action_responsible_user')
    op.drop_index('ix_priority_lead_user_id', table_name='priority_lead')
