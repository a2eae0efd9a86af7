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
from nrs.joborders.models import (
    Hire,
    JobOrder,
    JobOrderTally,
    PositionOutcome,
    PositionOutcomeKind,
    counted_order,
)
from nrs.joborders.states import JobOrderState

log = logging.getLogger(__name__)

_T = JobOrderTally.__table__
_STATES = {s.value: s for s in JobOrderState}


@dataclass(frozen=True)
class Contribution:
    """What one order adds: one order to (lead, state), its days to fill, hires from other centres,
    and its positions with their live outcomes."""

    lead: int
    state: str
    days: int | None = None
    other_hires: int = 0
    positions: int = 0
    hired: int = 0
    other: int = 0


#: The counted fields of a row besides ``orders`` and the days (same names in Row and the table).
_COUNTS = ("other_hires", "positions", "positions_hired", "positions_other")


@dataclass
class Row:
    orders: int = 0
    other_hires: int = 0
    days: Counter = field(default_factory=Counter)
    positions: int = 0
    positions_hired: int = 0
    positions_other: int = 0

    def add(self, sign: int, part: Contribution) -> None:
        self.orders += sign
        self.other_hires += sign * part.other_hires
        self.positions += sign * part.positions
        self.positions_hired += sign * part.hired
        self.positions_other += sign * part.other
        if part.days is not None:
            self.days[part.days] += sign

    def counts(self) -> tuple[int, ...]:
        return (self.orders, *(getattr(self, name) for name in _COUNTS))

    def values(self) -> dict:
        days = {str(d): n for d, n in sorted(self.days.items()) if n}
        return {"orders": self.orders, **{name: getattr(self, name) for name in _COUNTS},
                "days_to_fill": json.dumps(days)}

    def same_as(self, other: Row) -> bool:
        def nonzero(days: Counter) -> dict:
            return {d: n for d, n in days.items() if n}

        return (self.counts(), nonzero(self.days)) == (other.counts(), nonzero(other.days))


def _outcomes(order_id: int | None = None):
    """``(job_order_id, hired, other, other_hires)``: per order (or just ``order_id``) its live outcomes
    (not undone by a reopening) and its live hires by a centre other than the lead."""
    hired = PositionOutcome.kind == PositionOutcomeKind.hired
    return (
        sa.select(PositionOutcome.job_order_id,
                  sa.func.sum(sa.case((hired, 1), else_=0)).label("hired"),
                  sa.func.sum(sa.case((hired, 0), else_=1)).label("other"),
                  sa.func.sum(sa.case((sa.and_(hired, Hire.centre_id != JobOrder.lead_centre_id), 1),
                                      else_=0)).label("other_hires"))
        .join(JobOrder, JobOrder.id == PositionOutcome.job_order_id)
        .outerjoin(Hire, Hire.id == PositionOutcome.hire_id)
        .where(PositionOutcome.undone_event_id.is_(None),
               *(() if order_id is None else (PositionOutcome.job_order_id == order_id,)))
        .group_by(PositionOutcome.job_order_id).subquery()
    )


def contribution(session: Session, order_id: int) -> Contribution | None:
    """What one order adds to the tally now (None if it does not exist or was cancelled)."""
    row = session.execute(
        sa.select(JobOrder.lead_centre_id, JobOrder.state, JobOrder.received_on, JobOrder.closed_on,
                  JobOrder.positions)
        .where(JobOrder.id == order_id, counted_order())
    ).one_or_none()
    if row is None:
        return None
    lead, state, received_on, closed_on, positions = row
    state = JobOrderState(state)
    out = _outcomes(order_id)
    hired, other, other_hires = session.execute(
        sa.select(out.c.hired, out.c.other, out.c.other_hires)).one_or_none() or (0, 0, 0)
    days = (closed_on - received_on).days if state == JobOrderState.filled else None
    return Contribution(lead, state.value, days, int(other_hires or 0), positions, int(hired or 0), int(other or 0))


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
            sa.select(*_COLUMNS).where(where).with_for_update()
        ).one())
        current.orders += delta.orders
        for name in _COUNTS:
            setattr(current, name, getattr(current, name) + getattr(delta, name))
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


_COLUMNS = (_T.c.orders, _T.c.other_hires, _T.c.days_to_fill, _T.c.positions, _T.c.positions_hired,
            _T.c.positions_other)


def _row(values) -> Row:
    orders, hires, days, positions, hired, other = values
    return Row(orders, hires, Counter({int(d): n for d, n in json.loads(days or "{}").items()}),
               positions, hired, other)


def stored(session: Session) -> dict[tuple[int, str], Row]:
    rows = session.execute(sa.select(_T.c.lead_centre_id, sa.type_coerce(_T.c.state, sa.String), *_COLUMNS)).all()
    return {(lead, state): _row(rest) for lead, state, *rest in rows}


def counted(session: Session) -> dict[tuple[int, str], Row]:
    """The tally counted from the orders as they stand."""
    out_ = _outcomes()
    filled = JobOrder.state == JobOrderState.filled
    days = sa.case((filled, days_between(session, JobOrder.closed_on, JobOrder.received_on)), else_=None)
    inner = (sa.select(JobOrder.lead_centre_id.label("lead"), sa.type_coerce(JobOrder.state, sa.String).label("state"),
                       days.label("days"), sa.func.coalesce(out_.c.other_hires, 0).label("hires"),
                       JobOrder.positions.label("positions"), sa.func.coalesce(out_.c.hired, 0).label("hired"),
                       sa.func.coalesce(out_.c.other, 0).label("other"))
             .outerjoin(out_, out_.c.job_order_id == JobOrder.id).where(counted_order()).subquery())
    rows = session.execute(
        sa.select(inner.c.lead, inner.c.state, inner.c.days, sa.func.count(), sa.func.sum(inner.c.hires),
                  sa.func.sum(inner.c.positions), sa.func.sum(inner.c.hired), sa.func.sum(inner.c.other))
        .group_by(inner.c.lead, inner.c.state, inner.c.days)
    ).all()
    out: dict[tuple[int, str], Row] = defaultdict(Row)
    for lead, state, days, n, hires, positions, hired, other in rows:
        row = out[(lead, state)]
        row.orders += n
        row.other_hires += int(hires or 0)
        row.positions += int(positions or 0)
        row.positions_hired += int(hired or 0)
        row.positions_other += int(other or 0)
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
    """The tally in the shape of the history's snapshot: ``({lead: {state: {days|None: n}}}, {lead: hires},
    {lead: Positions})`` (see ``nrs.reports.queries``)."""
    rows = tuple(tuple(r) for r in session.execute(
        sa.select(_T.c.lead_centre_id, sa.type_coerce(_T.c.state, sa.String), *_COLUMNS)
        .where(_T.c.orders != 0).order_by(_T.c.lead_centre_id, _T.c.state)))
    found = _last_snapshot.get(rows)
    if found is not None:
        return found
    by_lead: dict[int, dict] = defaultdict(dict)
    other: dict[int, int] = defaultdict(int)
    positions: dict[int, Positions] = defaultdict(Positions)
    for lead, state, *rest in rows:
        row = _row(rest)
        state = _STATES[state]
        by_lead[lead][state] = dict(row.days) if state is JobOrderState.filled else {None: row.orders}
        if row.other_hires:
            other[lead] += row.other_hires
        positions[lead] = positions[lead] + Positions(row.positions, row.positions_hired, row.positions_other)
    _last_snapshot.clear()
    _last_snapshot[rows] = found = (dict(by_lead), dict(other), dict(positions))
    return found


@dataclass(frozen=True)
class Positions:
    """Positions received (of the orders counted) and their live outcomes: hired, other; the rest are open."""

    received: int = 0
    hired: int = 0
    other: int = 0

    def __add__(self, other: Positions) -> Positions:
        return Positions(self.received + other.received, self.hired + other.hired, self.other + other.other)

    @property
    def open(self) -> int:
        return self.received - self.hired - self.other
