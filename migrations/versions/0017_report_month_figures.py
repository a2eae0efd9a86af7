"""report month figures (month-end snapshots of the job-order history), report subscriptions, outbox attachments

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

Empty at first: the readers fall back to the history until ``nrs reports rebuild-snapshots`` or
the nightly job counts the months (the count is the product's code, which a migration must not
freeze).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_month_figures',
    sa.Column('month_end', sa.Date(), nullable=False),
    sa.Column('lead_centre_id', sa.Integer(), nullable=False),
    sa.Column('industry_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('figure', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month_end', 'lead_centre_id', 'industry_code', 'figure', name=op.f('pk_report_month_figures'))
    )
    op.create_table('report_month_builds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('built_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('through', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_month_builds'))
    )
    op.create_table('report_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recipients', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('every', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('centre_code', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_subscriptions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_subscriptions'))
    )
    # Plain ADD COLUMN, not batch mode: on SQLite a batch rebuild would drop the enum CHECKs of 0016.
    op.add_column('outbox', sa.Column('attachment_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.add_column('outbox', sa.Column('attachment', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN on both databases (SQLite 3.35+), keeping the table's CHECKs.
    op.execute('ALTER TABLE outbox DROP COLUMN attachment')
    op.execute('ALTER TABLE outbox DROP COLUMN attachment_name')
    op.drop_table('report_subscriptions')
    op.drop_table('report_month_builds')
    op.drop_table('report_month_figures')
