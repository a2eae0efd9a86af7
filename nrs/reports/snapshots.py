"""Month-end snapshots of the job-order history, so a period report or an as-of status costs the same
in year ten as in year one.

``rebuild`` counts, in one pass over the events, every past month's flows (received, filled,
unfilled, reopened) and the stocks at its end (open, filled, unfilled) per lead centre and
industry code; the nightly job runs it (``nightly``), and bulk loads can (``nrs reports
rebuild-snapshots``). A reader takes the last month end on or before its day and adds the events
after it from the history itself, so the figures are the history's figures:

- an event recorded since the build but dated in a counted month (a back-dated close) makes
  that month and the later ones unusable until the next build: the reader starts earlier;
- a correction since the build that moves orders between centres or sectors (an order's lead
  or received date, a company's industry code, a company import, an order cancelled or
  restored) makes the snapshot unusable:
  readers fall back to the history until the next build.

Either way the answer stays the history's; only the cost changes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from nrs.audit.models import AuditEvent
from nrs.clock import today, utcnow
from nrs.companies.models import Company
from nrs.config import Settings
from nrs.db import is_sqlite
from nrs.joborders import tally
from nrs.joborders.models import Hire, JobOrder, JobOrderEvent, PositionOutcome, counted_order
from nrs.joborders.states import JobOrderState
from nrs.reports import (
    period as period_rules,  # a cycle: period reads the snapshot, the snapshot counts by period's rules
)
from nrs.reports import queries
from nrs.reports.models import MonthFigure, MonthFigureBuild

_F = MonthFigure.__table__
STOCKS = ("open", "filled", "unfilled", "other_hires")
FLOWS = ("orders_received", "orders_filled", "orders_unfilled", "orders_reopened")


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def _stock_of(state) -> str | None:
    state = JobOrderState(state)
    return "open" if not state.is_closed else state.value


def _dims(lead: int, code: str, state: str = "open") -> list[tuple[int, str]]:
    """The rows a count goes to: per centre (code empty) and, for the open stock and the flows, per
    industry code (centre 0). Two thin aggregates instead of their product keep the table small."""
    return [(lead, ""), (0, code)] if state == "open" else [(lead, "")]


def _month_key(session: Session, column):
    return sa.func.strftime("%Y-%m", column) if is_sqlite(session) else sa.func.to_char(column, "YYYY-MM")


def other_hire_moves(session: Session, *, end: date, start: date | None = None, through_id: int | None = None):
    """Rows ``(month "YYYY-MM", lead, change)`` of the hires-from-another-centre stock (live hired
    positions, the status report's figure): a hire by a centre other than the lead adds one in the
    month its outcome was recorded, and takes it away in the month a reopening undid it."""
    o = PositionOutcome

    def moves(day_col, event_col, sign: int):
        month = _month_key(session, day_col)
        window = [day_col <= end, *((day_col >= start,) if start else ()),
                  *((event_col <= through_id,) if through_id else ())]
        return (sa.select(month.label("month"), JobOrder.lead_centre_id.label("lead"), sa.literal(sign).label("n"))
                .select_from(o).join(Hire, Hire.id == o.hire_id).join(JobOrder, JobOrder.id == o.job_order_id)
                .where(Hire.centre_id != JobOrder.lead_centre_id, counted_order(), *window))

    both = sa.union_all(moves(o.on_date, o.event_id, 1), moves(o.undone_on, o.undone_event_id, -1)).subquery()
    return session.execute(sa.select(both.c.month, both.c.lead, sa.func.sum(both.c.n))
                           .group_by(both.c.month, both.c.lead)).all()


def rebuild(session: Session, *, now: datetime | None = None) -> int:
    """Count every month before the current one again; returns the number of rows written."""
    through = (today() if now is None else now.date()).replace(day=1) - timedelta(days=1)
    last_event_id = session.execute(sa.select(sa.func.coalesce(sa.func.max(JobOrderEvent.id), 0))).scalar_one()

    month = _month_key(session, JobOrderEvent.on_date).label("month")
    rows = session.execute(
        sa.select(month, JobOrder.lead_centre_id, Company.industry_code, JobOrderEvent.from_state,
                  JobOrderEvent.to_state, sa.func.count())
        .select_from(JobOrderEvent)
        .join(JobOrder, JobOrder.id == JobOrderEvent.job_order_id)
        .join(Company, Company.id == JobOrder.company_id)
        .where(JobOrderEvent.on_date <= through, JobOrderEvent.id <= last_event_id, counted_order())
        .group_by(month, JobOrder.lead_centre_id, Company.industry_code, JobOrderEvent.from_state,
                  JobOrderEvent.to_state)
    ).all()
    by_month: dict[date, list] = defaultdict(list)
    for m, *rest in rows:
        by_month[date.fromisoformat(f"{m}-01")].append(rest)
    hires_by_month: dict[date, list] = defaultdict(list)
    for m, lead, n in other_hire_moves(session, end=through, through_id=last_event_id):
        hires_by_month[date.fromisoformat(f"{m}-01")].append((lead, int(n or 0)))
    stock: dict[tuple[int, str, str], int] = defaultdict(int)
    out: list[dict] = []
    first = min(by_month, default=None)
    m = first
    while m is not None and m <= through:
        flows: dict[tuple[int, str, str], int] = defaultdict(int)
        for lead, code, from_state, to_state, n in by_month.get(m, ()):
            key = period_rules.flow_key(from_state, to_state)
            if key:
                for dim in _dims(lead, code):
                    flows[(*dim, key)] += n
            moves = [(to_state, 1)] if from_state is None else (
                [] if _stock_of(from_state) == _stock_of(to_state) else [(from_state, -1), (to_state, 1)])
            for state, sign in moves:  # pausing and resuming stay in the open stock
                for dim in _dims(lead, code, _stock_of(state)):
                    stock[(*dim, _stock_of(state))] += sign * n
        for lead, n in hires_by_month.get(m, ()):
            stock[(lead, "", "other_hires")] += n
        end = _month_end(m)
        out += [{"month_end": end, "lead_centre_id": lead, "industry_code": code, "figure": key, "orders": n}
                for (lead, code, key), n in sorted(flows.items()) if n]
        out += [{"month_end": end, "lead_centre_id": lead, "industry_code": code, "figure": state, "orders": n}
                for (lead, code, state), n in sorted(stock.items()) if n]
        m = end + timedelta(days=1)
    session.execute(sa.delete(_F))
    session.execute(sa.delete(MonthFigureBuild.__table__))
    for i in range(0, len(out), 5000):
        session.execute(sa.insert(_F), out[i:i + 5000])
    session.add(MonthFigureBuild(built_at=now or utcnow(), last_event_id=last_event_id, through=through))
    session.flush()
    return len(out)


def nightly(session: Session, *, now: datetime, settings: Settings) -> int:
    """The scheduled job: count the months again (a back-dated change or a correction is taken in)."""
    return rebuild(session, now=now)


def _corrected_since(session: Session, since: datetime) -> bool:
    """A change since the build that moves orders between centres or sectors (see the module's docstring)."""
    text = sa.cast(AuditEvent.changes, sa.Text)
    moves = sa.or_(
        AuditEvent.entity_type == "company_import",
        sa.and_(AuditEvent.entity_type == "job_order", AuditEvent.action == "update",
                sa.or_(text.like('%"lead_centre_id"%'), text.like('%"received_on"%'), text.like('%"positions"%'))),
        sa.and_(AuditEvent.entity_type == "company", AuditEvent.action.in_(("update", "move")),
                text.like('%"industry_code"%')),
        # a cancelled or restored order leaves (or rejoins) every month since it was received
        AuditEvent.action.in_(("delete", "erase_order", "cancel", "restore")) & (AuditEvent.entity_type == "job_order"),
    )
    return session.execute(sa.select(sa.exists().where(AuditEvent.at > since, moves))).scalar_one()


_STATE = "nrs_report_snapshot"


def _state(session: Session) -> tuple[date, date] | None:
    """``(first month end, last usable day)`` of the snapshot, or None; read once per ``reading`` block."""
    if _STATE in session.info:
        return session.info[_STATE]
    state = None
    build = session.execute(sa.select(MonthFigureBuild).order_by(MonthFigureBuild.id.desc()).limit(1)).scalar()
    first = session.execute(sa.select(sa.func.min(_F.c.month_end))).scalar()
    if build is not None and build.through is not None and first is not None \
            and not _corrected_since(session, build.built_at):
        earliest_new = session.execute(
            sa.select(sa.func.min(JobOrderEvent.on_date)).where(JobOrderEvent.id > build.last_event_id)).scalar()
        limit = build.through if earliest_new is None else min(build.through, earliest_new - timedelta(days=1))
        state = (first, limit)
    if session.info.get(_STATE + "_hold"):
        session.info[_STATE] = state
    return state


class reading:  # noqa: N801 - used as a context manager, like a function
    """Within the block, the snapshot's state is read once (a report asks for it a dozen times)."""

    def __init__(self, session: Session):
        self.session = session

    def __enter__(self):
        self.session.info[_STATE + "_hold"] = True
        self.session.info.pop(_STATE, None)
        return self.session

    def __exit__(self, *exc):
        self.session.info.pop(_STATE + "_hold", None)
        self.session.info.pop(_STATE, None)
        return False


def usable_month_end(session: Session, day: date) -> date | None:
    """The last counted month end on or before ``day`` that the events since the build leave standing."""
    state = _state(session)
    if state is None:
        return None
    first, limit = state
    limit = min(day, limit)
    end = _month_end(limit)
    if end > limit:
        end = limit.replace(day=1) - timedelta(days=1)
    return end if end >= first else None


def _rows(session: Session, *, figures, month_end: date | None = None, between: tuple[date, date] | None = None,
          centre_id: int | None = None):
    stmt = (sa.select(_F.c.lead_centre_id, _F.c.industry_code, _F.c.figure, sa.func.sum(_F.c.orders))
            .where(_F.c.figure.in_(list(figures)))
            .group_by(_F.c.lead_centre_id, _F.c.industry_code, _F.c.figure))
    if month_end is not None:
        stmt = stmt.where(_F.c.month_end == month_end)
    if between is not None:
        stmt = stmt.where(_F.c.month_end >= between[0], _F.c.month_end <= between[1])
    if centre_id is not None:
        stmt = stmt.where(_F.c.lead_centre_id == centre_id)
    return session.execute(stmt).all()


def stocks_at(session: Session, day: date, *, centre_id: int | None = None) -> dict[tuple[int, str, str], int] | None:
    """``{(lead or 0, code or "", stock): n}`` at the end of ``day`` (see ``_dims``), or None when no
    usable snapshot exists or one centre is asked for (the caller reads the history)."""
    base = None if centre_id is not None else usable_month_end(session, day)
    if base is None:
        return None
    out: dict[tuple[int, str, str], int] = defaultdict(int)
    for lead, code, state, n in _rows(session, figures=STOCKS, month_end=base):
        out[(lead, code, state)] += n
    if day > base:
        for (lead, code, key), n in period_rules.flows_by_code(session, period_rules.Period(base + timedelta(days=1), day)).items():
            if key == "orders_received":
                for dim in _dims(lead, code):
                    out[(*dim, "open")] += n
            elif key in ("orders_filled", "orders_unfilled"):
                for dim in _dims(lead, code):
                    out[(*dim, "open")] -= n
                out[(lead, "", key.removeprefix("orders_"))] += n
    # a reopening's from-state is in the events, not in the flow keys: count it from the events
    if day > base:
        _reopenings(session, period_rules.Period(base + timedelta(days=1), day), out)
        for _m, lead, n in other_hire_moves(session, start=base + timedelta(days=1), end=day):
            out[(lead, "", "other_hires")] += int(n or 0)
    return {k: n for k, n in out.items() if n}


def _reopenings(session: Session, period: period_rules.Period, out) -> None:

    stmt = (sa.select(JobOrder.lead_centre_id, Company.industry_code, JobOrderEvent.from_state, sa.func.count())
            .select_from(JobOrderEvent).join(JobOrder, JobOrder.id == JobOrderEvent.job_order_id)
            .join(Company, Company.id == JobOrder.company_id)
            .where(JobOrderEvent.on_date >= period.start, JobOrderEvent.on_date <= period.end,
                   JobOrderEvent.from_state.in_([JobOrderState.filled.value, JobOrderState.unfilled.value]),
                   JobOrderEvent.to_state == JobOrderState.open.value, counted_order())
            .group_by(JobOrder.lead_centre_id, Company.industry_code, JobOrderEvent.from_state))
    for lead, code, from_state, n in session.execute(stmt).all():
        for dim in _dims(lead, code):
            out[(*dim, "open")] += n
        out[(lead, "", JobOrderState(from_state).value)] -= n


def open_split(session: Session, day: date, *, centre_id: int | None = None):
    """``({lead: open}, {industry code: open})`` at the end of ``day``, or None (read the history)."""
    found = stocks_at(session, day, centre_id=centre_id)
    if found is None:
        return None
    by_lead, by_code = defaultdict(int), defaultdict(int)
    for (lead, code, state), n in found.items():
        if state == "open":
            if lead:
                by_lead[lead] += n
            else:
                by_code[code] += n
    return dict(by_lead), dict(by_code)


def flows(session: Session, period: period_rules.Period, *, centre_id: int | None = None) -> dict[tuple[int, str, str], int]:
    """The period's flows as ``({(lead, key): n}, {(industry code, key): n})``: whole counted months from
    the snapshot, the ragged ends (or everything, for one centre or without a snapshot) from the events."""
    base = None if centre_id is not None else usable_month_end(session, period.end)
    first_whole = period.start if period.start.day == 1 else _month_end(period.start) + timedelta(days=1)
    last_whole = None if base is None else min(base, period.end if _month_end(period.end) == period.end
                                               else period.end.replace(day=1) - timedelta(days=1))
    by_lead, by_code = defaultdict(int), defaultdict(int)

    def from_events(p: period_rules.Period) -> None:
        for (lead, code, key), n in period_rules.flows_by_code(session, p, centre_id=centre_id).items():
            by_lead[(lead, key)] += n
            by_code[(code, key)] += n

    if last_whole is None or last_whole < first_whole:
        from_events(period)
        return dict(by_lead), dict(by_code)
    for lead, code, key, n in _rows(session, figures=FLOWS, between=(first_whole, last_whole)):
        if lead:
            by_lead[(lead, key)] += n
        else:
            by_code[(code, key)] += n
    if period.start < first_whole:
        from_events(period_rules.Period(period.start, first_whole - timedelta(days=1)))
    if last_whole < period.end:
        from_events(period_rules.Period(last_whole + timedelta(days=1), period.end))
    return dict(by_lead), dict(by_code)


def status_snapshot(session: Session, day: date):
    """The as-of status's input (``nrs.reports.queries.status_figures(snapshot=...)``) from the month
    snapshot, or None when there is none usable. The positions are not in the month figures yet:
    they come from the history (two grouped reads of the orders and their outcomes)."""
    with reading(session):
        found = stocks_at(session, day)
    if found is None:
        return None
    by_lead: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    other: dict[int, int] = defaultdict(int)
    for (lead, _code, state), n in found.items():
        if not lead:
            continue  # the per-code rows count the same orders again
        if state == "other_hires":
            other[lead] += n
            continue
        bucket = by_lead[lead][JobOrderState(state)]
        bucket[None] = bucket.get(None, 0) + n
    return by_lead, dict(other), queries.positions_as_of(session, day)


def status_as_of(session: Session, day: date) -> dict:
    """``nrs reports status`` and ``/api/v1/status``: the status figures at the end of ``day`` from the
    cheapest source that gives the history's answer. Today (or later) the running tally, which is
    the history then (nothing is dated after today; tests hold the two equal), so only STAR's rates
    read the orders; a past day the month snapshot when one is usable; else the history itself."""
    source = tally.snapshot(session) if day >= today() else status_snapshot(session, day)
    return queries.status_figures(session, as_of=day, snapshot=source)
