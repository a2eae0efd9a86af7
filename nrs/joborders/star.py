"""STAR's job-order measures (jobordremålingen), computed in one place and named as STAR names them.

STAR (Styrelsen for Arbejdsmarked og Rekruttering) measures the job centres' job orders by period
of creation, the responsible centre's area and occupational group, and reports (star.dk, "Spørgsmål
og svar om målingerne af jobordrer"):

- orders created (oprettede jobordrer) and the positions among them (stillinger);
- *formidlingsgrad* (``referral_rate``): the share of the orders to which candidates were referred;
- *besættelsesgrad* (``star_fill_rate``): the share of the orders with referred candidates that end
  with a hire of a referred candidate.

NRS's own fill rate (``nrs.reports.queries.fill_statistics``) is another figure: filled orders of the
closed ones (filled + unfilled), whoever was hired. Here an order counts as "ended with a hire of a
referred candidate" when, at the end of the day asked about, it has a live hire recorded from one of
its referrals (a reopening undoes it); a hire typed in without its referral does not count for STAR.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from nrs.joborders.corrections import counted_referral
from nrs.joborders.models import Hire, JobOrder, PositionOutcome, Referral, counted_order


@dataclass(frozen=True)
class StarCounts:
    orders: int = 0
    positions: int = 0
    with_referrals: int = 0
    with_referred_hire: int = 0

    def __add__(self, other: StarCounts) -> StarCounts:
        return StarCounts(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, int, int, int]:
        return (self.orders, self.positions, self.with_referrals, self.with_referred_hire)

    @property
    def referral_rate(self) -> float | None:
        """Formidlingsgrad: orders with referred candidates / orders created."""
        return self.with_referrals / self.orders if self.orders else None

    @property
    def star_fill_rate(self) -> float | None:
        """Besættelsesgrad: orders ending with a hire of a referred candidate / orders with referred candidates."""
        return self.with_referred_hire / self.with_referrals if self.with_referrals else None


def counts(session: Session, *, as_of: date, created_from: date | None = None,
           centre_id: int | None = None) -> dict[tuple[int, str | None], StarCounts]:
    """``{(lead centre id, occupational group or None): StarCounts}`` for the orders created from
    ``created_from`` (or the start) to ``as_of``, as things stood at the end of ``as_of``.

    Every order ever created (the front page, the as-of status): the orders with a counted referral
    and those with a live hire from a referral are two sets of order ids, each read once and joined
    (one hash join each), not two look-ups per order. The orders of a period: two look-ups per order
    by the referrals' and outcomes' order index, so the cost follows the period's orders, whatever
    the history (SQLite scanned the whole materialized set once per order of the period).
    """
    referral = [Referral.referred_on <= as_of, counted_referral()]
    hire = [Hire.referral_id.is_not(None), PositionOutcome.on_date <= as_of,
            sa.or_(PositionOutcome.undone_on.is_(None), PositionOutcome.undone_on > as_of)]
    if created_from:
        referred = sa.exists().where(Referral.job_order_id == JobOrder.id, *referral)
        hired = sa.exists().where(PositionOutcome.job_order_id == JobOrder.id, Hire.id == PositionOutcome.hire_id,
                                  *hire)
        joins, with_referrals, with_hire = (), sa.case((referred, 1)), sa.case((sa.and_(referred, hired), 1))
    else:
        referred_ids = (sa.select(Referral.job_order_id.label("oid")).where(*referral).distinct().subquery())
        hired_ids = (sa.select(PositionOutcome.job_order_id.label("oid")).join(Hire, Hire.id == PositionOutcome.hire_id)
                     .where(*hire).distinct().subquery())
        joins = ((referred_ids, referred_ids.c.oid == JobOrder.id), (hired_ids, hired_ids.c.oid == JobOrder.id))
        with_referrals = referred_ids.c.oid
        with_hire = sa.case((referred_ids.c.oid.is_not(None), hired_ids.c.oid), else_=None)
    stmt = sa.select(JobOrder.lead_centre_id, JobOrder.occupational_group, sa.func.count(),
                     sa.func.sum(JobOrder.positions), sa.func.count(with_referrals),
                     sa.func.count(with_hire)).select_from(JobOrder)
    for target, on in joins:
        stmt = stmt.outerjoin(target, on)
    stmt = (stmt.where(JobOrder.received_on <= as_of, counted_order(),
                       *((JobOrder.received_on >= created_from,) if created_from else ()),
                       *((JobOrder.lead_centre_id == centre_id,) if centre_id else ()))
            .group_by(JobOrder.lead_centre_id, JobOrder.occupational_group))
    rows = session.execute(stmt).all()
    return {(lead, grp): StarCounts(n, int(p or 0), int(r or 0), int(h or 0)) for lead, grp, n, p, r, h in rows}


def total(parts) -> StarCounts:
    out = StarCounts()
    for part in parts:
        out = out + part
    return out


def rates(session: Session, *, as_of: date) -> dict:
    """The two rates over every order created by ``as_of``, overall and per lead centre id:
    ``{"referral_rate", "star_fill_rate", "by_lead": {lead: (referral_rate, star_fill_rate)}}``."""
    by_lead: dict[int, StarCounts] = {}
    for (lead, _grp), c in counts(session, as_of=as_of).items():
        by_lead[lead] = by_lead.get(lead, StarCounts()) + c
    return rates_of(by_lead)


def rates_of(by_lead: dict[int, StarCounts]) -> dict:
    """``rates``'s answer from counts per lead centre (the history's, or a month snapshot's)."""
    overall = total(by_lead.values())
    return {"referral_rate": overall.referral_rate, "star_fill_rate": overall.star_fill_rate,
            "by_lead": {lead: (c.referral_rate, c.star_fill_rate) for lead, c in by_lead.items()}}


# --- the two order sets through time (the month snapshots, nrs.reports.snapshots) ----------------

def referred_since_stmt(*, through_referral_id: int | None = None, order_ids=None):
    """``(order id, lead centre, day it joined the referred set, received on, occupational group)``
    per counted order with a counted referral: its first referral's day, not before the order was
    received (``counts``' rule: referred by the day asked about, received by then)."""
    first = (sa.select(Referral.job_order_id.label("oid"), sa.func.min(Referral.referred_on).label("first"))
             .where(counted_referral(),
                    *((Referral.id <= through_referral_id,) if through_referral_id is not None else ()),
                    *((Referral.job_order_id.in_(order_ids),) if order_ids is not None else ()))
             .group_by(Referral.job_order_id).subquery())
    since = sa.case((first.c.first > JobOrder.received_on, first.c.first), else_=JobOrder.received_on)
    return (sa.select(JobOrder.id.label("oid"), JobOrder.lead_centre_id.label("lead"), since.label("since"),
                      JobOrder.received_on, JobOrder.occupational_group)
            .join(first, first.c.oid == JobOrder.id).where(counted_order()))


def referred_hire_stmt(*, through_event_id: int | None = None, order_ids=None, id_range: tuple[int, int] | None = None):
    """``(order id, recorded on, undone on or None)`` of every outcome hiring a referred candidate
    (of ``order_ids``, or of the orders with ids in ``id_range``), ordered by order; with
    ``through_event_id`` as it stood after that event (a later undoing unseen)."""
    o = PositionOutcome
    undone = o.undone_on if through_event_id is None else sa.case(
        (o.undone_event_id <= through_event_id, o.undone_on), else_=None)
    return (sa.select(o.job_order_id, o.on_date, undone)
            .join(Hire, Hire.id == o.hire_id)
            .where(Hire.referral_id.is_not(None),
                   *((o.event_id <= through_event_id,) if through_event_id is not None else ()),
                   *((o.job_order_id.in_(order_ids),) if order_ids is not None else ()),
                   *((o.job_order_id.between(*id_range),) if id_range is not None else ()))
            .order_by(o.job_order_id))


def hired_spans(referred_since: date | None, outcomes) -> list[tuple[date, date | None]]:
    """The days an order counts as "ended with a hire of a referred candidate": from when it is
    referred and some referred hire is live, to when none is (``[start, end)``, end None: still)."""
    if referred_since is None:
        return []
    spans: list[tuple[date, date | None]] = []
    for on, undone in sorted(outcomes, key=lambda x: x[0]):
        start = max(on, referred_since)
        if undone is not None and undone <= start:
            continue
        if spans and (spans[-1][1] is None or spans[-1][1] >= start):
            last_start, last_end = spans[-1]
            spans[-1] = (last_start, None if last_end is None or undone is None else max(last_end, undone))
        else:
            spans.append((start, undone))
    return spans


def hired_on(spans, day: date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in spans)


def ordered_groups(groups: dict[str | None, StarCounts]) -> list[tuple[str | None, StarCounts]]:
    """STAR's split by occupational group in its reading order: by group code, "0" and the orders
    without a group last."""
    return sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] == "0", kv[0] or ""))
