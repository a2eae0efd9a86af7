"""login_throttles: counters per (account, address) and trusted pairs, no stored lock-out

The throttle (nrs/auth/throttle.py) computes refusal windows from the count and the time of the
last failure instead of storing ``blocked_until``, and remembers the last successful login of an
(account, address) pair so that colleagues behind one address are not refused for a sprayer's
failures. Pair keys hold an e-mail and an address, hence the longer key. Existing counters are kept:
their last failure is taken as the later of the old block's end and the first failure.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_failure_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_success_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE login_throttles SET last_failure_at = COALESCE(blocked_until, first_failure_at)")
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_column('blocked_until')
        batch_op.drop_column('first_failure_at')
        batch_op.alter_column('key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=400), existing_nullable=False)


def downgrade() -> None:
    # Pair rows have no meaning for the old throttle; their keys may also be too long for it.
    op.execute("DELETE FROM login_throttles WHERE key LIKE 'pair:%'")
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_failure_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('blocked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE login_throttles SET first_failure_at = COALESCE(last_failure_at, CURRENT_TIMESTAMP)")
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.alter_column('first_failure_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(),
                              nullable=False)
        batch_op.drop_column('last_success_at')
        batch_op.drop_column('last_failure_at')
        batch_op.alter_column('key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=400),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=300), existing_nullable=False)
