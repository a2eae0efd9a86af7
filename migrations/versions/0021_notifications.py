"""notifications (one per user, kind and event), notification settings, outbox unsubscribe address

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

KINDS = ("order_for_my_company", "company_moved_to_me", "help_requested", "agreement_ending",
         "task_assigned", "task_due")
DELIVERIES = ("immediately", "digest", "off")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='notificationkind', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('event_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('email', sa.Enum(*DELIVERIES, name='delivery', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('digested_on', sa.Date(), nullable=True),
    sa.CheckConstraint(_in('kind', KINDS), name=op.f('ck_notifications_kind_values')),
    sa.CheckConstraint(_in('email', DELIVERIES), name=op.f('ck_notifications_email_values')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'kind', 'event_key', name='uq_notifications_event')
    )
    op.create_index('ix_notifications_user_unread', 'notifications', ['user_id', 'read_at'], unique=False)
    op.create_index('ix_notifications_digest', 'notifications', ['email', 'digested_on'], unique=False)
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*KINDS, name='notificationkind', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('delivery', sa.Enum(*DELIVERIES, name='delivery', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint(_in('kind', KINDS), name=op.f('ck_notification_settings_kind_values')),
    sa.CheckConstraint(_in('delivery', DELIVERIES), name=op.f('ck_notification_settings_delivery_values')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_settings'))
    )
    # Plain ADD COLUMN, not batch mode: on SQLite a batch rebuild would drop the enum CHECKs of 0016.
    op.add_column('outbox', sa.Column('unsubscribe_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE outbox DROP COLUMN unsubscribe_url')
    op.drop_table('notification_settings')
    op.drop_index('ix_notifications_digest', table_name='notifications')
    op.drop_index('ix_notifications_user_unread', table_name='notifications')
    op.drop_table('notifications')
