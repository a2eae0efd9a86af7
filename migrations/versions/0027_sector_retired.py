"""focus sectors can be retired (trukket tilbage) instead of deleted when a campaign uses them

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('focus_sectors', sa.Column('retired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('focus_sectors') as batch:
        batch.drop_column('retired_at')
