"""job orders past their deadline: a partial index of the open ones with a deadline, per centre

The front page lists a centre's five orders past their deadline, oldest deadline first, and counts
them. Through the centre-and-state index that read every open order of the centre and sorted
them (1,128 at national scale, 4 ms on PostgreSQL); this index holds only the open orders with a
deadline, in deadline order.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

#: As nrs.joborders.models.OPEN_WITH_DEADLINE (a migration keeps its own copy).
WHERE = "state IN ('open', 'paused') AND cancelled_on IS NULL AND deadline_on IS NOT NULL"


def upgrade() -> None:
    op.create_index('ix_job_orders_centre_deadline_open', 'job_orders', ['lead_centre_id', 'deadline_on', 'id'],
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade() -> None:
    op.drop_index('ix_job_orders_centre_deadline_open', table_name='job_orders')
