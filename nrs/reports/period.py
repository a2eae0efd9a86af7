"""The committee report for a period: what came in, what closed and how, what stands open, per centre and sector.

Every order figure comes from the job-order history, so a past period gives today the figures it
gave then (corrections of dates, leads and industry codes aside):

- open at the start and at the end: the as-of rule of ``nrs.reports.queries`` (an order's state at
  the end of a day is set by its last event up to that day; paused counts as open), at the end of
  the day before the period and at the end of its last day;
- received, filled, unfilled, reopened: the period's events by what they did (a received event;
  open or paused to filled / unfilled; closed back to open). Pausing and resuming move nothing.

Every event moves the open stock by what it counts for, so for any period, per centre and per
sector: open at start + received − filled − unfilled + reopened = open at end, and the months of
a period add up to the period. (The brief's identity has no reopened term; a closure taken back
is a real step the state machine allows, so it gets its own figure, zero when none happened.)

Positions are counted beside the orders (``POSITION_KEYS``), from the positions received by a day
and their outcomes live then, at both ends of the period, with the outcomes a reopening undid in
it. A cancelled order (registered in error) is a correction: it leaves every figure of every
period, and ``orders_cancelled`` says how many were taken back in the period. STAR's measure
covers the orders created in the period; the enquiries those received in it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util
from sqlmodel import Session, select

from nrs.agreements.models import Agreement, AgreementKind
from nrs.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    CampaignTargetEvent,
    TargetStatus,
)
from nrs.clock import today
from nrs.collation import danish
from nrs.companies.models import Company
from nrs.config import Settings
from nrs.enquiries import queries as enquiry_queries
from nrs.joborders import star
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
from nrs.municipalities.models import JobCentre
from nrs.reports import queries, snapshots
from nrs.reports.queries import _latest
from nrs.sectors.models import FocusSector
from nrs.sectors.queries import sector_condition

#: NRS started in December 2015: "since the start" begins here (or at an earlier order, if any).
NRS_START = date(2015, 12, 1)

ORDER_KEYS = ("orders_open_at_start", "orders_received", "orders_filled", "orders_unfilled",
              "orders_reopened", "orders_open_at_end")
#: The same in positions: received, outcomes recorded (hired, and every other outcome), and those a
#: reopening undid, so open at start + received − hired − other + reopened = open at end.
POSITION_KEYS = ("positions_open_at_start", "positions_received", "positions_hired", "positions_other",
                 "positions_reopened", "positions_open_at_end")
OTHER = "other"

PRESETS = ("this_month", "last_month", "this_quarter", "last_quarter", "this_half", "last_half",
           "this_year", "last_year", "since_start")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period."""
        out, first = [], self.start.replace(day=1)
        while first <= self.end:
            nxt = _add_months(first, 1)
            out.append(Period(max(first, self.start), min(nxt - timedelta(days=1), self.end)))
            first = nxt
        return out


def _add_months(first: date, n: int) -> date:
    m = first.month - 1 + n
    return date(first.year + m // 12, m % 12 + 1, 1)


def preset(name: str, *, today: date, first_day: date = NRS_START) -> Period:
    """A named period relative to ``today``: the running one ("this") up to today, the previous one whole."""
    if name == "since_start":
        return Period(min(first_day, today), today)
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[name.split("_", 1)[1]]
    start = date(today.year, (today.month - 1) // months * months + 1, 1)
    if name.startswith("this_"):
        return Period(start, today)
    if not name.startswith("last_"):
        raise ValueError(name)
    previous = _add_months(start, -months)
    return Period(previous, start - timedelta(days=1))


def first_day(session: Session) -> date:
    """The day NRS started, or the first order received if one is older."""
    first = session.execute(sa.select(sa.func.min(JobOrder.received_on))).scalar_one_or_none()
    return min(first, NRS_START) if first else NRS_START


def _blank(positions: bool = True) -> dict:
    return dict.fromkeys(ORDER_KEYS + (POSITION_KEYS if positions else ()), 0)


def flow_key(from_state, to_state) -> str | None:
    """Which period figure one event adds to: received, filled, unfilled, reopened, or none (pause, resume)."""
    if from_state is None:
        return "orders_received"
    to_state = JobOrderState(to_state)
    if JobOrderState(from_state).is_closed:
        return "orders_reopened" if not to_state.is_closed else None
    return {JobOrderState.filled: "orders_filled", JobOrderState.unfilled: "orders_unfilled"}.get(to_state)


def period_sectors(session: Session, period: Period) -> list[FocusSector]:
    """The focus sectors of the years the period touches, newest year first, then by name."""
    return list(session.exec(
        select(FocusSector).where(FocusSector.year >= period.start.year, FocusSector.year <= period.end.year)
        .order_by(FocusSector.year.desc(), danish(FocusSector.name))))


def sector_key(sector: FocusSector) -> str:
    return f"{sector.year} {sector.name}"


def open_by_code(session: Session, day: date, *, centre_id: int | None = None) -> dict[tuple[int, str], int]:
    """Orders open (or paused) at the end of ``day``: ``{(lead, industry code): n}``, by the as-of rule."""
    latest = _latest(day, where=queries.orders_where(centre_id, day),
                     lead=JobOrder.lead_centre_id, company=JobOrder.company_id, state=JobOrderEvent.to_state)
    stmt = (
        sa.select(latest.c.lead, Company.industry_code, sa.func.count())
        .select_from(latest).join(Company, Company.id == latest.c.company)
        .where(latest.c.rn == 1, latest.c.state.in_([JobOrderState.open.value, JobOrderState.paused.value]))
        .group_by(latest.c.lead, Company.industry_code)
    )
    return {(lead, code): n for lead, code, n in session.execute(stmt).all()}


def flows_by_code(session: Session, period: Period, *, centre_id: int | None = None) -> dict[tuple[int, str, str], int]:
    """The period's events counted by what they did: ``{(lead, industry code, figure key): n}``."""
    stmt = (
        sa.select(JobOrder.lead_centre_id, Company.industry_code, JobOrderEvent.from_state, JobOrderEvent.to_state,
                  sa.func.count())
        .select_from(JobOrderEvent)
        .join(JobOrder, JobOrder.id == JobOrderEvent.job_order_id)
        .join(Company, Company.id == JobOrder.company_id)
        .where(JobOrderEvent.on_date >= period.start, JobOrderEvent.on_date <= period.end, counted_order())
        .group_by(JobOrder.lead_centre_id, Company.industry_code, JobOrderEvent.from_state, JobOrderEvent.to_state)
    )
    if centre_id is not None:  # the centre's orders that can have events in it, then their events
        stmt = stmt.where(*queries.centre_orders_in(centre_id, period))
    out: dict[tuple[int, str, str], int] = defaultdict(int)
    for lead, code, from_state, to_state, n in session.execute(stmt).all():
        key = flow_key(from_state, to_state)
        if key:
            out[(lead, code, key)] += n
    return dict(out)


def sectors_of_codes(session: Session, codes, sectors: list[FocusSector]) -> dict[str, list[str]]:
    """``{industry code: [sector keys]}`` by the sector rule (``sector_condition``), applied to the codes
    themselves (a ``VALUES`` list standing in for ``companies``), not to a million companies."""
    codes = sorted(set(codes))
    if not sectors or not codes:
        return {}
    keys = [sector_key(s) for s in sectors]
    out: dict[str, list[str]] = {}
    for i in range(0, len(codes), 200):
        part = codes[i:i + 200]
        # A VALUES list: the same text for any 200 codes, so both databases reuse the statement
        # (a union of 200 selects of a literal cost more to build than to run).
        rows = ", ".join(f"(:c{j})" for j in range(len(part)))
        chunk = (sa.text(f"SELECT column1 AS industry_code FROM (VALUES {rows}) AS v")  # noqa: S608 - no user text
                 .bindparams(**{f"c{j}": c for j, c in enumerate(part)})
                 .columns(sa.column("industry_code", sa.String)).subquery("codes"))
        adapt = sql_util.ClauseAdapter(chunk, adapt_on_names=True).traverse
        flags = [sa.case((adapt(sector_condition(s)), 1), else_=0).label(f"s{j}") for j, s in enumerate(sectors)]
        for code, *hit in session.execute(sa.select(chunk.c.industry_code, *flags)).all():
            out[code] = [k for k, f in zip(keys, hit, strict=True) if f]
    return out


def order_figures(session: Session, period: Period, *, centre_id: int | None = None,
                  sectors: list[FocusSector] = (), history_only: bool = False, positions: bool = True
                  ) -> tuple[dict, dict[int, dict], dict[str, dict]]:
    """``(NRS, {lead id: figures}, {sector key or "other": figures})`` of the ORDER_KEYS and (unless
    ``positions`` is false: the months' table counts orders only) the POSITION_KEYS for the period.

    The month-end snapshot (``nrs.reports.snapshots``) answers what it can, the history the rest;
    ``history_only`` reads only the history (what the snapshot is checked against).
    """

    def history_stock(day: date, alive_from: date | None):
        by_lead, by_code = defaultdict(int), defaultdict(int)
        for (lead, code), n in open_by_code(session, day, centre_id=centre_id).items():
            by_lead[lead] += n
            by_code[code] += n
        pos_lead, pos_code = defaultdict(Positions), defaultdict(Positions)
        for (lead, code), p in (queries.positions_as_of(session, day, by_code=True, centre_id=centre_id,
                                                        alive_from=alive_from).items()
                                if positions else ()):
            pos_lead[lead] += p
            pos_code[code] += p
        return (by_lead, by_code), (pos_lead, pos_code)

    def history_flows():
        by_lead, by_code = defaultdict(int), defaultdict(int)
        for (lead, code, key), n in flows_by_code(session, period, centre_id=centre_id).items():
            by_lead[(lead, key)] += n
            by_code[(code, key)] += n
        return by_lead, by_code

    days = (period.start - timedelta(days=1), period.end)
    split = (None if history_only or centre_id is None
             else snapshots.centre_split(session, period, centre_id, positions=positions, by_code=bool(sectors)))
    if split is not None:  # one centre's pairs
        ((start_lead, start_code), pos_start), ((end_lead, end_code), pos_end), (flow_lead, flow_code) = split
    else:
        found = [None if history_only
                 else snapshots.stock_split(session, day, centre_id=centre_id, positions=positions) for day in days]
        # Two ends read from the history may both leave out the orders closed before the period (the
        # positions' moves stay the same, ``queries.unchanged_before``); one beside a snapshot may not.
        alive_from = days[0] if found == [None, None] else None
        ((start_lead, start_code), pos_start), ((end_lead, end_code), pos_end) = (
            f if f is not None else history_stock(day, alive_from) for f, day in zip(found, days, strict=True))
        flow_lead, flow_code = (history_flows() if history_only
                                else snapshots.flows(session, period, centre_id=centre_id))
    codes = (set(start_code) | set(end_code) | {code for code, _k in flow_code}
             | set(pos_start[1]) | set(pos_end[1]))
    sector_of = sectors_of_codes(session, codes, list(sectors))
    total, by_lead = _blank(positions), defaultdict(lambda: _blank(positions))
    by_sector = {**{sector_key(s): _blank(positions) for s in sectors}, OTHER: _blank(positions)}
    for part, key in ((start_lead, "orders_open_at_start"), (end_lead, "orders_open_at_end")):
        for lead, n in part.items():
            total[key] += n
            by_lead[lead][key] += n
    for (lead, key), n in flow_lead.items():
        total[key] += n
        by_lead[lead][key] += n
    sector_parts = [((code, "orders_open_at_start"), n) for code, n in start_code.items()]
    sector_parts += [((code, "orders_open_at_end"), n) for code, n in end_code.items()]
    for (code, key), n in [*sector_parts, *flow_code.items()]:
        for k in sector_of.get(code) or [OTHER]:
            by_sector[k][key] += n
    if positions:
        _add_positions(session, period, centre_id, pos_start, pos_end, sector_of, total, by_lead, by_sector)
    return total, dict(by_lead), by_sector


def _add_positions(session, period, centre_id, pos_start, pos_end, sector_of, total, by_lead, by_sector) -> None:
    """``order_figures``' POSITION_KEYS from the two position stocks (per lead and per industry code)."""
    undone_lead, undone_code = defaultdict(Positions), defaultdict(Positions)
    for (lead, code), p in undone_outcomes(session, period, centre_id=centre_id).items():
        undone_lead[lead] += p
        undone_code[code] += p
    for lead in set(pos_start[0]) | set(pos_end[0]):
        for key, n in position_moves(pos_start[0].get(lead, Positions()), pos_end[0].get(lead, Positions()),
                                     undone_lead[lead]).items():
            total[key] += n
            by_lead[lead][key] += n
    for code in set(pos_start[1]) | set(pos_end[1]):
        moves = position_moves(pos_start[1].get(code, Positions()), pos_end[1].get(code, Positions()),
                               undone_code[code])
        for k in sector_of.get(code) or [OTHER]:
            for key, n in moves.items():
                by_sector[k][key] += n


def position_moves(start: Positions, end: Positions, undone: Positions) -> dict[str, int]:
    """The period's POSITION_KEYS from the positions at the end of the day before it and at its end,
    and the outcomes a reopening undid in it: received is what arrived between the two stocks, hired
    and other what the live outcomes grew by plus what was undone."""
    return {"positions_open_at_start": start.open, "positions_received": end.received - start.received,
            "positions_hired": end.hired - start.hired + undone.hired,
            "positions_other": end.other - start.other + undone.other,
            "positions_reopened": undone.hired + undone.other, "positions_open_at_end": end.open}


def undone_outcomes(session: Session, period: Period, *, centre_id: int | None = None
                    ) -> dict[tuple[int, str], Positions]:
    """``{(lead, industry code): Positions(0, hired, other)}``: the outcomes a reopening undid in the
    period, read by their date index (a reopening is rare, so this stays small in any history)."""
    o = PositionOutcome
    hired = o.kind == PositionOutcomeKind.hired
    stmt = (sa.select(JobOrder.lead_centre_id, Company.industry_code, sa.func.sum(sa.case((hired, 1), else_=0)),
                      sa.func.sum(sa.case((hired, 0), else_=1)))
            .select_from(o).join(JobOrder, JobOrder.id == o.job_order_id)
            .join(Company, Company.id == JobOrder.company_id)
            .where(o.undone_on >= period.start, o.undone_on <= period.end, counted_order(),
                   *((JobOrder.lead_centre_id == centre_id,) if centre_id is not None else ()))
            .group_by(JobOrder.lead_centre_id, Company.industry_code))
    return {(lead, code): Positions(0, int(h or 0), int(x or 0)) for lead, code, h, x in session.execute(stmt).all()}


def hires_stmt(period: Period, *, centre_id: int | None = None, extra=()):
    """Per lead centre (and ``extra`` columns, grouped by the caller): hires recorded by the period's
    events and those by another centre than the lead (one hire per position; a partly filled
    order's hires are recorded while it stays open). The month snapshot counts them by the same rule."""
    stmt = (
        sa.select(*extra, JobOrder.lead_centre_id, sa.func.count(),
                  sa.func.sum(sa.case((Hire.centre_id != JobOrder.lead_centre_id, 1), else_=0)))
        .select_from(JobOrderEvent)  # the period's events by their date index, then their hires
        .join(Hire, Hire.event_id == JobOrderEvent.id)
        .join(JobOrder, JobOrder.id == Hire.job_order_id)
        .where(JobOrderEvent.on_date >= period.start, JobOrderEvent.on_date <= period.end, counted_order())
        .group_by(JobOrder.lead_centre_id)
    )
    if centre_id is not None:
        stmt = stmt.where(*queries.centre_orders_in(centre_id, period))
    return stmt


def hires(session: Session, period: Period, *, centre_id: int | None = None) -> tuple[dict[int, int], dict[int, int]]:
    """``({lead: hires}, {lead: hires from another centre than the lead})`` from the events alone."""
    rows = session.execute(hires_stmt(period, centre_id=centre_id)).all()
    return {lead: n for lead, n, _o in rows}, {lead: int(o or 0) for lead, _n, o in rows}


def agreement_figures(session: Session, period: Period, *, centre_id: int | None = None) -> dict:
    """Agreements active at the end (``Agreement.active_on``) and signed in the period, by kind."""
    def by_kind(condition) -> dict[str, int]:
        stmt = sa.select(Agreement.kind, sa.func.count()).where(condition).group_by(Agreement.kind)
        if centre_id is not None:
            stmt = stmt.where(Agreement.coordinating_centre_id == centre_id)
        found = {AgreementKind(k).value: n for k, n in session.execute(stmt).all()}
        return {k.value: found.get(k.value, 0) for k in AgreementKind}

    active = by_kind(Agreement.active_on(period.end))
    signed = by_kind(sa.and_(Agreement.signed_on >= period.start, Agreement.signed_on <= period.end))
    return {"active_at_end": active, "signed": signed}


_CONTACTED = [s for s in TargetStatus if s not in (TargetStatus.not_contacted,)]


def campaign_figures(session: Session, period: Period, *, centre_id: int | None = None) -> list[dict]:
    """Each campaign that ran in the period (not drafts): targets, and how many of them by the period's
    end had been contacted, had a meeting booked, or gave a job order or an agreement.

    Reached statuses come from the targets' status history (``status_on``), the job orders and
    agreements from the links on the targets with their own dates.
    """
    campaigns = session.exec(
        select(Campaign).where(Campaign.status != CampaignStatus.draft,
                               sa.or_(Campaign.starts_on.is_(None), Campaign.starts_on <= period.end),
                               sa.or_(Campaign.ends_on.is_(None), Campaign.ends_on >= period.start))
        .order_by(Campaign.starts_on, Campaign.id)).all()
    ids = [c.id for c in campaigns]
    if not ids:
        return []
    # One grouped statement per figure for every campaign, not five per campaign.
    live = [CampaignTarget.campaign_id.in_(ids), CampaignTarget.removed_by_hand.is_(False),
            *((CampaignTarget.lead_centre_id == centre_id,) if centre_id is not None else ())]

    def per_campaign(stmt) -> dict[int, int]:
        return dict(session.execute(stmt.where(*live).group_by(CampaignTarget.campaign_id)).all())

    def reached(statuses) -> dict[int, int]:
        return per_campaign(
            sa.select(CampaignTarget.campaign_id, sa.func.count(sa.distinct(CampaignTargetEvent.target_id)))
            .join(CampaignTarget, CampaignTarget.id == CampaignTargetEvent.target_id)
            .where(CampaignTargetEvent.to_status.in_(list(statuses)),
                   sa.func.coalesce(CampaignTargetEvent.status_on, period.end) <= period.end))

    targets = per_campaign(sa.select(CampaignTarget.campaign_id, sa.func.count()))
    contacted, meetings = reached(_CONTACTED), reached([TargetStatus.meeting_booked])
    orders = per_campaign(
        sa.select(CampaignTarget.campaign_id, sa.func.count())
        .join(JobOrder, JobOrder.id == CampaignTarget.job_order_id)
        .where(JobOrder.received_on <= period.end, counted_order()))
    agreements = per_campaign(
        sa.select(CampaignTarget.campaign_id, sa.func.count())
        .join(Agreement, Agreement.id == CampaignTarget.agreement_id)
        .where(Agreement.signed_on.is_not(None), Agreement.signed_on <= period.end))
    return [{
        "id": c.id, "name": c.name, "starts_on": c.starts_on, "ends_on": c.ends_on,
        "targets": targets.get(c.id, 0), "contacted": contacted.get(c.id, 0), "meetings": meetings.get(c.id, 0),
        "job_orders": orders.get(c.id, 0), "agreements": agreements.get(c.id, 0),
    } for c in campaigns]


def centres(session: Session) -> dict[int, tuple[int, str]]:
    """``centre id -> (municipality code, name)``."""
    return {i: (code, name) for i, code, name in session.execute(
        sa.select(JobCentre.id, JobCentre.municipality_code, JobCentre.name))}


def centre_by_code(session: Session, code: int) -> int | None:
    """A centre's id by its municipality code; None when no centre has it (also for a number no
    code can be, which the database could not even compare: "99999999999999999999")."""
    if not 0 <= code < 10_000:
        return None
    return session.execute(sa.select(JobCentre.id).where(JobCentre.municipality_code == code)).scalar_one_or_none()


def cancelled(session: Session, period: Period, *, centre_id: int | None = None) -> dict[int, int]:
    """Orders cancelled in the period (registered in error), per lead: a correction, so they are
    outside every other figure and the identity, but the committee sees how many were taken back."""
    stmt = (sa.select(JobOrder.lead_centre_id, sa.func.count())
            .where(JobOrder.cancelled_on >= period.start, JobOrder.cancelled_on <= period.end,
                   *((JobOrder.lead_centre_id == centre_id,) if centre_id is not None else ()))
            .group_by(JobOrder.lead_centre_id))
    return dict(session.execute(stmt).all())


def _star_dict(c: star.StarCounts) -> dict:
    return {"orders": c.orders, "positions": c.positions, "with_referrals": c.with_referrals,
            "with_referred_hire": c.with_referred_hire, "referral_rate": c.referral_rate,
            "star_fill_rate": c.star_fill_rate}


def star_figures(session: Session, period: Period, *, centre_id: int | None = None,
                 history_only: bool = False) -> tuple[dict, dict[int, dict]]:
    """STAR's measure of the orders created in the period, as things stood at its end
    (``nrs.joborders.star``): overall with the split by occupational group, and per lead centre.
    Whole counted months come from the month snapshot (``snapshots.star_split``), else the history."""
    found = None if history_only else snapshots.star_split(session, period, centre_id=centre_id)
    if found is None:
        groups: dict[str | None, star.StarCounts] = defaultdict(star.StarCounts)
        leads: dict[int, star.StarCounts] = defaultdict(star.StarCounts)
        for (lead, grp), c in star.counts(session, as_of=period.end, created_from=period.start,
                                          centre_id=centre_id).items():
            groups[grp] += c
            leads[lead] += c
    else:
        groups, leads = found
    ordered = star.ordered_groups(groups)
    overall = {**_star_dict(star.total(groups.values())),
               "by_group": [{"group": grp, **_star_dict(c)} for grp, c in ordered]}
    return overall, {lead: _star_dict(c) for lead, c in leads.items()}


def enquiry_section(session: Session, period: Period, *, centre_id: int | None, response_days: int) -> dict:
    """The enquiries received in the period (``nrs.enquiries.queries.figures``, one computation):
    by channel and subject, and the first response against the goal."""
    f = enquiry_queries.figures(session, start=period.start, end=period.end, today=today(),
                                working_days=response_days, centre_id=centre_id)
    return {"received": f.total, "by_channel": f.by_channel, "by_subject": f.by_subject,
            "by_centre": {("coordinators" if code is None else str(code)): n for code, n in f.by_centre.items()},
            "answered_within_goal": f.goal_met, "goal_due": f.goal_due, "share_within_goal": f.share_within_goal,
            "median_hours_to_first_response": f.median_hours_to_first_response}


def period_report(session: Session, period: Period, *, centre_id: int | None = None, monthly: bool = True,
                  history_only: bool = False,
                  response_days: int = Settings.enquiry_response_working_days) -> dict:
    """The whole report as one dict (the JSON of ``nrs reports period``; the page, XLSX and PDF read it).
    ``response_days``: the enquiries' response goal (``Settings.enquiry_response_working_days``)."""

    with snapshots.reading(session):
        return _period_report(session, period, centre_id=centre_id, monthly=monthly, history_only=history_only,
                              response_days=response_days)


def _period_report(session: Session, period: Period, *, centre_id: int | None, monthly: bool,
                   history_only: bool, response_days: int) -> dict:
    sectors = period_sectors(session, period)
    total, by_lead, by_sector = order_figures(session, period, centre_id=centre_id, sectors=sectors,
                                              history_only=history_only)
    every, other = (hires(session, period, centre_id=centre_id) if history_only
                    else snapshots.hires(session, period, centre_id=centre_id))
    names = centres(session)
    taken_back = cancelled(session, period, centre_id=centre_id)
    star_total, star_by_lead = star_figures(session, period, centre_id=centre_id, history_only=history_only)
    by_centre = {}
    for cid, (code, name) in sorted(names.items(), key=lambda x: x[1][0]):
        if centre_id is not None and cid != centre_id:
            continue
        rates = star_by_lead.get(cid) or _star_dict(star.StarCounts())
        by_centre[str(code)] = {**by_lead.get(cid, _blank()), "name": name, "orders_cancelled": taken_back.get(cid, 0),
                                "hires": every.get(cid, 0), "hires_from_other_centres": other.get(cid, 0),
                                "referral_rate": rates["referral_rate"], "star_fill_rate": rates["star_fill_rate"]}
    agreements = agreement_figures(session, period, centre_id=centre_id)
    report = {
        "from": period.start.isoformat(), "to": period.end.isoformat(),
        "centre": str(names[centre_id][0]) if centre_id is not None else None,
        **total,
        "orders_cancelled": sum(taken_back.values()),
        "hires": sum(every.values()),
        "hires_from_other_centres": sum(other.values()),
        "agreements_active_at_end": sum(agreements["active_at_end"].values()),
        "agreements_active_at_end_by_kind": agreements["active_at_end"],
        "agreements_signed": sum(agreements["signed"].values()),
        "agreements_signed_by_kind": agreements["signed"],
        "by_centre": by_centre,
        "by_sector": by_sector,
        "campaigns": [{**c, "starts_on": c["starts_on"] and c["starts_on"].isoformat(),
                       "ends_on": c["ends_on"] and c["ends_on"].isoformat()}
                      for c in campaign_figures(session, period, centre_id=centre_id)],
        "star": star_total,
        "enquiries": enquiry_section(session, period, centre_id=centre_id, response_days=response_days),
    }
    if monthly:
        report["by_month"] = [
            {"month": m.start.strftime("%Y-%m"), "from": m.start.isoformat(), "to": m.end.isoformat(),
             **order_figures(session, m, centre_id=centre_id, history_only=history_only, positions=False)[0]}
            for m in period.months()]
    return report
