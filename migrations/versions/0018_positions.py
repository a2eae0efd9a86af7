"""job orders counted in positions: position outcomes, hires' start date and home municipality,
occupational group, positions in the tally

Existing data migrates without loss (issue 14, item 7): every closing event gets one outcome per
position; a filled closing its hires (the rest ``unfilled`` with reason ``other``, "not recorded"),
an unfilled closing the outcome its reason stands for; an outcome is undone by the event that
followed its closing (a reopening). An order whose closing had more hires than positions gets
positions enough for them, so no hire is lost. The tally's new counts are recounted here; the
order figures (states, hires from other centres) do not change.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

#: What the unfilled reasons stood for (nrs.joborders.services._KIND_OF_REASON, written out).
_KIND_OF_REASON = {'company_withdrew': 'withdrawn', 'filled_by_company': 'outside'}
_NOT_RECORDED = 'Ikke registreret (før stillinger fik hver sit udfald)'


def upgrade() -> None:
    op.add_column('job_orders', sa.Column('occupational_group', sqlmodel.sql.sqltypes.AutoString(length=2),
                                          nullable=True))
    op.add_column('hires', sa.Column('start_on', sa.Date(), nullable=True))
    op.add_column('hires', sa.Column('home_municipality_code', sa.Integer(), nullable=True))
    for name in ('positions', 'positions_hired', 'positions_other'):
        op.add_column('job_order_tally', sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
    bind = op.get_bind()
    # no closing had more hires than the order has positions
    bind.execute(sa.text(
        "UPDATE job_orders SET positions = (SELECT max(n) FROM (SELECT count(*) AS n FROM hires h "
        "WHERE h.job_order_id = job_orders.id GROUP BY h.event_id) per_event) "
        "WHERE positions < (SELECT max(n) FROM (SELECT count(*) AS n FROM hires h "
        "WHERE h.job_order_id = job_orders.id GROUP BY h.event_id) per_event)"))
    op.create_index('uq_job_orders_id_positions', 'job_orders', ['id', 'positions'], unique=True)
    table = op.create_table('position_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_order_id', sa.Integer(), nullable=False),
    sa.Column('order_positions', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('hired', 'outside', 'withdrawn', 'unfilled', name='positionoutcomekind', native_enum=False, length=16), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('hire_id', sa.Integer(), nullable=True),
    sa.Column('unfilled_reason', sa.Enum('no_candidates', 'company_withdrew', 'filled_by_company', 'deadline_passed', 'other', name='unfilledreason', native_enum=False, length=32), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('undone_event_id', sa.Integer(), nullable=True),
    sa.Column('undone_on', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'hired') = (hire_id IS NOT NULL)", name=op.f('ck_position_outcomes_hired_has_hire')),
    sa.CheckConstraint("kind <> 'unfilled' OR unfilled_reason IS NOT NULL", name=op.f('ck_position_outcomes_unfilled_reason')),
    sa.CheckConstraint("kind IN ('hired', 'outside', 'withdrawn', 'unfilled')", name=op.f('ck_position_outcomes_kind_values')),
    sa.CheckConstraint("unfilled_reason IN ('no_candidates', 'company_withdrew', 'filled_by_company', 'deadline_passed', 'other')", name=op.f('ck_position_outcomes_unfilled_reason_values')),
    sa.CheckConstraint('(undone_event_id IS NULL) = (undone_on IS NULL)', name=op.f('ck_position_outcomes_undone')),
    sa.CheckConstraint('slot >= 1 AND slot <= order_positions', name=op.f('ck_position_outcomes_slot_within_positions')),
    sa.ForeignKeyConstraint(['event_id'], ['job_order_events.id'], name=op.f('fk_position_outcomes_event_id_job_order_events')),
    sa.ForeignKeyConstraint(['hire_id'], ['hires.id'], name=op.f('fk_position_outcomes_hire_id_hires')),
    sa.ForeignKeyConstraint(['job_order_id', 'order_positions'], ['job_orders.id', 'job_orders.positions'], name='fk_position_outcomes_order_positions', onupdate='CASCADE'),
    sa.ForeignKeyConstraint(['undone_event_id'], ['job_order_events.id'], name=op.f('fk_position_outcomes_undone_event_id_job_order_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_outcomes')),
    sa.UniqueConstraint('hire_id', name=op.f('uq_position_outcomes_hire_id'))
    )
    op.create_index(op.f('ix_position_outcomes_event_id'), 'position_outcomes', ['event_id'], unique=False)
    op.create_index(op.f('ix_position_outcomes_job_order_id'), 'position_outcomes', ['job_order_id'], unique=False)
    op.create_index(op.f('ix_position_outcomes_on_date'), 'position_outcomes', ['on_date'], unique=False)
    op.create_index(op.f('ix_position_outcomes_undone_on'), 'position_outcomes', ['undone_on'], unique=False)
    op.create_index('uq_position_outcomes_live_slot', 'position_outcomes', ['job_order_id', 'slot'], unique=True,
                    sqlite_where=sa.text('undone_event_id IS NULL'),
                    postgresql_where=sa.text('undone_event_id IS NULL'))
    _outcomes(bind, table)
    _tally(bind)


def _outcomes(bind, table) -> None:
    """One outcome per position for every closing event, undone by the event after it (if any)."""
    closings = bind.execute(sa.text(
        "SELECT e.id, e.job_order_id, e.on_date, e.to_state, e.reason, e.next_id, e.next_on, o.positions, "
        "o.state, o.unfilled_reason, o.unfilled_reason_text FROM ("
        "  SELECT id, job_order_id, on_date, to_state, from_state, reason,"
        "    lead(id) OVER (PARTITION BY job_order_id ORDER BY on_date, id) AS next_id,"
        "    lead(on_date) OVER (PARTITION BY job_order_id ORDER BY on_date, id) AS next_on"
        "  FROM job_order_events) e JOIN job_orders o ON o.id = e.job_order_id "
        "WHERE e.to_state IN ('filled', 'unfilled') ORDER BY e.id")
        .columns(sa.column('id'), sa.column('job_order_id'), sa.column('on_date', sa.Date),
                 sa.column('to_state'), sa.column('reason'), sa.column('next_id'), sa.column('next_on', sa.Date),
                 sa.column('positions'), sa.column('state'), sa.column('unfilled_reason'),
                 sa.column('unfilled_reason_text'))).all()
    hires: dict[int, list] = {}
    for hire_id, event_id in bind.execute(sa.text(
            "SELECT id, event_id FROM hires WHERE event_id IS NOT NULL ORDER BY id")):
        hires.setdefault(event_id, []).append(hire_id)
    now = datetime.now(timezone.utc)
    rows = []
    for (event_id, order_id, on_date, to_state, reason, next_id, next_on, positions, state, order_reason,
         order_text) in closings:
        live = next_id is None
        base = {'job_order_id': order_id, 'order_positions': positions, 'event_id': event_id, 'on_date': on_date,
                'undone_event_id': next_id, 'undone_on': next_on, 'hire_id': None, 'unfilled_reason': None,
                'text': '', 'created_at': now}
        made = []
        if to_state == 'filled':
            made += [{**base, 'kind': 'hired', 'hire_id': hire_id} for hire_id in hires.get(event_id, [])]
            rest = {**base, 'kind': 'unfilled', 'unfilled_reason': 'other', 'text': _NOT_RECORDED}
        elif live and state == 'unfilled' and order_reason:
            kind = _KIND_OF_REASON.get(order_reason, 'unfilled')
            rest = {**base, 'kind': kind, 'unfilled_reason': order_reason if kind == 'unfilled' else None,
                    'text': (order_text or '')[:500]}
        else:  # an unfilled closing since undone: its reason is only in the event's words
            rest = {**base, 'kind': 'unfilled', 'unfilled_reason': 'other', 'text': (reason or _NOT_RECORDED)[:500]}
        made += [dict(rest) for _ in range(positions - len(made))]
        for slot, row in enumerate(made, start=1):
            row['slot'] = slot
        rows += made
        if len(rows) >= 5000:
            op.bulk_insert(table, rows)
            rows = []
    if rows:
        op.bulk_insert(table, rows)


def _tally(bind) -> None:
    """The tally's positions and live outcomes per (lead centre, state), counted here."""
    bind.execute(sa.text(
        "UPDATE job_order_tally SET "
        "positions = (SELECT coalesce(sum(o.positions), 0) FROM job_orders o "
        "  WHERE o.lead_centre_id = job_order_tally.lead_centre_id AND o.state = job_order_tally.state), "
        "positions_hired = (SELECT count(*) FROM position_outcomes p JOIN job_orders o ON o.id = p.job_order_id "
        "  WHERE o.lead_centre_id = job_order_tally.lead_centre_id AND o.state = job_order_tally.state "
        "  AND p.undone_event_id IS NULL AND p.kind = 'hired'), "
        "positions_other = (SELECT count(*) FROM position_outcomes p JOIN job_orders o ON o.id = p.job_order_id "
        "  WHERE o.lead_centre_id = job_order_tally.lead_centre_id AND o.state = job_order_tally.state "
        "  AND p.undone_event_id IS NULL AND p.kind <> 'hired')"))


def downgrade() -> None:
    op.drop_index('uq_position_outcomes_live_slot', table_name='position_outcomes')
    op.drop_table('position_outcomes')
    op.drop_index('uq_job_orders_id_positions', table_name='job_orders')
    # ALTER TABLE … DROP COLUMN on both databases (SQLite 3.35+), keeping the tables' CHECKs.
    for name in ('positions_other', 'positions_hired', 'positions'):
        op.execute(f'ALTER TABLE job_order_tally DROP COLUMN {name}')
    op.execute('ALTER TABLE hires DROP COLUMN home_municipality_code')
    op.execute('ALTER TABLE hires DROP COLUMN start_on')
    op.execute('ALTER TABLE job_orders DROP COLUMN occupational_group')
