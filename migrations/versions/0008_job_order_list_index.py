"""job-order list index by centre and state

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_orders', schema=None) as batch_op:
        batch_op.create_index('ix_job_orders_centre_state_received',
                              ['lead_centre_id', 'state', 'received_on', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_job_orders_centre_state_received')
