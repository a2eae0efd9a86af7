"""month snapshots count positions per industry code too (old builds removed); orders cancelled by date

The period report splits positions by focus sector, so the month-end snapshot now also holds the
positions, hired and other outcomes per industry code (centre 0), as it holds the open stock.
A build made before this would answer the sector split with nothing: its rows are removed, so
readers use the history until the nightly job (or ``nrs reports rebuild-snapshots``) counts again.

The report also says how many orders were cancelled in the period: ``ix_job_orders_cancelled_on``
finds them without reading every order.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-02
"""
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_job_orders_cancelled_on', 'job_orders', ['cancelled_on'])
    op.execute('DELETE FROM report_month_figures')
    op.execute('DELETE FROM report_month_builds')


def downgrade() -> None:
    """The removed builds need no putting back: the older code reads a new build as it always did."""
    op.drop_index('ix_job_orders_cancelled_on', table_name='job_orders')
