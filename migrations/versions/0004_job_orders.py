"""job orders, referrals, hires, help requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('positions', sa.Integer(), nullable=False),
    sa.Column('place_of_work', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.Enum('shared_phone', 'shared_mailbox', 'visit', 'agreement', 'jobnet', 'other', name='channel', native_enum=False, length=32), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('deadline_on', sa.Date(), nullable=True),
    sa.Column('requirements', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('lead_centre_id', sa.Integer(), nullable=False),
    sa.Column('contact_user_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('open', 'paused', 'filled', 'unfilled', name='joborderstate', native_enum=False, length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('unfilled_reason', sa.Enum('no_candidates', 'company_withdrew', 'filled_by_company', 'deadline_passed', 'other', name='unfilledreason', native_enum=False, length=32), nullable=True),
    sa.Column('unfilled_reason_text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(state IN ('open', 'paused') AND closed_on IS NULL) OR (state IN ('filled', 'unfilled') AND closed_on IS NOT NULL)", name=op.f('ck_job_orders_closed_on_state')),
    sa.CheckConstraint("state <> 'unfilled' OR unfilled_reason IS NOT NULL", name=op.f('ck_job_orders_unfilled_reason')),
    sa.CheckConstraint('positions >= 1', name=op.f('ck_job_orders_positions')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_job_orders_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_job_orders_company_id_companies')),
    sa.ForeignKeyConstraint(['contact_user_id'], ['users.id'], name=op.f('fk_job_orders_contact_user_id_users')),
    sa.ForeignKeyConstraint(['lead_centre_id'], ['job_centres.id'], name=op.f('fk_job_orders_lead_centre_id_job_centres')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_job_orders_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_orders')),
    sa.UniqueConstraint('company_id', 'reference', name='uq_job_orders_company_reference')
    )
    with op.batch_alter_table('job_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_orders_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_orders_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_orders_contact_user_id'), ['contact_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_orders_lead_centre_id'), ['lead_centre_id'], unique=False)
        batch_op.create_index('ix_job_orders_received', ['received_on', 'id'], unique=False)
        batch_op.create_index('ix_job_orders_state_received', ['state', 'received_on', 'id'], unique=False)

    op.create_table('help_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_help_requests_by_id_users')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_orders.id'], name=op.f('fk_help_requests_job_order_id_job_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_requests_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_requests_resolved'), ['resolved'], unique=False)

    op.create_table('job_order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.Enum('open', 'paused', 'filled', 'unfilled', name='joborderstate', native_enum=False, length=16), nullable=True),
    sa.Column('to_state', sa.Enum('open', 'paused', 'filled', 'unfilled', name='joborderstate', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_orders.id'], name=op.f('fk_job_order_events_job_order_id_job_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_job_order_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_order_events'))
    )
    with op.batch_alter_table('job_order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_order_events_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_order_events_on_date'), ['on_date'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('referring_centre_id', sa.Integer(), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('case_reference', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('outcome', sa.Enum('referred', 'interview', 'hired', 'rejected', name='referraloutcome', native_enum=False, length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_orders.id'], name=op.f('fk_referrals_job_order_id_job_orders')),
    sa.ForeignKeyConstraint(['referring_centre_id'], ['job_centres.id'], name=op.f('fk_referrals_referring_centre_id_job_centres')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_referrals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_job_order_id'), ['job_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_referring_centre_id'), ['referring_centre_id'], unique=False)

    op.create_table('hires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['job_centres.id'], name=op.f('fk_hires_centre_id_job_centres')),
    sa.ForeignKeyConstraint(['event_id'], ['job_order_events.id'], name=op.f('fk_hires_event_id_job_order_events')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_orders.id'], name=op.f('fk_hires_job_order_id_job_orders')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_hires_referral_id_referrals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hires'))
    )
    with op.batch_alter_table('hires', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hires_centre_id'), ['centre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hires_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hires_job_order_id'), ['job_order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hires', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hires_job_order_id'))
        batch_op.drop_index(batch_op.f('ix_hires_event_id'))
        batch_op.drop_index(batch_op.f('ix_hires_centre_id'))

    op.drop_table('hires')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_referring_centre_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_job_order_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('job_order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_order_events_on_date'))
        batch_op.drop_index(batch_op.f('ix_job_order_events_job_order_id'))

    op.drop_table('job_order_events')
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_requests_resolved'))
        batch_op.drop_index(batch_op.f('ix_help_requests_job_order_id'))

    op.drop_table('help_requests')
    with op.batch_alter_table('job_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_job_orders_state_received')
        batch_op.drop_index('ix_job_orders_received')
        batch_op.drop_index(batch_op.f('ix_job_orders_lead_centre_id'))
        batch_op.drop_index(batch_op.f('ix_job_orders_contact_user_id'))
        batch_op.drop_index(batch_op.f('ix_job_orders_company_id'))
        batch_op.drop_index(batch_op.f('ix_job_orders_agreement_id'))

    op.drop_table('job_orders')
