"""job-order list paged by key: an index per filter in the list's own order

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

The list pages by its sort key (no OFFSET), so each filter needs an index that is already in
that order: a centre without a state, and one state (or every state by state) newest first.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_orders', schema=None) as batch_op:
        batch_op.create_index('ix_job_orders_centre_received', ['lead_centre_id', 'received_on', 'id'], unique=False)
        batch_op.drop_index('ix_job_orders_state_received')
        batch_op.create_index('ix_job_orders_state_received',
                              ['state', sa.text('received_on DESC'), sa.text('id DESC')], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_job_orders_state_received')
        batch_op.create_index('ix_job_orders_state_received', ['state', 'received_on', 'id'], unique=False)
        batch_op.drop_index('ix_job_orders_centre_received')
