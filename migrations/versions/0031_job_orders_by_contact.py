"""job orders by NRS contact, state and date: one index instead of the contact's alone

"Mit arbejde" lists a user's open orders oldest first, and the order list's "mine" filter asks
the same; with only ``contact_user_id`` indexed PostgreSQL combined it with every open order of
NRS (a bitmap AND over 127,000 rows at national scale). The new index answers both in order and
still serves the foreign key.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02
"""
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_job_orders_contact_state_received', 'job_orders',
                    ['contact_user_id', 'state', 'received_on', 'id'])
    op.drop_index('ix_job_orders_contact_user_id', table_name='job_orders')


def downgrade() -> None:
    op.create_index('ix_job_orders_contact_user_id', 'job_orders', ['contact_user_id'])
    op.drop_index('ix_job_orders_contact_state_received', table_name='job_orders')
