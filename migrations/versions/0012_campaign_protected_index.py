"""campaign build: partial index on advertising-protected companies

A campaign counts the protected companies it leaves out on every build; with this index that
count reads only the protected companies of the chosen municipalities.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in batch mode: on SQLite that could rebuild the table and lose the search triggers (0011).
    op.create_index('ix_companies_protected_municipality', 'companies', ['municipality_code'], unique=False,
                    sqlite_where=sa.text('advertising_protected IS 1'),
                    postgresql_where=sa.text('advertising_protected IS true'))


def downgrade() -> None:
    op.drop_index('ix_companies_protected_municipality', table_name='companies')
