"""month snapshots count STAR's measure by the month the orders were created

The period report gives STAR's measure of the orders created in the period, as things stood at its
end. Read from the history, that costs a look-up per order of the period, so a recent quarter
(with more orders) cost more than an old one. ``report_star_months`` keeps, per creation month,
when the orders joined the referred set and began or stopped counting as ended with a referred
hire; a period reads the rows of its own months. Old builds lack them: they are removed, so
readers use the history until the nightly job (or ``nrs reports rebuild-snapshots``) counts again.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_star_months',
        sa.Column('created_month_end', sa.Date(), nullable=False),
        sa.Column('month_end', sa.Date(), nullable=False),
        sa.Column('lead_centre_id', sa.Integer(), nullable=False),
        sa.Column('occupational_group', sa.String(length=2), nullable=False),
        sa.Column('figure', sa.String(length=10), nullable=False),
        sa.Column('orders', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('created_month_end', 'month_end', 'lead_centre_id', 'occupational_group', 'figure',
                                name=op.f('pk_report_star_months')),
    )
    op.execute('DELETE FROM report_month_figures')
    op.execute('DELETE FROM report_month_builds')


def downgrade() -> None:
    op.drop_table('report_star_months')
