"""NRS's figures, computed from the job-order history so that any past date gives its own answer.

An order's state at the end of a day is the ``to_state`` of its last event dated on or before
that day (ties broken by the order the events were recorded in); one window query finds it on
both databases, and the counting happens in the database too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from nrs import refcache
from nrs.agreements.queries import active_count
from nrs.clock import today
from nrs.companies.models import Company
from nrs.db import days_between
from nrs.joborders import star, tally
from nrs.joborders.models import (
    Hire,
    JobOrder,
    JobOrderEvent,
    PositionOutcome,
    PositionOutcomeKind,
    counted_order,
)
from nrs.joborders.states import JobOrderState
from nrs.joborders.tally import Positions

ORDER_KEYS = ("orders_received", "orders_filled", "orders_unfilled", "orders_open")
POSITION_KEYS = ("positions_received", "positions_hired", "positions_other", "positions_open")
_KEY_OF = {JobOrderState.filled: "orders_filled", JobOrderState.unfilled: "orders_unfilled",
           JobOrderState.open: "orders_open", JobOrderState.paused: "orders_open"}


def _blank() -> dict:
    return dict.fromkeys(ORDER_KEYS + POSITION_KEYS, 0)


def agreements_active(session: Session, *, on: date, centre_id: int | None = None) -> int:
    return active_count(session, on=on, centre_id=centre_id)


def _latest(as_of: date, *, where=(), **columns):
    """Each order received by ``as_of`` beside each of its events up to that day; ``rn = 1`` marks
    the event that set its state at the end of the day. ``columns``: what else to carry (by label).
    ``where``: conditions on the orders, applied before the window (a filter on the subquery's
    columns would number every order's events first: one centre's report read all 2,000,000)."""
    rn = sa.func.row_number().over(
        partition_by=JobOrderEvent.job_order_id,
        order_by=(JobOrderEvent.on_date.desc(), JobOrderEvent.id.desc()),
    )
    return (
        sa.select(*(c.label(name) for name, c in columns.items()), rn.label("rn"))
        .select_from(JobOrderEvent)
        .join(JobOrder, JobOrder.id == JobOrderEvent.job_order_id)
        .where(JobOrderEvent.on_date <= as_of, JobOrder.received_on <= as_of, counted_order(), *where)
        .subquery("latest")
    )


def states_as_of(session: Session, as_of: date) -> dict[int, tuple[JobOrderState, int, date]]:
    """``order id -> (state at the end of as_of, lead centre id, date of the event that set it)``."""
    latest = _latest(as_of, order_id=JobOrder.id, state=JobOrderEvent.to_state, lead=JobOrder.lead_centre_id,
                     on_date=JobOrderEvent.on_date)
    rows = session.execute(
        sa.select(latest.c.order_id, latest.c.state, latest.c.lead, latest.c.on_date).where(latest.c.rn == 1)
    ).all()
    return {oid: (JobOrderState(state), lead, on) for oid, state, lead, on in rows}


def _live_on(as_of: date):
    """An outcome counts at the end of ``as_of`` when it was recorded by then and not yet undone."""
    return sa.and_(PositionOutcome.on_date <= as_of,
                   sa.or_(PositionOutcome.undone_on.is_(None), PositionOutcome.undone_on > as_of))


def other_hires_stmt(as_of: date):
    """Hires (positions) by a centre other than the order's lead, per lead centre, live at the end of
    ``as_of``: recorded by then, not undone by then, on an order not cancelled. The one counting rule
    for "hired with another centre's candidate" (status report, weekly mail); callers may narrow
    it further (``Hire.hired_on`` in a week)."""
    return (
        sa.select(JobOrder.lead_centre_id, sa.func.count())
        .select_from(PositionOutcome)
        .join(Hire, Hire.id == PositionOutcome.hire_id)
        .join(JobOrder, JobOrder.id == PositionOutcome.job_order_id)
        .where(Hire.centre_id != JobOrder.lead_centre_id, _live_on(as_of), counted_order())
        .group_by(JobOrder.lead_centre_id)
    )


def _other_hires(session: Session, as_of: date) -> dict[int, int]:
    """Per lead centre: hires (positions) by another centre, live at the end of ``as_of``: recorded by
    then and not undone by a reopening by then (on open orders too, for a partly filled order)."""
    return dict(session.execute(other_hires_stmt(as_of)).all())


def hired_as_of(session: Session, order_ids, as_of: date) -> dict[int, int]:
    """Hired positions per order live at the end of ``as_of`` ("besat 2 af 3" in the weekly mail)."""
    ids = list(order_ids)
    if not ids:
        return {}
    return dict(session.execute(
        sa.select(PositionOutcome.job_order_id, sa.func.count())
        .where(PositionOutcome.job_order_id.in_(ids), PositionOutcome.kind == PositionOutcomeKind.hired,
               _live_on(as_of))
        .group_by(PositionOutcome.job_order_id)).all())


def unchanged_before(day: date):
    """The orders that may still change on or after ``day``: not closed before it. A closed order
    keeps its state, positions and outcomes until a step reopens it, which clears ``closed_on``, and
    steps are dated in order (``nrs.joborders.services._check_step_date``). So the others count the
    same on every day from ``day`` on: left out of two stocks, they leave the difference as it was
    and add nothing open, and a stock then costs what is open, not the whole history."""
    return sa.or_(JobOrder.closed_on.is_(None), JobOrder.closed_on >= day)


def centre_orders_in(centre_id: int, period) -> tuple:
    """Conditions on ``JobOrder``: the centre's orders that can have an event in ``period``,
    received by its end and not closed before its start (so one centre's report reads what was
    alive then, not its whole history; both bounds are indexed with the centre)."""
    return (JobOrder.received_on <= period.end, *orders_where(centre_id, period.start))


def orders_where(centre_id: int | None, alive_from: date | None) -> tuple:
    """Conditions on ``JobOrder``: led by the centre (when given), ``unchanged_before(alive_from)``
    (when given)."""
    return (*((JobOrder.lead_centre_id == centre_id,) if centre_id is not None else ()),
            *((unchanged_before(alive_from),) if alive_from is not None else ()))


def positions_received(session: Session, *, end: date, start: date | None = None, by_code: bool = False,
                       centre_id: int | None = None, alive_from: date | None = None) -> dict:
    """Per lead centre (``by_code``: per ``(lead, industry code)``): the positions of the counted
    orders received by ``end`` (from ``start``); ``alive_from``: only orders ``unchanged_before``
    does not leave out."""
    group = [JobOrder.lead_centre_id, *((Company.industry_code,) if by_code else ())]
    stmt = (sa.select(*group, sa.func.sum(JobOrder.positions))
            .where(JobOrder.received_on <= end, *((JobOrder.received_on >= start,) if start else ()), counted_order(),
                   *orders_where(centre_id, alive_from))
            .group_by(*group))
    if by_code:
        stmt = stmt.join(Company, Company.id == JobOrder.company_id)
    return {(tuple(key) if by_code else key[0]): int(n or 0) for *key, n in session.execute(stmt).all()}


def positions_as_of(session: Session, as_of: date, *, by_code: bool = False,
                    centre_id: int | None = None, alive_from: date | None = None) -> dict:
    """Per lead centre (``by_code``: per ``(lead, industry code)``): positions of the orders received
    by ``as_of`` and their outcomes live then; ``alive_from`` as in ``positions_received``."""
    out: dict = {key: Positions(n) for key, n in
                 positions_received(session, end=as_of, by_code=by_code, centre_id=centre_id,
                                    alive_from=alive_from).items()}
    hired = PositionOutcome.kind == PositionOutcomeKind.hired
    group = [JobOrder.lead_centre_id, *((Company.industry_code,) if by_code else ())]
    stmt = (sa.select(*group, sa.func.sum(sa.case((hired, 1), else_=0)), sa.func.sum(sa.case((hired, 0), else_=1)))
            .select_from(PositionOutcome).join(JobOrder, JobOrder.id == PositionOutcome.job_order_id)
            .where(_live_on(as_of), counted_order(), JobOrder.received_on <= as_of,
                   *orders_where(centre_id, alive_from))
            .group_by(*group))
    if by_code:
        stmt = stmt.join(Company, Company.id == JobOrder.company_id)
    for *key, h, o in session.execute(stmt).all():
        key = tuple(key) if by_code else key[0]
        out[key] = out.get(key, Positions()) + Positions(0, int(h or 0), int(o or 0))
    return out


def _snapshot(session: Session, as_of: date, *, days_to_fill: bool = True):
    """Per (lead, state, days to fill) the number of orders at the end of ``as_of``, and the hires from
    other centres. ``days_to_fill=False`` leaves the days out (the status report does not need them).

    Returns ``({lead: {state: {days or None: n}}}, {lead: hires from another centre}, {lead: Positions})``.
    """
    latest = _latest(as_of, lead=JobOrder.lead_centre_id, state=JobOrderEvent.to_state,
                     **({"on_date": JobOrderEvent.on_date, "received_on": JobOrder.received_on} if days_to_fill else {}))
    filled = latest.c.state == JobOrderState.filled.value
    days = (sa.case((filled, days_between(session, latest.c.on_date, latest.c.received_on)), else_=None)
            if days_to_fill else sa.null())
    stmt = (
        sa.select(latest.c.lead, latest.c.state, days.label("days"), sa.func.count())
        .where(latest.c.rn == 1)
        .group_by(latest.c.lead, latest.c.state, *((days,) if days_to_fill else ()))
    )
    by_lead: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for lead, state, d, n in session.execute(stmt).all():
        by_lead[lead][JobOrderState(state)][d] = n
    return by_lead, _other_hires(session, as_of), positions_as_of(session, as_of)


def _codes(session: Session) -> dict[int, int]:
    """``centre id -> municipality code`` (the reference-data cache: the front page asks twice a visit)."""
    return {c.id: c.municipality_code for c in refcache.centres(session)}


def status_figures(session: Session, *, as_of: date, snapshot=None, star_rates: bool = True) -> dict:
    """The status figures as of the end of ``as_of``; paused counts as open.

    ``star_rates=False`` leaves STAR's two rates out (None): they are read from every order ever
    created, too costly for the front page on every request; the reports page and the CLI have them.

    ``snapshot``: ``(by_lead, other hires, positions)`` from the tally or the history, or with STAR's
    counts per lead as a fourth part from a month snapshot (``nrs.reports.snapshots.status_snapshot``).
    ``by_centre`` is keyed by the lead centre's municipality code (``"201"``).
    """
    by_lead, other, positions, *star_counts = snapshot or _snapshot(session, as_of, days_to_fill=False)
    codes = _codes(session)
    total = _blank()
    by_centre: dict[str, dict] = {str(code): _blank() for code in sorted(codes.values())}
    for lead, states in by_lead.items():
        centre = by_centre.setdefault(str(codes.get(lead, "")), _blank())
        for state, buckets in states.items():
            n = sum(buckets.values())
            for bucket in (total, centre):
                bucket["orders_received"] += n
                bucket[_KEY_OF[state]] += n
    if not star_rates:
        rates = {"by_lead": {}, "referral_rate": None, "star_fill_rate": None}
    else:  # a month snapshot brings STAR's counts along; else they are read from every order
        rates = star.rates_of(star_counts[0]) if star_counts else star.rates(session, as_of=as_of)
    for lead, p in positions.items():
        centre = by_centre.setdefault(str(codes.get(lead, "")), _blank())
        for bucket in (total, centre):
            for key, n in (("positions_received", p.received), ("positions_hired", p.hired),
                           ("positions_other", p.other), ("positions_open", p.open)):
                bucket[key] += n
    for lead, (referral_rate, fill_rate) in rates["by_lead"].items():
        by_centre.setdefault(str(codes.get(lead, "")), _blank()).update(referral_rate=referral_rate,
                                                                       star_fill_rate=fill_rate)
    for centre in by_centre.values():
        centre.setdefault("referral_rate", None)
        centre.setdefault("star_fill_rate", None)
    return {
        **total,
        "agreements_active": agreements_active(session, on=as_of),
        "hires_from_other_centres": sum(other.values()),
        "referral_rate": rates["referral_rate"],
        "star_fill_rate": rates["star_fill_rate"],
        "by_centre": by_centre,
    }


def _median(buckets: dict[int, int]) -> float | None:
    n = sum(buckets.values())
    if not n:
        return None
    ordered = sorted(buckets.items())

    def nth(k: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > k:
                return value
        return ordered[-1][0]

    return (nth((n - 1) // 2) + nth(n // 2)) / 2


#: The last ``fill_statistics`` of a snapshot held here: ``(snapshot, codes, result)``. The front page
#: asks about today's tally snapshot on every visit, and the tally keeps giving the same object
#: until an order changes (``tally.snapshot``); held, so its identity cannot be reused.
_last_statistics: list = []


def fill_statistics(session: Session, *, as_of: date, snapshot=None) -> dict:
    """Fill rate (filled / closed) and median days from received to filled, for "NRS" and per centre code."""
    codes = _codes(session)
    if snapshot is not None and _last_statistics and _last_statistics[0] is snapshot \
            and _last_statistics[1] == codes:
        return _last_statistics[2]
    result = _fill_statistics(snapshot or _snapshot(session, as_of), codes)
    if snapshot is not None:
        _last_statistics[:] = [snapshot, codes, result]
    return result


def _fill_statistics(snapshot, codes: dict[int, int]) -> dict:
    by_lead, *_rest = snapshot
    filled_days: dict[str, Counter] = defaultdict(Counter)
    closed: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [filled, unfilled]
    for lead, states in by_lead.items():
        days = states.get(JobOrderState.filled, {})
        filled, unfilled = sum(days.values()), sum(states.get(JobOrderState.unfilled, {}).values())
        for key in ("NRS", str(codes.get(lead, ""))):
            filled_days[key].update(days)
            closed[key][0] += filled
            closed[key][1] += unfilled

    def stats(key: str) -> dict:
        filled, unfilled = closed.get(key, [0, 0])
        return {
            "fill_rate": filled / (filled + unfilled) if filled + unfilled else None,
            "median_days_to_fill": _median(filled_days.get(key, {})),
        }

    return {key: stats(key) for key in ["NRS", *(str(c) for c in sorted(codes.values()))]}


def figures_with_statistics(session: Session, *, as_of: date, star_rates: bool = True,
                            snapshot=None) -> tuple[dict, dict]:
    """``status_figures`` and ``fill_statistics`` from one snapshot (the front page, the reports page).

    Today's come from the running tally (no order or event is dated after today, so it equals
    the history); a past date's from one pass over the history. ``snapshot``: the tally's, read already.
    """
    if snapshot is None:
        snapshot = tally.snapshot(session) if as_of >= today() else _snapshot(session, as_of)
    return (status_figures(session, as_of=as_of, snapshot=snapshot, star_rates=star_rates),
            fill_statistics(session, as_of=as_of, snapshot=snapshot))
