"""saved filters (a user's last filters per list)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_filters',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('list_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_filters_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'list_name', name=op.f('pk_saved_filters'))
    )


def downgrade() -> None:
    op.drop_table('saved_filters')
