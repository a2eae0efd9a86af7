"""Today's job-order figures as running counts (``job_order_tally``), kept with every change to an order.

Why: the front page shows today's figures on every visit, and counting them from the history
reads every event of every order (seconds at national scale). Each change to an order takes its
old contribution out and puts its new one in, in the same transaction; the history
(``nrs.reports.queries``) stays the answer for any past date, and a test holds the two equal for
today. ``rebuild`` counts from the orders themselves: the migration, bulk loads and the nightly
check (``nrs.joborders.jobs.check_tally``) use it, so a count that ever drifted is found and repaired.

One row per (lead centre, state): at most four per centre, so reading the whole tally is cheap;
a filled row carries the days-to-fill histogram the median needs.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from nrs.db import days_between, is_sqlite
from nrs.joborders.models import Hire, JobOrder, JobOrderEvent, JobOrderTally, counted_order
from nrs.joborders.states import JobOrderState

log = logging.getLogger(__name__)

_T = JobOrderTally.__table__
_STATES = {s.value: s for s in JobOrderState}


@dataclass(frozen=True)
class Contribution:
    """What one order adds: one order to (lead, state), its days to fill and hires from other centres."""

    lead: int
    state: str
    days: int | None = None
    other_hires: int = 0


@dataclass
class Row:
    orders: int = 0
    other_hires: int = 0
    days: Counter = field(default_factory=Counter)

    def add(self, sign: int, part: Contribution) -> None:
        self.orders += sign
        self.other_hires += sign * part.other_hires
        if part.days is not None:
            self.days[part.days] += sign

    def values(self) -> dict:
        days = {str(d): n for d, n in sorted(self.days.items()) if n}
        return {"orders": self.orders, "other_hires": self.other_hires, "days_to_fill": json.dumps(days)}

    def same_as(self, other: Row) -> bool:
        def nonzero(days: Counter) -> dict:
            return {d: n for d, n in days.items() if n}

        return (self.orders, self.other_hires, nonzero(self.days)) == (other.orders, other.other_hires,
                                                                       nonzero(other.days))


def _other_hires(order_id: int | None = None):
    """``(job_order_id, n)``: per filled order (or just ``order_id``), the hires from another centre
    than the lead on its last event, which is its filling event.

    An order's events only move forward in time (the services refuse an earlier or a future date),
    so its last event is the one with the highest id. Joins rather than a lookup per order: the
    plan stays a few hash joins even on a freshly loaded database without statistics.
    """
    only_events, only_hires = (((), ()) if order_id is None else
                               ((JobOrderEvent.job_order_id == order_id,), (Hire.job_order_id == order_id,)))
    last = (sa.select(JobOrderEvent.job_order_id, sa.func.max(JobOrderEvent.id).label("last_id"))
            .where(*only_events).group_by(JobOrderEvent.job_order_id).subquery())
    return (
        sa.select(Hire.job_order_id, sa.func.count().label("n"))
        .join(JobOrder, JobOrder.id == Hire.job_order_id)
        .join(last, sa.and_(last.c.job_order_id == Hire.job_order_id, last.c.last_id == Hire.event_id))
        .where(*only_hires, Hire.centre_id != JobOrder.lead_centre_id,
               JobOrder.state == JobOrderState.filled)
        .group_by(Hire.job_order_id).subquery()
    )


def contribution(session: Session, order_id: int) -> Contribution | None:
    """What one order adds to the tally now (None if it does not exist or was cancelled)."""
    row = session.execute(
        sa.select(JobOrder.lead_centre_id, JobOrder.state, JobOrder.received_on, JobOrder.closed_on)
        .where(JobOrder.id == order_id, counted_order())
    ).one_or_none()
    if row is None:
        return None
    lead, state, received_on, closed_on = row
    state = JobOrderState(state)
    if state != JobOrderState.filled:
        return Contribution(lead, state.value)
    hires = session.execute(sa.select(_other_hires(order_id).c.n)).scalar_one_or_none() or 0
    return Contribution(lead, state.value, (closed_on - received_on).days, hires)


def record_change(session: Session, before: Contribution | None, after: Contribution | None) -> None:
    """Move one order's contribution from ``before`` to ``after``.

    Each row is read under a lock and rewritten; rows are taken in key order, so two transactions
    moving orders in opposite directions (one fills, one reopens) wait for each other instead of
    deadlocking on PostgreSQL. (SQLite writers already hold the database's write lock.)
    """
    deltas: dict[tuple[int, str], Row] = defaultdict(Row)
    for sign, part in ((-1, before), (1, after)):
        if part is not None:
            deltas[(part.lead, part.state)].add(sign, part)
    for key in sorted(deltas):
        delta = deltas[key]
        if delta.same_as(Row()):
            continue
        lead, state = key
        where = sa.and_(_T.c.lead_centre_id == lead, _T.c.state == state)
        insert = (sqlite.insert if is_sqlite(session) else postgresql.insert)(_T)
        session.execute(insert.values(lead_centre_id=lead, state=state, **Row().values())
                        .on_conflict_do_nothing(index_elements=["lead_centre_id", "state"]))
        current = _row(session.execute(
            sa.select(_T.c.orders, _T.c.other_hires, _T.c.days_to_fill).where(where).with_for_update()
        ).one())
        current.orders += delta.orders
        current.other_hires += delta.other_hires
        current.days.update(delta.days)
        session.execute(_T.update().where(where).values(**current.values()))


def lock_for_many(session: Session) -> None:
    """Before one transaction changes many orders (an import): take the tally for the whole of it.

    Such a transaction touches the rows of many centres in no particular order; without this a
    single change waiting for one of them while holding another could deadlock with it on
    PostgreSQL. Now single changes wait for the import to commit. (SQLite has one writer anyway.)
    """
    if not is_sqlite(session):
        session.execute(sa.text("LOCK TABLE job_order_tally IN SHARE ROW EXCLUSIVE MODE"))


def _row(values) -> Row:
    orders, hires, days = values
    return Row(orders, hires, Counter({int(d): n for d, n in json.loads(days or "{}").items()}))


def stored(session: Session) -> dict[tuple[int, str], Row]:
    rows = session.execute(sa.select(_T.c.lead_centre_id, sa.type_coerce(_T.c.state, sa.String), _T.c.orders,
                                     _T.c.other_hires, _T.c.days_to_fill)).all()
    return {(lead, state): _row(rest) for lead, state, *rest in rows}


def counted(session: Session) -> dict[tuple[int, str], Row]:
    """The tally counted from the orders as they stand."""
    other = _other_hires()
    filled = JobOrder.state == JobOrderState.filled
    days = sa.case((filled, days_between(session, JobOrder.closed_on, JobOrder.received_on)), else_=None)
    inner = (sa.select(JobOrder.lead_centre_id.label("lead"), sa.type_coerce(JobOrder.state, sa.String).label("state"),
                       days.label("days"), sa.func.coalesce(other.c.n, 0).label("hires"))
             .outerjoin(other, other.c.job_order_id == JobOrder.id).where(counted_order()).subquery())
    rows = session.execute(
        sa.select(inner.c.lead, inner.c.state, inner.c.days, sa.func.count(), sa.func.sum(inner.c.hires))
        .group_by(inner.c.lead, inner.c.state, inner.c.days)
    ).all()
    out: dict[tuple[int, str], Row] = defaultdict(Row)
    for lead, state, days, n, hires in rows:
        row = out[(lead, state)]
        row.orders += n
        row.other_hires += int(hires or 0)
        if days is not None:
            row.days[int(days)] += n
    return dict(out)


def rebuild(session: Session) -> None:
    """Replace the tally by a count from the orders. On PostgreSQL the table is locked first, so a
    change committed meanwhile either is in the count or adds its delta after it, never both."""
    if not is_sqlite(session):
        session.execute(sa.text("LOCK TABLE job_order_tally IN EXCLUSIVE MODE"))
    rows = counted(session)
    session.execute(sa.delete(_T))
    if rows:
        session.execute(sa.insert(_T), [{"lead_centre_id": lead, "state": state, **row.values()}
                                        for (lead, state), row in sorted(rows.items())])


def differences(session: Session) -> dict[tuple[int, str], tuple[Row, Row]]:
    """Keys where the stored tally and a count from the orders disagree: ``key -> (stored, counted)``."""
    have, want = stored(session), counted(session)
    return {k: (have.get(k, Row()), want.get(k, Row())) for k in sorted(set(have) | set(want))
            if not have.get(k, Row()).same_as(want.get(k, Row()))}


def repair(session: Session) -> int:
    """Count again; if the tally drifted (a bug, or rows written around the services), say so and repair it.

    Returns the number of (centre, state) rows that differed."""
    found = differences(session)
    if found:
        log.error("job-order tally differed from a recount in %d places (repaired): %s", len(found),
                  {k: (h.orders, w.orders) for k, (h, w) in list(found.items())[:20]})
        rebuild(session)
    return len(found)


#: The last tally read and its snapshot, keyed by the rows themselves: the front page reads the
#: tally on every visit, and it changes far less often than it is read (never stale: same rows,
#: same answer).
_last_snapshot: dict[tuple, tuple[dict, dict]] = {}


def snapshot(session: Session):
    """The tally in the shape of the history's snapshot: ``({lead: {state: {days|None: n}}}, {lead: hires})``."""
    rows = tuple(tuple(r) for r in session.execute(
        sa.select(_T.c.lead_centre_id, sa.type_coerce(_T.c.state, sa.String), _T.c.orders, _T.c.other_hires,
                  _T.c.days_to_fill).where(_T.c.orders != 0).order_by(_T.c.lead_centre_id, _T.c.state)))
    found = _last_snapshot.get(rows)
    if found is not None:
        return found
    by_lead: dict[int, dict] = defaultdict(dict)
    other: dict[int, int] = defaultdict(int)
    for lead, state, *rest in rows:
        row = _row(rest)
        state = _STATES[state]
        by_lead[lead][state] = dict(row.days) if state is JobOrderState.filled else {None: row.orders}
        if row.other_hires:
            other[lead] += row.other_hires
    _last_snapshot.clear()
    _last_snapshot[rows] = found = (dict(by_lead), dict(other))
    return found
