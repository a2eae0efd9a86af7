"""Month-end snapshots of the job-order history, so a period report or an as-of status costs the same
in year ten as in year one.

``rebuild`` counts, in one pass over the events, every past month's flows (received, filled,
unfilled, reopened) and the stocks at its end (open, filled, unfilled) per lead centre and
industry code, the same per pair of them for one centre's report split by sector
(``CentreCodeMonth``), and STAR's measure by the month the orders were created (``StarMonthFigure``);
the nightly job runs it (``nightly``), and bulk loads can (``nrs reports rebuild-snapshots``).
A reader takes the last month end on or before its day and adds the events after it from the
history itself, so the figures are the history's figures:

- an event recorded since the build but dated in a counted month (a back-dated close) makes
  that month and the later ones unusable until the next build: the reader starts earlier;
- a correction since the build that moves orders between centres, sectors or STAR's groups (an
  order's lead, received date, positions or occupational group, a company's industry code, a
  company import, an order cancelled or restored, a referral withdrawn) makes the snapshot unusable:
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
from nrs.joborders import star, tally
from nrs.joborders.corrections import counted_referral
from nrs.joborders.models import (
    Hire,
    JobOrder,
    JobOrderEvent,
    PositionOutcome,
    PositionOutcomeKind,
    Referral,
    counted_order,
)
from nrs.joborders.states import JobOrderState
from nrs.joborders.tally import Positions
from nrs.reports import (
    period as period_rules,  # a cycle: period reads the snapshot, the snapshot counts by period's rules
)
from nrs.reports import queries
from nrs.reports.models import CentreCodeMonth, MonthFigure, MonthFigureBuild, StarMonthFigure

_F = MonthFigure.__table__
_S = StarMonthFigure.__table__
_P = CentreCodeMonth.__table__
STOCKS = ("open", "filled", "unfilled", "other_hires")
#: Stocks per centre for the status report's positions and STAR's rates (``status_snapshot``):
#: positions of the orders received, their live outcomes, and STAR's referred and hired orders.
STATUS_STOCKS = ("positions", "positions_hired", "positions_other", "star_referred", "star_hired")
FLOWS = ("orders_received", "orders_filled", "orders_unfilled", "orders_reopened")
#: Hires recorded in the month (per lead centre), and those by another centre than the lead.
HIRE_FLOWS = ("hires", "hires_other")


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def _stock_of(state) -> str | None:
    state = JobOrderState(state)
    return "open" if not state.is_closed else state.value


def _dims(lead: int, code: str, state: str = "open") -> list[tuple[int, str]]:
    """The rows a count goes to: per centre (code empty) and, for the open stock, the flows and the
    positions, per industry code (centre 0). Two thin aggregates instead of their product keep the table small."""
    return [(lead, ""), (0, code)] if state == "open" else [(lead, "")]


def _month_key(session: Session, column):
    return sa.func.strftime("%Y-%m", column) if is_sqlite(session) else sa.func.to_char(column, "YYYY-MM")


def outcome_moves(session: Session, *, end: date, start: date | None = None, through_id: int | None = None,
                  centre_id: int | None = None):
    """Rows ``(month "YYYY-MM", lead, industry code, hired, other, other_hires)`` of the live outcomes' stocks: an
    outcome adds one in the month it was recorded and takes it away in the month a reopening undid
    it; ``other_hires`` (the status report's figure) counts the hires by a centre other than the lead."""
    o = PositionOutcome
    hired = o.kind == PositionOutcomeKind.hired

    def moves(day_col, event_col, sign: int):
        month = _month_key(session, day_col)
        window = [day_col <= end, *((day_col >= start,) if start else ()),
                  *((event_col <= through_id,) if through_id else ()),
                  *((JobOrder.lead_centre_id == centre_id,) if centre_id is not None else ())]
        return (sa.select(month.label("month"), JobOrder.lead_centre_id.label("lead"),
                          Company.industry_code.label("code"), sa.case((hired, sign), else_=0).label("hired"),
                          sa.case((hired, 0), else_=sign).label("other"),
                          sa.case((sa.and_(hired, Hire.centre_id != JobOrder.lead_centre_id), sign),
                                  else_=0).label("other_hires"))
                .select_from(o).outerjoin(Hire, Hire.id == o.hire_id).join(JobOrder, JobOrder.id == o.job_order_id)
                .join(Company, Company.id == JobOrder.company_id)
                .where(counted_order(), *window))

    both = sa.union_all(moves(o.on_date, o.event_id, 1), moves(o.undone_on, o.undone_event_id, -1)).subquery()
    return session.execute(sa.select(both.c.month, both.c.lead, both.c.code, sa.func.sum(both.c.hired),
                                     sa.func.sum(both.c.other), sa.func.sum(both.c.other_hires))
                           .group_by(both.c.month, both.c.lead, both.c.code)).all()


def _month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def star_moves(session: Session, *, through_event_id: int, through_referral_id: int
               ) -> dict[tuple[str, str, int, str, str], int]:
    """``{(creation month, month, lead or 0, group or "", "referred" | "hired"): change}`` as the data
    stood at the build (the hires are read order by order): when each order joined STAR's referred
    set and when it began and stopped counting as ended with a referred candidate's hire
    (``star.hired_spans``), by the month the order was created, per centre and per occupational
    group (``StarMonthFigure``'s rows; the per-centre rows summed over creation months are the
    month snapshot's ``star_referred`` / ``star_hired`` changes)."""
    by_creation: dict[tuple[str, str, int, str, str], int] = defaultdict(int)
    since: dict[int, tuple[int, date, str, str | None]] = {}

    def move(month: str, lead: int, created: str, group: str | None, key: str, n: int) -> None:
        for dim in _star_dims(lead, group):
            by_creation[(created, month, *dim, key)] += n

    for oid, lead, day, received, group in session.execute(
            star.referred_since_stmt(through_referral_id=through_referral_id)):
        since[oid] = (lead, day, _month_of(received), group)
        move(_month_of(day), lead, _month_of(received), group, "referred", 1)

    def close(oid, outcomes):
        if oid not in since:
            return
        lead, day, created, group = since[oid]
        for begin, stop in star.hired_spans(day, outcomes):
            move(_month_of(begin), lead, created, group, "hired", 1)
            if stop is not None:
                move(_month_of(stop), lead, created, group, "hired", -1)

    last_order = session.execute(sa.select(sa.func.coalesce(sa.func.max(JobOrder.id), 0))).scalar_one()
    for first in range(0, last_order + 1, _ORDERS_AT_A_TIME):  # a slice of the orders in memory at a time
        by_order: dict[int, list] = defaultdict(list)
        stmt = star.referred_hire_stmt(through_event_id=through_event_id,
                                       id_range=(first, first + _ORDERS_AT_A_TIME - 1))
        for oid, on, undone in session.execute(stmt):
            by_order[oid].append((on, undone))
        for oid, outcomes in by_order.items():
            close(oid, outcomes)
    return by_creation


def _star_dims(lead: int, group: str | None) -> list[tuple[int, str]]:
    """``StarMonthFigure``'s rows for one order: per centre (group empty), per group (centre 0), and
    per centre and group (one centre's report splits by group)."""
    return [(lead, ""), (0, group or NO_GROUP), (lead, group or NO_GROUP)]


#: ``StarMonthFigure.occupational_group`` of the orders without a group, on the rows per group.
NO_GROUP = "-"


_ORDERS_AT_A_TIME = 100_000


def _outcome_stock_moves(session: Session, through: date, last_event_id: int, last_referral_id: int
                         ) -> tuple[dict[date, list], dict, dict[date, list]]:
    """``{month: [((lead, code), stock, change)]}``: the outcomes' and STAR's stock changes per month;
    STAR's changes by creation month (``star_moves``); and ``{month: [(lead, code, hired, other)]}``,
    the outcomes' changes per pair (``CentreCodeMonth``)."""
    out: dict[date, list] = defaultdict(list)
    pairs: dict[date, list] = defaultdict(list)
    for m, lead, code, hired, other, other_hires in outcome_moves(session, end=through, through_id=last_event_id):
        pairs[date.fromisoformat(f"{m}-01")].append((lead, code, int(hired or 0), int(other or 0)))
        out[date.fromisoformat(f"{m}-01")] += [
            *((dim, key, int(n or 0)) for key, n in (("positions_hired", hired), ("positions_other", other))
              for dim in _dims(lead, code)),
            ((lead, ""), "other_hires", int(other_hires or 0))]
    by_creation = star_moves(session, through_event_id=last_event_id, through_referral_id=last_referral_id)
    for (_created, m, lead, group, key), n in by_creation.items():
        if lead and not group:  # the per-centre rows; the rows per group count the same orders again
            out[date.fromisoformat(f"{m}-01")].append(((lead, ""), f"star_{key}", n))
    return out, by_creation, pairs


def rebuild(session: Session, *, now: datetime | None = None) -> int:
    """Count every month before the current one again; returns the number of rows written (all three tables)."""
    through = (today() if now is None else now.date()).replace(day=1) - timedelta(days=1)
    last_event_id = session.execute(sa.select(sa.func.coalesce(sa.func.max(JobOrderEvent.id), 0))).scalar_one()
    last_referral_id = session.execute(sa.select(sa.func.coalesce(sa.func.max(Referral.id), 0))).scalar_one()

    month = _month_key(session, JobOrderEvent.on_date).label("month")
    rows = session.execute(
        sa.select(month, JobOrder.lead_centre_id, Company.industry_code, JobOrderEvent.from_state,
                  JobOrderEvent.to_state, sa.func.count(), sa.func.sum(JobOrder.positions))
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
    outcomes_by_month, star_by_creation, pair_outcomes = _outcome_stock_moves(session, through, last_event_id,
                                                                              last_referral_id)
    hire_flows: dict[date, list] = defaultdict(list)
    month_of_event = _month_key(session, JobOrderEvent.on_date).label("month")
    for m, lead, n, other in session.execute(
            period_rules.hires_stmt(period_rules.Period(date.min, through), extra=(month_of_event,))
            .where(JobOrderEvent.id <= last_event_id).group_by(month_of_event)).all():
        hire_flows[date.fromisoformat(f"{m}-01")].append((lead, n, int(other or 0)))
    stock: dict[tuple[int, str, str], int] = defaultdict(int)
    pairs = _Pairs(session)
    out: list[dict] = []
    first = min(by_month, default=None)
    m = first
    while m is not None and m <= through:
        flows: dict[tuple[int, str, str], int] = defaultdict(int)
        _count_events(by_month.get(m, ()), stock, flows, pairs)
        for dim, key, n in outcomes_by_month.get(m, ()):
            stock[(*dim, key)] += n
        for lead, code, hired, other in pair_outcomes.get(m, ()):
            pairs.add(lead, code, "hired", hired)
            pairs.add(lead, code, "other", other)
            pairs.add(lead, code, "positions_open", -hired - other)
        for lead, n, other in hire_flows.get(m, ()):
            flows[(lead, "", "hires")] += n
            flows[(lead, "", "hires_other")] += other
        end = _month_end(m)
        out += [{"month_end": end, "lead_centre_id": lead, "industry_code": code, "figure": key, "orders": n}
                for (lead, code, key), n in sorted(flows.items()) if n]
        out += [{"month_end": end, "lead_centre_id": lead, "industry_code": code, "figure": state, "orders": n}
                for (lead, code, state), n in sorted(stock.items()) if n]
        pairs.close_month(end)
        m = end + timedelta(days=1)
    star_rows = _star_rows(session, through, star_by_creation)
    session.execute(sa.delete(_F))
    session.execute(sa.delete(_S))
    session.execute(sa.delete(MonthFigureBuild.__table__))
    for table, rows in ((_F, out), (_S, star_rows)):
        for i in range(0, len(rows), 5000):
            session.execute(sa.insert(table), rows[i:i + 5000])
    written = pairs.write()
    session.add(MonthFigureBuild(built_at=now or utcnow(), last_event_id=last_event_id,
                                 last_referral_id=last_referral_id, through=through))
    session.flush()
    return len(out) + len(star_rows) + written


def _count_events(rows, stock: dict, flows: dict, pairs: _Pairs) -> None:
    """One month's grouped events (``rebuild``'s rows) into the stocks, the month's flows and the pairs."""
    for lead, code, from_state, to_state, n, positions in rows:
        if from_state is None:
            for dim in _dims(lead, code):
                stock[(*dim, "positions")] += int(positions or 0)
            pairs.add(lead, code, "positions_open", int(positions or 0))
        key = period_rules.flow_key(from_state, to_state)
        if key:
            for dim in _dims(lead, code):
                flows[(*dim, key)] += n
            pairs.add(lead, code, key.removeprefix("orders_"), n)
        moves = [(to_state, 1)] if from_state is None else (
            [] if _stock_of(from_state) == _stock_of(to_state) else [(from_state, -1), (to_state, 1)])
        for state, sign in moves:  # pausing and resuming stay in the open stock
            for dim in _dims(lead, code, _stock_of(state)):
                stock[(*dim, _stock_of(state))] += sign * n
            if _stock_of(state) == "open":
                pairs.add(lead, code, "open", sign * n)


#: ``CentreCodeMonth``'s stocks (carried from month to month) and flows (counted within one).
PAIR_STOCKS = ("open", "positions_open")
PAIR_FLOWS = ("received", "filled", "unfilled", "reopened", "hired", "other")


class _Pairs:
    """``rebuild``'s counts per (centre, industry code): the stocks carried over the months, each
    month's flows, and the month's rows once it is closed (only pairs with anything in them)."""

    def __init__(self, session: Session):
        self.session = session
        self.stock: dict[tuple[int, str], dict[str, int]] = {}
        self.flow: dict[tuple[int, str], dict[str, int]] = {}
        self.rows: list[tuple] = []

    def add(self, lead: int, code: str, key: str, n: int) -> None:
        if n:
            part = self.stock if key in PAIR_STOCKS else self.flow
            counts = part.setdefault((lead, code), {})
            counts[key] = counts.get(key, 0) + n

    def close_month(self, month_end: date) -> None:
        for pair in sorted(set(self.stock) | set(self.flow)):
            stock, flow = self.stock.get(pair, {}), self.flow.get(pair, {})
            values = [stock.get(k, 0) for k in PAIR_STOCKS] + [flow.get(k, 0) for k in PAIR_FLOWS]
            if any(values):
                self.rows.append((pair[0], month_end, pair[1], *values))
            if not any(stock.values()):
                self.stock.pop(pair, None)  # a pair with nothing open is carried no further
        self.flow = {}

    def write(self) -> int:
        """Replace the table's rows with the counted ones; returns how many."""
        self.session.execute(sa.delete(_P))
        names = ("lead_centre_id", "month_end", "industry_code", *PAIR_STOCKS, *PAIR_FLOWS)
        for i in range(0, len(self.rows), 5000):
            self.session.execute(sa.insert(_P), [dict(zip(names, r, strict=True)) for r in self.rows[i:i + 5000]])
        return len(self.rows)


def _star_rows(session: Session, through: date, moves: dict) -> list[dict]:
    """``StarMonthFigure``'s rows of the months through ``through``: the orders and positions created
    in each month (counted orders, ``star.counts``' rule), and the referred and hired changes."""
    month = _month_key(session, JobOrder.received_on).label("month")
    created: dict[tuple[str, str, int, str, str], int] = defaultdict(int)
    for m, lead, group, n, positions in session.execute(
            sa.select(month, JobOrder.lead_centre_id, JobOrder.occupational_group, sa.func.count(),
                      sa.func.sum(JobOrder.positions))
            .where(JobOrder.received_on <= through, counted_order())
            .group_by(month, JobOrder.lead_centre_id, JobOrder.occupational_group)):
        for dim in _star_dims(lead, group):
            created[(m, m, *dim, "orders")] += n
            created[(m, m, *dim, "positions")] += int(positions or 0)
    last = _month_of(through)
    return [{"created_month_end": _month_end(date.fromisoformat(f"{c}-01")),
             "month_end": _month_end(date.fromisoformat(f"{m}-01")), "lead_centre_id": lead,
             "occupational_group": group, "figure": key, "orders": n}
            for (c, m, lead, group, key), n in sorted({**moves, **created}.items()) if n and m <= last]


def nightly(session: Session, *, now: datetime, settings: Settings) -> int:
    """The scheduled job: count the months again (a back-dated change or a correction is taken in)."""
    return rebuild(session, now=now)


def _corrected_since(session: Session, since: datetime) -> bool:
    """A change since the build that moves orders between centres or sectors (see the module's docstring)."""
    text = sa.cast(AuditEvent.changes, sa.Text)
    moves = sa.or_(
        AuditEvent.entity_type == "company_import",
        sa.and_(AuditEvent.entity_type == "job_order", AuditEvent.action == "update",
                sa.or_(*(text.like(f'%"{field}"%') for field in ("lead_centre_id", "received_on", "positions",
                                                                  "occupational_group")))),
        sa.and_(AuditEvent.entity_type == "company", AuditEvent.action.in_(("update", "move")),
                text.like('%"industry_code"%')),
        # a cancelled or restored order leaves (or rejoins) every month since it was received
        AuditEvent.action.in_(("delete", "erase_order", "cancel", "restore")) & (AuditEvent.entity_type == "job_order"),
        # a withdrawn referral leaves STAR's referred orders in every month since it was made
        sa.and_(AuditEvent.entity_type == "referral", AuditEvent.action == "withdraw"),
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
        # the events and referrals recorded since the build, by their primary key (not the date index)
        new_events = sa.select(JobOrderEvent.on_date.label("day")).where(JobOrderEvent.id > build.last_event_id)
        new_referrals = sa.select(Referral.referred_on.label("day")).where(Referral.id > build.last_referral_id)
        earliest_new = session.execute(sa.select(sa.func.min(sa.union_all(new_events, new_referrals)
                                                             .subquery().c.day))).scalar()
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


def stocks_at(session: Session, day: date, *, centre_id: int | None = None, orders_only: bool = False
              ) -> dict[tuple[int, str, str], int] | None:
    """``{(lead or 0, code or "", stock): n}`` at the end of ``day`` (see ``_dims``), or None when no
    usable snapshot exists or one centre is asked for (the caller reads the history).
    ``orders_only``: the orders' stocks without the positions' and STAR's (a month of the report's table)."""
    base = None if centre_id is not None else usable_month_end(session, day)
    if base is None:
        return None
    out: dict[tuple[int, str, str], int] = defaultdict(int)
    for lead, code, state, n in _rows(session, figures=STOCKS + (() if orders_only else STATUS_STOCKS),
                                      month_end=base):
        out[(lead, code, state)] += n
    if day > base:
        after = period_rules.Period(base + timedelta(days=1), day)
        _order_moves(session, after, out)
        if not orders_only:
            _position_and_star_moves(session, after, out)
    return {k: n for k, n in out.items() if n}


def _order_moves(session: Session, after: period_rules.Period, out) -> None:
    """The orders' stocks moved by the events of the days after the month end."""
    for (lead, code, key), n in period_rules.flows_by_code(session, after).items():
        if key == "orders_received":
            for dim in _dims(lead, code):
                out[(*dim, "open")] += n
        elif key in ("orders_filled", "orders_unfilled"):
            for dim in _dims(lead, code):
                out[(*dim, "open")] -= n
            out[(lead, "", key.removeprefix("orders_"))] += n
    # a reopening's from-state is in the events, not in the flow keys: count it from the events
    _reopenings(session, after, out)


def _position_and_star_moves(session: Session, after: period_rules.Period, out) -> None:
    """The positions' and STAR's stocks moved in the days after the month end."""
    for _m, lead, code, hired, other, other_hires in outcome_moves(session, start=after.start, end=after.end):
        for key, n in (("positions_hired", hired), ("positions_other", other)):
            for dim in _dims(lead, code):
                out[(*dim, key)] += int(n or 0)
        out[(lead, "", "other_hires")] += int(other_hires or 0)
    for (lead, code), n in queries.positions_received(session, end=after.end, start=after.start,
                                                      by_code=True).items():
        for dim in _dims(lead, code):
            out[(*dim, "positions")] += n
    for (lead, key), n in _star_changes(session, after.start - timedelta(days=1), after.end).items():
        out[(lead, "", key)] += n


def _star_changes(session: Session, base: date, day: date) -> dict[tuple[int, str], int]:
    """``{(lead, "star_referred" | "star_hired"): change}`` from the end of ``base`` to the end of
    ``day``: only the orders referred, hired or undone in between can change, and each is judged
    on both days by STAR's own rules (``nrs.joborders.star``)."""
    o = PositionOutcome
    referred = sa.select(Referral.job_order_id).where(Referral.referred_on > base, Referral.referred_on <= day,
                                                      counted_referral())
    received = sa.select(JobOrder.id).where(JobOrder.received_on > base, JobOrder.received_on <= day)
    hired = sa.select(o.job_order_id).where(sa.or_(sa.and_(o.on_date > base, o.on_date <= day),
                                                   sa.and_(o.undone_on > base, o.undone_on <= day)))
    ids = set(session.execute(sa.union(referred, received, hired)).scalars())
    out: dict[tuple[int, str], int] = defaultdict(int)
    if not ids:
        return out
    since, outcomes = {}, defaultdict(list)
    for chunk in _chunks(sorted(ids)):
        since.update({oid: (lead, d) for oid, lead, d, _r, _g in
                      session.execute(star.referred_since_stmt(order_ids=chunk))})
        for oid, on, undone in session.execute(star.referred_hire_stmt(order_ids=chunk)):
            outcomes[oid].append((on, undone))
    for oid, (lead, d) in since.items():
        out[(lead, "star_referred")] += (d <= day) - (d <= base)
        spans = star.hired_spans(d, outcomes.get(oid, ()))
        out[(lead, "star_hired")] += star.hired_on(spans, day) - star.hired_on(spans, base)
    return out


def _chunks(ids: list[int], size: int = 5_000):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


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


def stock_split(session: Session, day: date, *, centre_id: int | None = None, positions: bool = True):
    """``(open, positions)`` at the end of ``day``, each as ``({lead: n}, {industry code: n})`` (the
    positions as ``Positions``; empty unless ``positions``), or None (read the history)."""
    found = stocks_at(session, day, centre_id=centre_id, orders_only=not positions)
    if found is None:
        return None
    open_lead, open_code = defaultdict(int), defaultdict(int)
    parts: dict[str, dict] = {"": defaultdict(dict), "code": defaultdict(dict)}
    for (lead, code, state), n in found.items():
        if state == "open":
            if lead:
                open_lead[lead] += n
            else:
                open_code[code] += n
        elif state in _POSITION_PART:
            key, part = (lead, parts[""]) if lead else (code, parts["code"])
            part[key][_POSITION_PART[state]] = part[key].get(_POSITION_PART[state], 0) + n
    pos = {dim: {key: Positions(**p) for key, p in part.items()} for dim, part in parts.items()}
    return (dict(open_lead), dict(open_code)), (pos[""], pos["code"])


_POSITION_PART = {"positions": "received", "positions_hired": "hired", "positions_other": "other"}


def _months_split(session: Session, period: period_rules.Period, centre_id: int | None):
    """The period as ``(whole, ragged)``: the span of whole counted months the snapshot answers
    (``(first month end, last month end)`` or None) and the ragged ends the events answer."""
    base = None if centre_id is not None else usable_month_end(session, period.end)
    first_whole = period.start if period.start.day == 1 else _month_end(period.start) + timedelta(days=1)
    last_whole = None if base is None else min(base, period.end if _month_end(period.end) == period.end
                                               else period.end.replace(day=1) - timedelta(days=1))
    if last_whole is None or last_whole < first_whole:
        return None, [period]
    ragged = []
    if period.start < first_whole:
        ragged.append(period_rules.Period(period.start, first_whole - timedelta(days=1)))
    if last_whole < period.end:
        ragged.append(period_rules.Period(last_whole + timedelta(days=1), period.end))
    return (first_whole, last_whole), ragged


def flows(session: Session, period: period_rules.Period, *, centre_id: int | None = None) -> dict[tuple[int, str, str], int]:
    """The period's flows as ``({(lead, key): n}, {(industry code, key): n})``: whole counted months from
    the snapshot, the ragged ends (or everything, for one centre or without a snapshot) from the events."""
    whole, ragged = _months_split(session, period, centre_id)
    by_lead, by_code = defaultdict(int), defaultdict(int)
    if whole is not None:
        for lead, code, key, n in _rows(session, figures=FLOWS, between=whole):
            if lead:
                by_lead[(lead, key)] += n
            else:
                by_code[(code, key)] += n
    for p in ragged:
        for (lead, code, key), n in period_rules.flows_by_code(session, p, centre_id=centre_id).items():
            by_lead[(lead, key)] += n
            by_code[(code, key)] += n
    return dict(by_lead), dict(by_code)


def hires(session: Session, period: period_rules.Period, *, centre_id: int | None = None
          ) -> tuple[dict[int, int], dict[int, int]]:
    """``period.hires``'s answer (hires recorded by the period's events, and those from another
    centre than the lead, per lead): whole counted months from the snapshot (kept per centre, so
    also for one centre), the rest from the events."""
    whole, ragged = _months_split(session, period, None)
    every, other = defaultdict(int), defaultdict(int)
    if whole is not None:
        for lead, _code, key, n in _rows(session, figures=HIRE_FLOWS, between=whole, centre_id=centre_id):
            (every if key == "hires" else other)[lead] += n
    for p in ragged:
        for lead, n, o in session.execute(period_rules.hires_stmt(p, centre_id=centre_id)).all():
            every[lead] += n
            other[lead] += int(o or 0)
    return dict(every), dict(other)


def centre_split(session: Session, period: period_rules.Period, centre_id: int, *, positions: bool = True,
                 by_code: bool = True):
    """One centre's ``order_figures`` input from its pairs (``CentreCodeMonth``), or None when the
    snapshot cannot answer the period's start (read the history): ``(stocks at the end of the day
    before the period, stocks at its end, flows)``, each stock as ``((open by lead, open by code),
    (positions by lead, by code))`` and the flows as ``({(lead, key): n}, {(code, key): n})``.

    The pairs keep the open positions, not the positions ever received (that stock would hold every
    pair that ever had an order), so both ends are counted from the open positions at the start:
    ``Positions(open, 0, 0)`` there, and the period's received, hired and other added at the end
    (``period.position_moves`` takes differences and ``open``, which come out as the history's).
    ``by_code=False``: every code counted as one, "" (the report's months, which have no sectors).
    """
    days = (period.start - timedelta(days=1), period.end)
    bases = [usable_month_end(session, day) for day in days]
    if None in bases:
        return None
    (open_start, pos_start), (open_end, pos_end) = (
        _pair_stock(session, centre_id, base, day, by_code) for base, day in zip(bases, days, strict=True))
    moved: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    whole, ragged = _months_split(session, period, None)
    if whole is not None:
        for code, *values in _pair_rows(session, centre_id, PAIR_FLOWS, by_code, between=whole):
            for key, n in zip(PAIR_FLOWS, values, strict=True):
                moved[code][key] += int(n or 0)
    for p in ragged:
        for code, f in _pair_moves(session, p, centre_id).items():
            for key in PAIR_FLOWS:
                moved[code if by_code else ""][key] += f[key]
    flow_lead, flow_code = defaultdict(int), defaultdict(int)
    for code, f in moved.items():
        for key in FLOWS:
            flow_lead[(centre_id, key)] += f[key.removeprefix("orders_")]
            flow_code[(code, key)] += f[key.removeprefix("orders_")]

    def with_lead(parts: dict, zero):
        """``({centre: the parts' sum}, parts)``: the centre's own figure is its codes' sum."""
        return {centre_id: sum(parts.values(), zero)}, parts

    start_code = {code: Positions(n) for code, n in pos_start.items()} if positions else {}
    end_code = {code: Positions(pos_end.get(code, 0) + moved[code]["hired"] + moved[code]["other"],
                                moved[code]["hired"], moved[code]["other"])
                for code in set(pos_end) | set(moved)} if positions else {}
    no_positions = ({}, {})
    return ((with_lead(open_start, 0), with_lead(start_code, Positions()) if positions else no_positions),
            (with_lead(open_end, 0), with_lead(end_code, Positions()) if positions else no_positions),
            (dict(flow_lead), dict(flow_code)))


def _pair_rows(session: Session, centre_id: int, columns, by_code: bool, *, month_end: date | None = None,
               between: tuple[date, date] | None = None):
    """``(industry code, *sums of columns)`` of one centre's pairs at a month end or over months
    (``by_code=False``: one row, code "")."""
    code = _P.c.industry_code if by_code else sa.literal("").label("industry_code")
    stmt = sa.select(code, *(sa.func.sum(_P.c[c]) for c in columns)).where(_P.c.lead_centre_id == centre_id)
    if by_code:
        stmt = stmt.group_by(_P.c.industry_code)
    if month_end is not None:
        stmt = stmt.where(_P.c.month_end == month_end)
    if between is not None:
        stmt = stmt.where(_P.c.month_end >= between[0], _P.c.month_end <= between[1])
    return session.execute(stmt).all()


def _pair_stock(session: Session, centre_id: int, base: date, day: date, by_code: bool
                ) -> tuple[dict[str, int], dict[str, int]]:
    """``({code: open orders}, {code: open positions})`` of one centre at the end of ``day``: the
    pairs at month end ``base`` and the events of the days after it."""
    open_, positions = defaultdict(int), defaultdict(int)
    for code, n, p in _pair_rows(session, centre_id, PAIR_STOCKS, by_code, month_end=base):
        open_[code] += int(n or 0)
        positions[code] += int(p or 0)
    if day > base:
        for code, f in _pair_moves(session, period_rules.Period(base + timedelta(days=1), day), centre_id).items():
            key = code if by_code else ""
            open_[key] += f["received"] - f["filled"] - f["unfilled"] + f["reopened"]
            positions[key] += f["positions_received"] - f["hired"] - f["other"]
    return {c: n for c, n in open_.items() if n}, {c: n for c, n in positions.items() if n}


def _pair_moves(session: Session, period: period_rules.Period, centre_id: int) -> dict[str, dict[str, int]]:
    """``{code: {PAIR_FLOWS key or "positions_received": n}}``: one centre's flows in a few days
    the pairs do not count (after the last month end, or a ragged end of the period), from the events."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (_lead, code, key), n in period_rules.flows_by_code(session, period, centre_id=centre_id).items():
        out[code][key.removeprefix("orders_")] += n
    for _m, _lead, code, hired, other, _oh in outcome_moves(session, start=period.start, end=period.end,
                                                           centre_id=centre_id):
        out[code]["hired"] += int(hired or 0)
        out[code]["other"] += int(other or 0)
    for (_lead, code), n in queries.positions_received(session, end=period.end, start=period.start, by_code=True,
                                                       centre_id=centre_id).items():
        out[code]["positions_received"] += n
    return out


def star_split(session: Session, period: period_rules.Period, *, centre_id: int | None = None
               ) -> tuple[dict[str | None, star.StarCounts], dict[int, star.StarCounts]] | None:
    """STAR's measure of the orders created in the period as things stood at its end
    (``star.counts``' answer), as ``({occupational group: counts}, {lead: counts})``, from the rows
    of the period's creation months (for one centre, its rows per group); None (read the history)
    unless the period is whole counted months the events since the build leave standing."""
    whole = (period.start.day == 1 and _month_end(period.end) == period.end
             and usable_month_end(session, period.end) == period.end)
    if not whole:
        return None
    rows = (_S.c.lead_centre_id == centre_id if centre_id is not None  # its own and its groups'
            else sa.or_(_S.c.lead_centre_id == 0, _S.c.occupational_group == ""))  # NRS's groups, each centre
    parts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lead, group, key, n in session.execute(
            sa.select(_S.c.lead_centre_id, _S.c.occupational_group, _S.c.figure, sa.func.sum(_S.c.orders))
            .where(_S.c.created_month_end >= _month_end(period.start), _S.c.created_month_end <= period.end,
                   _S.c.month_end <= period.end, rows)
            .group_by(_S.c.lead_centre_id, _S.c.occupational_group, _S.c.figure)):
        parts[(lead, group)][key] += int(n or 0)
    groups: dict[str | None, star.StarCounts] = {}
    leads: dict[int, star.StarCounts] = {}
    for (lead, group), f in parts.items():
        counts = star.StarCounts(f["orders"], f["positions"], f["referred"], f["hired"])
        if not group:
            leads[lead] = counts
        else:
            groups[None if group == NO_GROUP else group] = counts
    return groups, leads


def status_snapshot(session: Session, day: date):
    """The as-of status's input (``nrs.reports.queries.status_figures(snapshot=...)``) from the month
    snapshot, or None when there is none usable: ``(by_lead, other hires, positions, STAR counts)``,
    each per lead centre id."""
    with reading(session):
        found = stocks_at(session, day)
    if found is None:
        return None
    by_lead: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    other: dict[int, int] = defaultdict(int)
    stocks: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (lead, _code, state), n in found.items():
        if not lead:
            continue  # the per-code rows count the same orders again
        if state in STATUS_STOCKS:
            stocks[lead][state] += n
        elif state == "other_hires":
            other[lead] += n
        else:
            bucket = by_lead[lead][JobOrderState(state)]
            bucket[None] = bucket.get(None, 0) + n
    positions = {lead: Positions(s["positions"], s["positions_hired"], s["positions_other"])
                 for lead, s in stocks.items() if s["positions"]}
    counts = {lead: star.StarCounts(orders=sum(sum(b.values()) for b in by_lead.get(lead, {}).values()),
                                    positions=stocks[lead]["positions"], with_referrals=stocks[lead]["star_referred"],
                                    with_referred_hire=stocks[lead]["star_hired"])
              for lead in set(stocks) | set(by_lead)}
    return by_lead, dict(other), positions, counts


def status_as_of(session: Session, day: date) -> dict:
    """``nrs reports status`` and ``/api/v1/status``: the status figures at the end of ``day`` from the
    cheapest source that gives the history's answer. Today (or later) the running tally, which is
    the history then (nothing is dated after today; tests hold the two equal), so only STAR's rates
    read the orders; a past day the month snapshot when one is usable; else the history itself."""
    source = tally.snapshot(session) if day >= today() else status_snapshot(session, day)
    return queries.status_figures(session, as_of=day, snapshot=source)
