"""job orders by lead centre and closing day: what one centre's period report reads

A centre's own period report counts its open stock and positions at the period's two ends and
its events in the period. An order closed before the period counts the same at both ends and has
no events in it, so the report reads the centre's orders still open or closed from the period's
start on; this index finds them (at national scale ~1,300 of Hillerød's 20,000 orders).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_job_orders_centre_closed', 'job_orders', ['lead_centre_id', 'closed_on'])


def downgrade() -> None:
    op.drop_index('ix_job_orders_centre_closed', table_name='job_orders')
