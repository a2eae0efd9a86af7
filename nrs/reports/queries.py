"""NRS's figures, computed from the job-order history so that any past date gives its own answer."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from nrs.joborders.models import Hire, JobOrder, JobOrderEvent
from nrs.joborders.states import JobOrderState
from nrs.municipalities.models import JobCentre

ORDER_KEYS = ("orders_received", "orders_filled", "orders_unfilled", "orders_open")


def _blank() -> dict:
    return dict.fromkeys(ORDER_KEYS, 0)


def agreements_active(session: Session, *, on: date, centre_id: int | None = None) -> int:
    try:
        from nrs.agreements.queries import active_count
    except ImportError:
        # FALLBACK: the agreements domain has not published active_count yet.
        return 0
    return active_count(session, on=on, centre_id=centre_id)


def states_as_of(session: Session, as_of: date) -> dict[int, tuple[JobOrderState, int, int | None]]:
    """``order id -> (state at the end of as_of, lead centre id, id of the event that set it)``.

    Orders received after ``as_of`` are left out; an order's state is that of its last event
    dated on or before ``as_of`` (ties broken by the order they were recorded in).
    """
    orders = dict(session.execute(
        sa.select(JobOrder.id, JobOrder.lead_centre_id).where(JobOrder.received_on <= as_of)
    ).all())
    out: dict[int, tuple[JobOrderState, int, int | None]] = {
        oid: (JobOrderState.open, lead, None) for oid, lead in orders.items()
    }
    best: dict[int, tuple] = {}
    rows = session.execute(
        sa.select(JobOrderEvent.job_order_id, JobOrderEvent.on_date, JobOrderEvent.id, JobOrderEvent.to_state)
        .join(JobOrder, JobOrder.id == JobOrderEvent.job_order_id)
        .where(JobOrderEvent.on_date <= as_of, JobOrder.received_on <= as_of)
    ).all()
    for oid, on_date, eid, to_state in rows:
        key = (on_date, eid)
        if oid not in best or key > best[oid]:
            best[oid] = key
            out[oid] = (JobOrderState(to_state), orders[oid], eid)
    return out


def status_figures(session: Session, *, as_of: date) -> dict:
    """The status figures as of the end of ``as_of``; paused counts as open.

    ``by_centre`` is keyed by the lead centre's municipality code (``"201"``).
    """
    states = states_as_of(session, as_of)
    codes = dict(session.execute(sa.select(JobCentre.id, JobCentre.municipality_code)).all())
    total = _blank()
    by_centre: dict[str, dict] = {str(code): _blank() for code in sorted(codes.values())}
    fill_events: dict[int, int] = {}
    for state, lead, eid in states.values():
        key = {JobOrderState.filled: "orders_filled", JobOrderState.unfilled: "orders_unfilled"}.get(
            state, "orders_open")
        centre = by_centre.setdefault(str(codes.get(lead, "")), _blank())
        for bucket in (total, centre):
            bucket["orders_received"] += 1
            bucket[key] += 1
        if state == JobOrderState.filled and eid is not None:
            fill_events[eid] = lead
    other = 0
    if fill_events:
        for event_id, centre_id in session.execute(
            sa.select(Hire.event_id, Hire.centre_id).where(Hire.event_id.in_(list(fill_events)))
        ).all():
            if centre_id != fill_events[event_id]:
                other += 1
    return {
        **total,
        "agreements_active": agreements_active(session, on=as_of),
        "hires_from_other_centres": other,
        "by_centre": by_centre,
    }


def fill_statistics(session: Session, *, as_of: date) -> dict:
    """Fill rate (filled / closed) and median days from received to filled, in total and per centre code."""
    rows = session.execute(
        sa.select(JobOrder.id, JobOrder.received_on, JobOrder.lead_centre_id)
        .where(JobOrder.received_on <= as_of)
    ).all()
    received = {oid: (on, lead) for oid, on, lead in rows}
    states = states_as_of(session, as_of)
    filled_on = dict(session.execute(
        sa.select(JobOrderEvent.id, JobOrderEvent.on_date)
        .where(JobOrderEvent.id.in_([e for s, _l, e in states.values() if s == JobOrderState.filled and e]))
    ).all()) if states else {}
    codes = dict(session.execute(sa.select(JobCentre.id, JobCentre.municipality_code)).all())
    days: dict[str, list[int]] = defaultdict(list)
    closed: dict[str, list[bool]] = defaultdict(list)
    for oid, (state, lead, eid) in states.items():
        code = str(codes.get(lead, ""))
        if state in (JobOrderState.filled, JobOrderState.unfilled):
            for key in ("NRS", code):
                closed[key].append(state == JobOrderState.filled)
        if state == JobOrderState.filled and eid in filled_on:
            d = (filled_on[eid] - received[oid][0]).days
            days["NRS"].append(d)
            days[code].append(d)

    def stats(key: str) -> dict:
        c = closed.get(key, [])
        return {
            "fill_rate": (sum(c) / len(c)) if c else None,
            "median_days_to_fill": statistics.median(days[key]) if days.get(key) else None,
        }

    return {key: stats(key) for key in ["NRS", *(str(c) for c in sorted(codes.values()))]}
