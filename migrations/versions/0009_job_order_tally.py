"""job-order tally: today's figures as running counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The count from the orders as they stand (what nrs.joborders.tally.counted says today), written
# out here because a migration must not change when the code does.
_COUNT = """
SELECT o.lead_centre_id, o.state, CASE WHEN o.state = 'filled' THEN {days} END AS days,
       count(*), sum(coalesce(other.n, 0))
FROM job_orders o
LEFT JOIN (
  SELECT h.job_order_id, count(*) AS n FROM hires h
  JOIN job_orders o2 ON o2.id = h.job_order_id
  JOIN (SELECT job_order_id, max(id) AS last_id FROM job_order_events GROUP BY job_order_id) last
    ON last.job_order_id = h.job_order_id AND last.last_id = h.event_id
  WHERE h.centre_id <> o2.lead_centre_id AND o2.state = 'filled'
  GROUP BY h.job_order_id
) other ON other.job_order_id = o.id
GROUP BY o.lead_centre_id, o.state, days
"""
_DAYS = {"sqlite": "CAST(julianday(o.closed_on) - julianday(o.received_on) AS INTEGER)",
         "postgresql": "o.closed_on - o.received_on"}


def upgrade() -> None:
    table = op.create_table('job_order_tally',
    sa.Column('lead_centre_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'paused', 'filled', 'unfilled', name='joborderstate', native_enum=False, length=16), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('other_hires', sa.Integer(), nullable=False),
    sa.Column('days_to_fill', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lead_centre_id'], ['job_centres.id'], name=op.f('fk_job_order_tally_lead_centre_id_job_centres')),
    sa.PrimaryKeyConstraint('lead_centre_id', 'state', name=op.f('pk_job_order_tally'))
    )
    bind = op.get_bind()
    rows: dict = {}
    for lead, state, days, n, hires in bind.execute(sa.text(_COUNT.format(days=_DAYS[bind.dialect.name]))):
        row = rows.setdefault((lead, state), {"orders": 0, "other_hires": 0, "days": {}})
        row["orders"] += n
        row["other_hires"] += int(hires or 0)
        if days is not None:
            row["days"][int(days)] = row["days"].get(int(days), 0) + n
    if rows:
        op.bulk_insert(table, [
            {"lead_centre_id": lead, "state": state, "orders": r["orders"], "other_hires": r["other_hires"],
             "days_to_fill": json.dumps({str(d): k for d, k in sorted(r["days"].items())})}
            for (lead, state), r in sorted(rows.items())])


def downgrade() -> None:
    op.drop_table('job_order_tally')
