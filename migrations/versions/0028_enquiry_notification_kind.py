"""notifications: a kind for a new enquiry (``enquiry_received``) in the kind CHECKs; job_centres.version

job_centres gets a version (optimistic locking of the admin page that edits ``joined_on``), and
enquiries the activity one was converted into, each by a plain ADD COLUMN.

0021 wrote the kinds out; this widens both CHECKs (notifications, notification_settings) by one
value. SQLite cannot alter a constraint: the table is rebuilt from its own CREATE TABLE text with
only the CHECK's value list changed, its indexes recreated as they were (as in 0016).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

OLD = ("order_for_my_company", "company_moved_to_me", "help_requested", "agreement_ending",
       "task_assigned", "task_due")
NEW = (*OLD, "enquiry_received")
TABLES = ("notifications", "notification_settings")


def _condition(values) -> str:
    return f"kind IN ({', '.join(repr(v) for v in values)})"


def _sqlite_rebuild(bind, table: str, old: str, new: str) -> None:
    create = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                          {'t': table}).scalar_one()
    extras = bind.execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', 'trigger')"
        " AND sql IS NOT NULL ORDER BY type, name"), {'t': table}).scalars().all()
    body = create[create.index('('):]
    assert old in body, (table, old)
    tmp = f'_alembic_new_{table}'
    bind.exec_driver_sql(f'CREATE TABLE {tmp} {body.replace(old, new)}')
    bind.exec_driver_sql(f'INSERT INTO {tmp} SELECT * FROM {table}')
    bind.exec_driver_sql(f'DROP TABLE {table}')
    bind.exec_driver_sql(f'ALTER TABLE {tmp} RENAME TO {table}')
    for sql in extras:
        bind.exec_driver_sql(sql)


def _swap(old_values, new_values) -> None:
    bind = op.get_bind()
    for table in TABLES:
        name = f'ck_{table}_kind_values'
        if bind.dialect.name == 'sqlite':
            _sqlite_rebuild(bind, table, _condition(old_values), _condition(new_values))
        else:
            op.drop_constraint(op.f(name), table, type_='check')
            op.create_check_constraint(op.f(name), table, _condition(new_values))


def upgrade() -> None:
    _swap(OLD, NEW)
    op.add_column('job_centres', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    if op.get_bind().dialect.name == 'sqlite':  # ADD COLUMN with its foreign key inline: no rebuild
        op.execute('ALTER TABLE enquiries ADD COLUMN activity_id INTEGER'
                   ' CONSTRAINT fk_enquiries_activity_id_activities REFERENCES activities (id)')
    else:
        op.add_column('enquiries', sa.Column('activity_id', sa.Integer(), sa.ForeignKey(
            'activities.id', name=op.f('fk_enquiries_activity_id_activities')), nullable=True))
    op.create_index(op.f('ix_enquiries_activity_id'), 'enquiries', ['activity_id'], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    op.execute('ALTER TABLE job_centres DROP COLUMN version')
    op.drop_index(op.f('ix_enquiries_activity_id'), table_name='enquiries')
    if bind.dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_enquiries_activity_id_activities'), 'enquiries', type_='foreignkey')
    op.execute('ALTER TABLE enquiries DROP COLUMN activity_id')
    for table in TABLES:
        bind.execute(sa.text(f"DELETE FROM {table} WHERE kind = 'enquiry_received'"))
    _swap(NEW, OLD)
