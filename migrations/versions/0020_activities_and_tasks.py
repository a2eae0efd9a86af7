"""activities (contacts with a company) and tasks (follow-ups)

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-01
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('call', 'visit', 'meeting', 'email', 'note', name='activitykind',
                              native_enum=False, length=16, create_constraint=False), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('job_order_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('call', 'visit', 'meeting', 'email', 'note')", name=op.f('ck_activities_kind_values')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_activities_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_activities_author_id_users')),
    sa.ForeignKeyConstraint(['centre_id'], ['job_centres.id'], name=op.f('fk_activities_centre_id_job_centres')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_activities_company_id_companies')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_activities_contact_id_contacts')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_orders.id'], name=op.f('fk_activities_job_order_id_job_orders')),
    sa.ForeignKeyConstraint(['target_id'], ['campaign_targets.id'], name=op.f('fk_activities_target_id_campaign_targets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    op.create_index('ix_activities_company_at', 'activities', ['company_id', 'at'], unique=False)
    op.create_index(op.f('ix_activities_author_id'), 'activities', ['author_id'], unique=False)
    op.create_index(op.f('ix_activities_centre_id'), 'activities', ['centre_id'], unique=False)
    op.create_index(op.f('ix_activities_job_order_id'), 'activities', ['job_order_id'], unique=False)
    op.create_index(op.f('ix_activities_target_id'), 'activities', ['target_id'], unique=False)
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('closing_activity_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('NOT done OR done_at IS NOT NULL', name=op.f('ck_tasks_done_at')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_tasks_activity_id_activities')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_tasks_assignee_id_users')),
    sa.ForeignKeyConstraint(['closing_activity_id'], ['activities.id'], name=op.f('fk_tasks_closing_activity_id_activities')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_tasks_company_id_companies')),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_tasks_creator_id_users')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_tasks_done_by_id_users')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_orders.id'], name=op.f('fk_tasks_job_order_id_job_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    op.create_index('ix_tasks_assignee_done_due', 'tasks', ['assignee_id', 'done', 'due'], unique=False)
    op.create_index('ix_tasks_company_created', 'tasks', ['company_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_tasks_activity_id'), 'tasks', ['activity_id'], unique=False)
    op.create_index(op.f('ix_tasks_job_order_id'), 'tasks', ['job_order_id'], unique=False)


def downgrade() -> None:
    op.drop_table('tasks')
    op.drop_table('activities')
