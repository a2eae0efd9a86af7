"""companies

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_companies_employees_min'), ['employees_min'], unique=False)
        batch_op.create_index('ix_companies_lead_contact', ['lead_centre_id', 'contact_user_id'], unique=False)
        batch_op.create_index('ix_companies_lead_name', ['lead_centre_id', 'name_search'], unique=False)
        batch_op.create_index('ix_companies_municipality_name', ['municipality_code', 'name_search'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_municipality_name')
        batch_op.drop_index('ix_companies_lead_name')
        batch_op.drop_index('ix_companies_lead_contact')
        batch_op.drop_index(batch_op.f('ix_companies_employees_min'))
        batch_op.drop_column('lead_changed_at')
