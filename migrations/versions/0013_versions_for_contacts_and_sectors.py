"""contacts, focus_sectors: a version column, so their edit forms are optimistically locked too

Every model with an edit form is versioned (``nrs.locking``); these two had none. Existing rows
start at version 1.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (with a default for the rows there are), not a batch table rebuild.
    op.add_column('contacts', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('focus_sectors', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('focus_sectors') as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('contacts') as batch_op:
        batch_op.drop_column('version')
