"""month snapshot per centre and industry code: one centre's period report without its history

A centre's own period report split by focus sector needs its orders per industry code at the
period's ends and its flows in between; ``report_month_figures`` keeps those per centre and per
code, not per pair, so the report read the centre's history (cost growing with the open stock and
the years). This table holds the pairs, and ``report_star_months`` now also keeps STAR's rows per
centre and occupational group. Builds made before lack both: they are removed, so readers use the
history until the nightly job (or ``nrs reports rebuild-snapshots``) counts again.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_centre_code_months',
        sa.Column('lead_centre_id', sa.Integer(), nullable=False),
        sa.Column('month_end', sa.Date(), nullable=False),
        sa.Column('industry_code', sa.String(length=6), nullable=False),
        sa.Column('open', sa.Integer(), nullable=False),
        sa.Column('positions_open', sa.Integer(), nullable=False),
        sa.Column('received', sa.Integer(), nullable=False),
        sa.Column('filled', sa.Integer(), nullable=False),
        sa.Column('unfilled', sa.Integer(), nullable=False),
        sa.Column('reopened', sa.Integer(), nullable=False),
        sa.Column('hired', sa.Integer(), nullable=False),
        sa.Column('other', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('lead_centre_id', 'month_end', 'industry_code'),
    )
    op.execute('DELETE FROM report_month_figures')
    op.execute('DELETE FROM report_star_months')
    op.execute('DELETE FROM report_month_builds')


def downgrade() -> None:
    """The removed builds need no putting back: the older code reads a new build as it always did."""
    op.drop_table('report_centre_code_months')
