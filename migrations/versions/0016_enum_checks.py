"""enum columns: a CHECK constraint that admits exactly the enum's values

The models generate these from the enums (``nrs.enums.enum_check``); the values are written out
here because a migration must not change when the code does.

SQLite cannot add a constraint to a table: each table is rebuilt the way SQLite documents
(create the new table, copy, drop the old, rename), keeping the table's own SQL, its indexes
(partial ones included) and its triggers (the company search triggers of 0011) exactly as they
were. ``migrations/env.py`` turns foreign keys off for this and checks them all at the end.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None

_STATES = ('open', 'paused', 'filled', 'unfilled')
_TARGET = ('not_contacted', 'contacted', 'meeting_booked', 'agreement_signed', 'job_order_received',
           'not_interested')

#: table -> [(column, values)]
CHECKS = {
    'companies': [('source', ('csv', 'cvr', 'manual', 'demo'))],
    'users': [('role', ('staff', 'coordinator', 'admin'))],
    'agreements': [('kind', ('recruitment', 'cooperation', 'jobservice'))],
    'job_orders': [
        ('channel', ('shared_phone', 'shared_mailbox', 'visit', 'agreement', 'jobnet', 'other')),
        ('state', _STATES),
        ('unfilled_reason', ('no_candidates', 'company_withdrew', 'filled_by_company', 'deadline_passed',
                             'other')),
    ],
    'job_order_events': [('from_state', _STATES), ('to_state', _STATES)],
    'referrals': [('outcome', ('referred', 'interview', 'hired', 'rejected'))],
    'job_order_tally': [('state', _STATES)],
    'outbox': [('status', ('pending', 'sending', 'sent', 'failed'))],
    'campaigns': [('status', ('draft', 'running', 'ended'))],
    'campaign_targets': [
        ('status', _TARGET),
        ('mismatch_reason', ('ceased', 'moved_away', 'shrunk', 'sector_changed', 'advertising_protected',
                             'active_agreement')),
    ],
    'campaign_target_events': [('from_status', _TARGET), ('to_status', _TARGET)],
}


def _name(table: str, column: str) -> str:
    return f'ck_{table}_{column}_values'


def _condition(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _clause(table: str, column: str, values) -> str:
    """The text appended to a SQLite CREATE TABLE (and taken out again on downgrade)."""
    return f',\n\tCONSTRAINT {_name(table, column)} CHECK ({_condition(column, values)})'


def _refuse_unknown_values(bind) -> None:
    """Say which rows stand in the way, rather than a bare "CHECK constraint failed"."""
    for table, checks in CHECKS.items():
        for column, values in checks:
            bad = bind.execute(sa.text(
                f'SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL'
                f' AND NOT ({_condition(column, values)})')).scalars().all()
            if bad:
                raise RuntimeError(f'{table}.{column} holds {bad!r}, which is not one of {values!r}; '
                                   'correct those rows first')


def _sqlite_rebuild(bind, table: str, edit) -> None:
    """Rebuild ``table`` from its own CREATE TABLE text passed through ``edit``."""
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
    for sql in extras:  # dropped with the old table
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_unknown_values(bind)
    for table, checks in CHECKS.items():
        if bind.dialect.name == 'sqlite':
            def add(body: str, table=table, checks=checks) -> str:
                head = body.rstrip()
                assert head.endswith(')'), head
                return head[:-1].rstrip() + ''.join(_clause(table, c, v) for c, v in checks) + '\n)'
            _sqlite_rebuild(bind, table, add)
        else:
            for column, values in checks:
                op.create_check_constraint(op.f(_name(table, column)), table, _condition(column, values))


def downgrade() -> None:
    bind = op.get_bind()
    for table, checks in CHECKS.items():
        if bind.dialect.name == 'sqlite':
            def remove(body: str, table=table, checks=checks) -> str:
                for column, values in checks:
                    clause = _clause(table, column, values)
                    assert clause in body, (table, column)
                    body = body.replace(clause, '')
                return body
            _sqlite_rebuild(bind, table, remove)
        else:
            for column, _values in checks:
                op.drop_constraint(op.f(_name(table, column)), table, type_='check')
