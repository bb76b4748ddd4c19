"""Initial schema: plans, priorities, themes, actions, updates, periods, indicators, audit.

Updates (action_update) and audit events are append-only, enforced by triggers here as well
as in the model layer. A later migration that rebuilds either table (SQLite batch mode copies
and drops the table) must create the triggers again.

Revision ID: 5cc31111f768
Revises: 
Create Date: 2026-11-22 11:48:22.387137

"""
from alembic import op
import sqlalchemy as sa


# Spaces, tabs and line breaks: text made only of these counts as blank.
BLANK = " \t\n\r"

# revision identifiers, used by Alembic.
revision = '5cc31111f768'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(f"length(trim(name, '{BLANK}')) > 0", name=op.f('ck_organisation_name_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(f"length(trim(name, '{BLANK}')) > 0", name=op.f('ck_plan_name_not_blank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan')),
    sa.UniqueConstraint('name', name=op.f('uq_plan_name'))
    )
    op.create_table('plan_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('change_log', sa.Text(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.CheckConstraint('version_number > 0', name=op.f('ck_plan_version_version_number_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_version_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_version')),
    sa.UniqueConstraint('plan_id', 'label', name=op.f('uq_plan_version_plan_id_label')),
    sa.UniqueConstraint('plan_id', 'version_number', name=op.f('uq_plan_version_plan_id_version_number'))
    )
    with op.batch_alter_table('plan_version', schema=None) as batch_op:
        batch_op.create_index('uq_plan_version_one_current_per_plan', ['plan_id'], unique=True, sqlite_where=sa.text('is_current = 1'), postgresql_where=sa.text('is_current'))

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'coordinator', 'lead', 'viewer')", name=op.f('ck_user_account_role_known')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_user_account_email_lower_case')),
    sa.CheckConstraint(f"length(trim(name, '{BLANK}')) > 0", name=op.f('ck_user_account_name_not_blank')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_user_account_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('verb', sa.String(length=50), nullable=False),
    sa.Column('entity_type', sa.String(length=50), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('client_address', sa.String(length=45), nullable=True),
    sa.CheckConstraint(f"length(trim(verb, '{BLANK}')) > 0", name=op.f('ck_audit_event_verb_not_blank')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_event_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('priority',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('includes', sa.Text(), nullable=False),
    sa.Column('lead_role', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint(f"length(trim(name, '{BLANK}')) > 0", name=op.f('ck_priority_name_not_blank')),
    sa.ForeignKeyConstraint(['plan_version_id'], ['plan_version.id'], name=op.f('fk_priority_plan_version_id_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority')),
    sa.UniqueConstraint('plan_version_id', 'name', name=op.f('uq_priority_plan_version_id_name'))
    )
    with op.batch_alter_table('priority', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_plan_version_id'), ['plan_version_id'], unique=False)

    op.create_table('reporting_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_reporting_period_end_not_before_start')),
    sa.CheckConstraint(f"length(trim(name, '{BLANK}')) > 0", name=op.f('ck_reporting_period_name_not_blank')),
    sa.ForeignKeyConstraint(['plan_version_id'], ['plan_version.id'], name=op.f('fk_reporting_period_plan_version_id_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_period')),
    sa.UniqueConstraint('plan_version_id', 'name', name=op.f('uq_reporting_period_plan_version_id_name'))
    )
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_period_plan_version_id'), ['plan_version_id'], unique=False)
        batch_op.create_index('uq_reporting_period_one_open_per_version', ['plan_version_id'], unique=True, sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint(f"length(trim(name, '{BLANK}')) > 0", name=op.f('ck_theme_name_not_blank')),
    sa.ForeignKeyConstraint(['plan_version_id'], ['plan_version.id'], name=op.f('fk_theme_plan_version_id_plan_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('plan_version_id', 'name', name=op.f('uq_theme_plan_version_id_name'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_plan_version_id'), ['plan_version_id'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('carried_forward_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('active', 'completed', 'closed')", name=op.f('ck_action_state_known')),
    sa.CheckConstraint(f"length(trim(title, '{BLANK}')) > 0", name=op.f('ck_action_title_not_blank')),
    sa.CheckConstraint('start_date IS NULL OR target_date IS NULL OR target_date >= start_date', name=op.f('ck_action_target_not_before_start')),
    sa.ForeignKeyConstraint(['carried_forward_from_id'], ['action.id'], name=op.f('fk_action_carried_forward_from_id_action')),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisation.id'], name=op.f('fk_action_owner_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_action_priority_id_priority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_priority_id'), ['priority_id'], unique=False)

    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=False),
    sa.Column('polarity', sa.String(length=20), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("polarity IN ('higher_is_better', 'lower_is_better')", name=op.f('ck_indicator_polarity_known')),
    sa.CheckConstraint(f"length(trim(name, '{BLANK}')) > 0", name=op.f('ck_indicator_name_not_blank')),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_indicator_priority_id_priority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('priority_id', 'name', name=op.f('uq_indicator_priority_id_name'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_priority_id'), ['priority_id'], unique=False)

    op.create_table('priority_lead',
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_priority_lead_priority_id_priority'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_priority_lead_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('priority_id', 'user_id', name=op.f('pk_priority_lead'))
    )
    op.create_table('priority_narrative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_priority_narrative_author_id_user_account')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_period.id'], name=op.f('fk_priority_narrative_period_id_reporting_period')),
    sa.ForeignKeyConstraint(['priority_id'], ['priority.id'], name=op.f('fk_priority_narrative_priority_id_priority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_narrative')),
    sa.UniqueConstraint('priority_id', 'period_id', name=op.f('uq_priority_narrative_priority_id_period_id'))
    )
    with op.batch_alter_table('priority_narrative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_narrative_period_id'), ['period_id'], unique=False)

    op.create_table('action_partner',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_partner_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_action_partner_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'organisation_id', name=op.f('pk_action_partner'))
    )
    op.create_table('action_responsible_user',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_responsible_user_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_action_responsible_user_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'user_id', name=op.f('pk_action_responsible_user'))
    )
    op.create_table('action_theme',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_theme_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_action_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'theme_id', name=op.f('pk_action_theme'))
    )
    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=True),
    sa.Column('rag', sa.String(length=10), nullable=False),
    sa.Column('progress_text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_organisation_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('corrects_update_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("rag IN ('red', 'amber', 'green')", name=op.f('ck_action_update_rag_known')),
    sa.CheckConstraint(f"length(trim(progress_text, '{BLANK}')) > 0", name=op.f('ck_action_update_progress_text_not_blank')),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_update_action_id_action')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_action_update_author_id_user_account')),
    sa.ForeignKeyConstraint(['author_organisation_id'], ['organisation.id'], name=op.f('fk_action_update_author_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['corrects_update_id'], ['action_update.id'], name=op.f('fk_action_update_corrects_update_id_action_update')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_period.id'], name=op.f('fk_action_update_period_id_reporting_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_update_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_action_update_latest', ['action_id', 'recorded_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_update_period_id'), ['period_id'], unique=False)

    op.create_table('indicator_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('comparison_value', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('comparison_label', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_value_indicator_id_indicator')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_period.id'], name=op.f('fk_indicator_value_period_id_reporting_period')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_indicator_value_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_value')),
    sa.UniqueConstraint('indicator_id', 'period_id', name=op.f('uq_indicator_value_indicator_id_period_id'))
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_value_period_id'), ['period_id'], unique=False)


    _create_append_only_triggers()


def downgrade():
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_value_period_id'))

    op.drop_table('indicator_value')
    with op.batch_alter_table('action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_update_period_id'))
        batch_op.drop_index('ix_action_update_latest')
        batch_op.drop_index(batch_op.f('ix_action_update_author_id'))

    op.drop_table('action_update')
    op.drop_table('action_theme')
    op.drop_table('action_responsible_user')
    op.drop_table('action_partner')
    with op.batch_alter_table('priority_narrative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_narrative_period_id'))

    op.drop_table('priority_narrative')
    op.drop_table('priority_lead')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_priority_id'))

    op.drop_table('indicator')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_priority_id'))

    op.drop_table('action')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_plan_version_id'))

    op.drop_table('theme')
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.drop_index('uq_reporting_period_one_open_per_version', sqlite_where=sa.text('is_open = 1'), postgresql_where=sa.text('is_open'))
        batch_op.drop_index(batch_op.f('ix_reporting_period_plan_version_id'))

    op.drop_table('reporting_period')
    with op.batch_alter_table('priority', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_plan_version_id'))

    op.drop_table('priority')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_occurred_at'))
        batch_op.drop_index('ix_audit_event_entity')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))

    op.drop_table('audit_event')
    op.drop_table('user_account')
    with op.batch_alter_table('plan_version', schema=None) as batch_op:
        batch_op.drop_index('uq_plan_version_one_current_per_plan', sqlite_where=sa.text('is_current = 1'), postgresql_where=sa.text('is_current'))

    op.drop_table('plan_version')
    op.drop_table('plan')
    op.drop_table('organisation')

    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION refuse_append_only_change()")


APPEND_ONLY_TABLES = ("action_update", "audit_event")


def _create_append_only_triggers():
    """UPDATE and DELETE on updates and audit events fail in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% rows are append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change()"
            )
    else:
        for table in APPEND_ONLY_TABLES:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: "
                    f"{operation} is not allowed'); END"
                )
