"""campaign call-backs: the "ikke truffet / ring igen" status, a target's call-back date, imported outcomes

The target status gains ``call_back``: its CHECK constraints (0016) admit the new value. SQLite
cannot alter a constraint, so the two tables are rebuilt from their own CREATE TABLE text the way
0016 does (indexes kept); PostgreSQL drops and re-creates the constraints.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

_OLD = ('not_contacted', 'contacted', 'meeting_booked', 'agreement_signed', 'job_order_received',
        'not_interested')
_NEW = ('not_contacted', 'call_back', 'contacted', 'meeting_booked', 'agreement_signed', 'job_order_received',
        'not_interested')
CHECKS = {
    'campaign_targets': ('status',),
    'campaign_target_events': ('from_status', 'to_status'),
}


def _condition(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_rebuild(bind, table: str, edit) -> None:
    """Rebuild ``table`` from its own CREATE TABLE text passed through ``edit`` (as 0016 does)."""
    create = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                          {'t': table}).scalar_one()
    extras = bind.execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', 'trigger')"
        " AND sql IS NOT NULL ORDER BY type, name"), {'t': table}).scalars().all()
    body = create[create.index('('):]
    tmp = f'_alembic_new_{table}'
    bind.exec_driver_sql(f'CREATE TABLE {tmp} {edit(body)}')
    bind.exec_driver_sql(f'INSERT INTO {tmp} SELECT * FROM {table}')
    bind.exec_driver_sql(f'DROP TABLE {table}')
    bind.exec_driver_sql(f'ALTER TABLE {tmp} RENAME TO {table}')
    for sql in extras:
        bind.exec_driver_sql(sql)


def _swap_checks(old, new) -> None:
    bind = op.get_bind()
    for table, columns in CHECKS.items():
        if bind.dialect.name == 'sqlite':
            def edit(body: str, columns=columns) -> str:
                for column in columns:
                    before = _condition(column, old)
                    assert before in body, (column, body)
                    body = body.replace(before, _condition(column, new))
                return body
            _sqlite_rebuild(bind, table, edit)
        else:
            for column in columns:
                name = op.f(f'ck_{table}_{column}_values')
                op.drop_constraint(name, table, type_='check')
                op.create_check_constraint(name, table, _condition(column, new))


def upgrade() -> None:
    # Plain ADD COLUMN first; the rebuild below copies it with the rest.
    op.add_column('campaign_targets', sa.Column('call_back_on', sa.Date(), nullable=True))
    _swap_checks(_OLD, _NEW)
    op.create_table('campaign_outcome_imports',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('imported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_campaign_outcome_imports_activity_id_activities')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_campaign_outcome_imports_by_id_users')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_outcome_imports_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['target_id'], ['campaign_targets.id'], name=op.f('fk_campaign_outcome_imports_target_id_campaign_targets')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_campaign_outcome_imports'))
    )
    op.create_index(op.f('ix_campaign_outcome_imports_campaign_id'), 'campaign_outcome_imports', ['campaign_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_campaign_outcome_imports_campaign_id'), table_name='campaign_outcome_imports')
    op.drop_table('campaign_outcome_imports')
    bind = op.get_bind()
    bad = bind.execute(sa.text("SELECT count(*) FROM campaign_targets WHERE status = 'call_back'")).scalar_one()
    if bad:
        raise RuntimeError(f'{bad} campaign targets have the status call_back; change them first')
    bind.execute(sa.text("DELETE FROM campaign_target_events WHERE from_status = 'call_back' OR to_status = 'call_back'"))
    _swap_checks(_NEW, _OLD)
    op.drop_column('campaign_targets', 'call_back_on')
