"""month snapshots count positions and STAR's orders: the build remembers its last referral

The month-end snapshot (``report_month_figures``) now also holds positions, their outcomes and
STAR's referred / hired orders, so an as-of status for a past day reads no whole history. A
referral is not an event, so the build records the highest referral id it counted
(``report_month_builds.last_referral_id``): a referral recorded later but dated in a counted
month makes that month stale, as a late event does. ``ix_referrals_referred_on`` finds the
referrals of the days after a month end.

The old builds did not count these figures: they are removed, so readers use the history until
the nightly job (or ``nrs reports rebuild-snapshots``) counts again.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('report_month_builds') as batch:
        batch.add_column(sa.Column('last_referral_id', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('ix_referrals_referred_on', 'referrals', ['referred_on'])
    op.execute('DELETE FROM report_month_figures')
    op.execute('DELETE FROM report_month_builds')


def downgrade() -> None:
    op.drop_index('ix_referrals_referred_on', table_name='referrals')
    with op.batch_alter_table('report_month_builds') as batch:
        batch.drop_column('last_referral_id')
