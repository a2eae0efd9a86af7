"""job-order corrections and deadlines: Jobnet number, cancelled orders, withdrawn referrals,
the centres' joined date, agreement integrity

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-01

Every existing order, referral and agreement stays as it was: nothing is cancelled or withdrawn,
no mismatch is confirmed, and the nine centres joined on 2015-12-01.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: on SQLite a batch rebuild would drop the enum CHECKs of 0016.
    op.add_column('job_orders', sa.Column('jobnet_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.add_column('job_orders', sa.Column('cancelled_on', sa.Date(), nullable=True))
    op.add_column('job_orders', sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                          nullable=False, server_default=''))
    op.create_index('uq_job_orders_jobnet_number', 'job_orders', ['jobnet_number'], unique=True,
                    sqlite_where=sa.text('jobnet_number IS NOT NULL'),
                    postgresql_where=sa.text('jobnet_number IS NOT NULL'))
    op.add_column('referrals', sa.Column('withdrawn_on', sa.Date(), nullable=True))
    op.add_column('referrals', sa.Column('withdrawn_reason', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                         nullable=False, server_default=''))
    op.add_column('job_centres', sa.Column('joined_on', sa.Date(), nullable=False, server_default='2015-12-01'))
    op.add_column('agreements', sa.Column('sector_mismatch_confirmed', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.create_index('uq_agreements_one_jobservice', 'agreements', ['company_id'], unique=True,
                    sqlite_where=sa.text("kind = 'jobservice' AND valid_to IS NULL"),
                    postgresql_where=sa.text("kind = 'jobservice' AND valid_to IS NULL"))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN on both databases (SQLite 3.35+), keeping the tables' CHECKs.
    op.drop_index('uq_agreements_one_jobservice', table_name='agreements')
    op.execute('ALTER TABLE agreements DROP COLUMN sector_mismatch_confirmed')
    op.execute('ALTER TABLE job_centres DROP COLUMN joined_on')
    op.execute('ALTER TABLE referrals DROP COLUMN withdrawn_reason')
    op.execute('ALTER TABLE referrals DROP COLUMN withdrawn_on')
    op.drop_index('uq_job_orders_jobnet_number', table_name='job_orders')
    op.execute('ALTER TABLE job_orders DROP COLUMN cancel_reason')
    op.execute('ALTER TABLE job_orders DROP COLUMN cancelled_on')
    op.execute('ALTER TABLE job_orders DROP COLUMN jobnet_number')
