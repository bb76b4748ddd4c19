"""Grant-funded projects: a funder's pot for a financial year, and the projects it pays for,
each linked to the priorities it supports.

Revision ID: 8d4b2e6f0a17
Revises: 5c2f8a9e1d63
Create Date: 2026-12-02 18:31:31

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8d4b2e6f0a17'
down_revision = '5c2f8a9e1d63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grant_pot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('funder', sa.String(length=200), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("length(trim(funder, ' \t\n\r')) > 0", name=op.f('ck_grant_pot_funder_not_blank')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_grant_pot_amount_not_negative')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_grant_pot_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_pot')),
    sa.UniqueConstraint('plan_id', 'funder', 'financial_year', name=op.f('uq_grant_pot_plan_id_funder_financial_year'))
    )
    with op.batch_alter_table('grant_pot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_pot_plan_id'), ['plan_id'], unique=False)

    op.create_table('grant_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pot_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('lead_organisation', sa.String(length=200), server_default='', nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('achieved', sa.Text(), server_default='', nullable=False),
    sa.Column('reach', sa.Integer(), nullable=True),
    sa.Column('reach_measure', sa.String(length=100), server_default='', nullable=False),
    sa.Column('over_allocation_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("length(trim(name, ' \t\n\r')) > 0", name=op.f('ck_grant_project_name_not_blank')),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'delivered', 'withdrawn')", name=op.f('ck_grant_project_status_known')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_grant_project_amount_not_negative')),
    sa.CheckConstraint('reach IS NULL OR reach >= 0', name=op.f('ck_grant_project_reach_not_negative')),
    sa.CheckConstraint('start_date IS NULL OR end_date IS NULL OR end_date >= start_date', name=op.f('ck_grant_project_end_not_before_start')),
    sa.ForeignKeyConstraint(['pot_id'], ['grant_pot.id'], name=op.f('fk_grant_project_pot_id_grant_pot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_project'))
    )
    with op.batch_alter_table('grant_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_project_pot_id'), ['pot_id'], unique=False)

    op.create_table('grant_project_priority',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_grant_project_priority_priority_id_priority'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['grant_project.id'], name=op.f('fk_grant_project_priority_project_id_grant_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'priority_id', name=op.f('pk_grant_project_priority'))
    )


def downgrade():
    op.drop_table('grant_project_priority')
    with op.batch_alter_table('grant_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_project_pot_id'))

    op.drop_table('grant_project')
    with op.batch_alter_table('grant_pot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_pot_plan_id'))

    op.drop_table('grant_pot')
