"""The period report: figures from the history, the stock identity, per centre and sector."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from nrs.clock import today
from nrs.joborders import corrections, services
from nrs.joborders.models import JobOrder, JobOrderEvent, PositionOutcome
from nrs.joborders.states import JobOrderState
from nrs.reports.period import ORDER_KEYS, OTHER, Period, period_report, preset
from tests.reports.seedlike import CODES, make_seed_like, random_history

SEED_PERIOD = Period(date(2015, 12, 1), date(2016, 3, 31))


def orders(figures: dict) -> tuple:
    return tuple(figures[k] for k in ORDER_KEYS)


def holds_identity(f: dict) -> bool:
    return (f["orders_open_at_start"] + f["orders_received"] - f["orders_filled"] - f["orders_unfilled"]
            + f["orders_reopened"] == f["orders_open_at_end"])


def test_seed_like_history_gives_32_10_6_16_for_december_to_march(session, make_company, make_job_order,
                                                                   centre_by_code, make_focus_sector):
    make_focus_sector(2016, "Bygge og anlæg", "41,42,43")
    make_focus_sector(2016, "Transport", "49,50,51,52,53")
    make_seed_like(make_company, make_job_order, centre_by_code)  # all in construction (412000)
    report = period_report(session, SEED_PERIOD)
    assert orders(report) == (0, 32, 10, 6, 0, 16)
    assert sum(c["orders_received"] for c in report["by_centre"].values()) == 32
    assert orders(report["by_sector"]["2016 Bygge og anlæg"]) == (0, 32, 10, 6, 0, 16)
    assert orders(report["by_sector"]["2016 Transport"]) == (0, 0, 0, 0, 0, 0)
    assert report["by_sector"][OTHER]["orders_received"] == 0
    # the months add up: each month starts with what the last one ended with
    months = report["by_month"]
    assert [m["month"] for m in months] == ["2015-12", "2016-01", "2016-02", "2016-03"]
    assert sum(m["orders_received"] for m in months) == 32
    for prev, nxt in zip(months, months[1:], strict=False):
        assert prev["orders_open_at_end"] == nxt["orders_open_at_start"]
    # April: the 16 open at the start, one more received, five of the 16 closed, plus the new one filled
    april = period_report(session, Period(date(2016, 4, 1), date(2016, 4, 30)), monthly=False)
    assert orders(april) == (16, 1, 4, 2, 0, 11)


def test_hires_from_another_centre_than_the_lead(session, make_company, make_job_order, centre_by_code):
    company = make_company(municipality_code=201)
    make_job_order(company, "filled", received_on=date(2016, 1, 5), closed_on=date(2016, 1, 20),
                   hired_from=centre_by_code(217).id)
    make_job_order(company, "filled", received_on=date(2016, 1, 5), closed_on=date(2016, 1, 25))
    make_job_order(company, "filled", received_on=date(2015, 12, 5), closed_on=date(2015, 12, 20),
                   hired_from=centre_by_code(217).id)  # before the period
    report = period_report(session, Period(date(2016, 1, 1), date(2016, 1, 31)), monthly=False)
    assert (report["hires"], report["hires_from_other_centres"]) == (2, 1)
    assert report["by_centre"]["201"]["hires_from_other_centres"] == 1
    assert report["by_centre"]["217"]["hires_from_other_centres"] == 0


def test_agreements_active_at_end_and_signed_in_the_period(session, make_agreement, make_company):
    make_agreement(valid_from=date(2016, 1, 1), signed_on=date(2016, 1, 10))
    make_agreement(valid_from=date(2015, 6, 1), signed_on=date(2015, 6, 1), valid_to=date(2016, 2, 1))
    make_agreement(kind="cooperation", valid_from=date(2016, 3, 1), signed_on=date(2016, 3, 1))
    report = period_report(session, Period(date(2016, 1, 1), date(2016, 3, 31)), monthly=False)
    assert report["agreements_active_at_end"] == 2
    assert report["agreements_active_at_end_by_kind"]["recruitment"] == 1
    assert report["agreements_active_at_end_by_kind"]["cooperation"] == 1
    assert report["agreements_signed"] == 2


@pytest.mark.parametrize(("name", "expected"), [
    ("this_month", (date(2016, 5, 1), date(2016, 5, 18))),
    ("last_month", (date(2016, 4, 1), date(2016, 4, 30))),
    ("this_quarter", (date(2016, 4, 1), date(2016, 5, 18))),
    ("last_quarter", (date(2016, 1, 1), date(2016, 3, 31))),
    ("last_half", (date(2015, 7, 1), date(2015, 12, 31))),
    ("this_year", (date(2016, 1, 1), date(2016, 5, 18))),
    ("last_year", (date(2015, 1, 1), date(2015, 12, 31))),
    ("since_start", (date(2015, 12, 1), date(2016, 5, 18))),
])
def test_presets(name, expected):
    p = preset(name, today=date(2016, 5, 18))
    assert (p.start, p.end) == expected
    assert preset("last_month", today=date(2016, 1, 3)) == Period(date(2015, 12, 1), date(2015, 12, 31))


# --- generated histories ---------------------------------------------------------------------

def _replayed(session, period: Period) -> tuple[dict, dict]:
    """The figures by replaying every order's events in Python: an independent reading of the rules."""
    events = defaultdict(list)
    for oid, on, eid, frm, to in session.execute(sa.select(
            JobOrderEvent.job_order_id, JobOrderEvent.on_date, JobOrderEvent.id, JobOrderEvent.from_state,
            JobOrderEvent.to_state)).all():
        events[oid].append((on, eid, frm and JobOrderState(frm), JobOrderState(to)))
    leads = dict(session.execute(sa.select(JobOrder.id, JobOrder.lead_centre_id)).all())
    opened = (JobOrderState.open, JobOrderState.paused)
    closed = (JobOrderState.filled, JobOrderState.unfilled)

    def is_open(oid, day):
        seen = [e for e in sorted(events[oid]) if e[0] <= day]
        return bool(seen) and seen[-1][3] in opened

    total, by_lead = dict.fromkeys(ORDER_KEYS, 0), defaultdict(lambda: dict.fromkeys(ORDER_KEYS, 0))
    for oid, evs in events.items():
        for f in (total, by_lead[leads[oid]]):
            f["orders_open_at_start"] += is_open(oid, period.start - timedelta(days=1))
            f["orders_open_at_end"] += is_open(oid, period.end)
            for on, _id, frm, to in evs:
                if period.start <= on <= period.end:
                    f["orders_received"] += frm is None
                    f["orders_filled"] += frm in opened and to == JobOrderState.filled
                    f["orders_unfilled"] += frm in opened and to == JobOrderState.unfilled
                    f["orders_reopened"] += frm in closed and to in opened
    return total, dict(by_lead)


def _positions_replayed(session, period) -> tuple:
    """(received, hired, other, reopened) in positions, read row by row: orders received in the
    period, outcomes recorded in it, outcomes undone in it (cancelled orders left out)."""
    within = lambda d: d is not None and period.start <= d <= period.end  # noqa: E731
    counted = {o.id: o for o in session.exec(sa.select(JobOrder)).scalars() if o.cancelled_on is None}
    outcomes = [o for o in session.exec(sa.select(PositionOutcome)).scalars() if o.job_order_id in counted]
    return (sum(o.positions for o in counted.values() if within(o.received_on)),
            sum(within(o.on_date) and o.kind == "hired" for o in outcomes),
            sum(within(o.on_date) and o.kind != "hired" for o in outcomes),
            sum(within(o.undone_on) for o in outcomes))


def test_identity_and_replay_on_generated_histories(session, make_company, make_user, centre_by_code,
                                                     make_focus_sector):
    """Open at start + received − filled − unfilled + reopened = open at end, per centre, per sector
    and overall, for random periods of random histories; the figures equal a replay of the events,
    and a period's months add up to it."""
    make_focus_sector(today().year, "Bygge og anlæg", "41,42,43")
    make_focus_sector(today().year - 1, "Transport", "49")
    rng = random.Random(17)
    start = random_history(session, make_company, make_user, centre_by_code, rng)
    codes = {c.id: str(c.municipality_code) for c in (centre_by_code(code) for code in CODES)}
    reopened_seen = undone_seen = 0
    for _ in range(8):
        a = start + timedelta(days=rng.randrange(0, 190))
        period = Period(a, min(today(), a + timedelta(days=rng.randrange(0, 90))))
        report = period_report(session, period, monthly=False)
        assert holds_identity(report), period
        for code, f in report["by_centre"].items():
            assert holds_identity(f), (period, code)
        for key, f in report["by_sector"].items():
            assert holds_identity(f), (period, key)
        total, by_lead = _replayed(session, period)
        assert orders(report) == orders(total), period
        for lead, f in by_lead.items():
            assert orders(report["by_centre"][codes[lead]]) == orders(f), (period, lead)
        # One centre's own report (read from its history alone) says what NRS's says of it.
        lead = rng.choice(sorted(by_lead))
        own = period_report(session, period, centre_id=lead, monthly=False)
        assert orders(own) == orders(by_lead[lead]), (period, lead)
        assert positions(own) == positions(report["by_centre"][codes[lead]]), (period, lead)
        assert holds_identity(own) and all(holds_identity(f) for f in own["by_sector"].values()), (period, lead)
        assert sum(f["orders_received"] for f in report["by_centre"].values()) == report["orders_received"]
        months = [period_report(session, m, monthly=False) for m in period.months()]
        for key in ("orders_received", "orders_filled", "orders_unfilled", "orders_reopened"):
            assert sum(m[key] for m in months) == report[key], (period, key)  # the months add up
        reopened_seen += report["orders_reopened"]
        assert positions(report)[1:5] == _positions_replayed(session, period), period
        undone_seen += report["positions_reopened"]
    assert reopened_seen, "the histories should reopen orders across a period's start"
    assert undone_seen, "and undo outcomes by reopening"


def test_a_past_period_keeps_its_figures_when_later_things_happen(session, make_company, make_job_order, make_user):
    coordinator = make_user("coordinator", 201)
    d = today() - timedelta(days=60)
    order = make_job_order(state="filled", received_on=d, closed_on=d + timedelta(days=5))
    period = Period(d, d + timedelta(days=10))
    before = period_report(session, period)
    services.reopen(session, order, by=coordinator, expected_version=order.version, on_date=d + timedelta(days=20),
                    reason="Fejl")
    make_job_order(received_on=d + timedelta(days=21))
    session.commit()
    assert period_report(session, period) == before
    after = period_report(session, Period(d, today()))
    assert (after["orders_received"], after["orders_filled"], after["orders_reopened"],
            after["orders_open_at_end"]) == (2, 1, 1, 2)


POSITIONS = ("positions_open_at_start", "positions_received", "positions_hired", "positions_other",
             "positions_reopened", "positions_open_at_end")


def positions(figures: dict) -> tuple:
    return tuple(figures[k] for k in POSITIONS)


def test_positions_of_a_period_per_centre_and_sector(session, make_company, make_job_order, centre_by_code,
                                                     make_user, make_focus_sector):
    """A 3-position building order and a 2-position transport order: what arrived, what was hired or
    ended otherwise, and a reopening that undoes an outcome, each in the period it happened."""
    make_focus_sector(2016, "Bygge og anlæg", "41,42,43")
    make_focus_sector(2016, "Transport", "49")
    coordinator = make_user("coordinator", 217)  # the transport order's lead reopens it
    egedal = centre_by_code(240).id
    build = make_job_order(make_company(municipality_code=201, industry_code="412000"), positions=3,
                           received_on=date(2016, 1, 5))
    haul = make_job_order(make_company(municipality_code=217, industry_code="494100"), positions=2,
                          received_on=date(2016, 2, 3))
    services.resolve_positions(session, build, by=None, expected_version=build.version, on_date=date(2016, 2, 10),
                               outcomes=[services.NewOutcome("hired", hire=services.NewHire(egedal, date(2016, 2, 10))),
                                         services.NewOutcome("withdrawn")])
    services.close_unfilled(session, haul, by=None, expected_version=haul.version, on_date=date(2016, 3, 5),
                            unfilled_reason="no_candidates")  # both positions: unfilled
    services.reopen(session, haul, by=coordinator, expected_version=haul.version, on_date=date(2016, 4, 4),
                    reason="Virksomheden vil prøve igen")
    session.commit()

    q1 = period_report(session, Period(date(2016, 1, 1), date(2016, 3, 31)), monthly=False)
    assert positions(q1) == (0, 5, 1, 3, 0, 1)
    assert positions(q1["by_centre"]["201"]) == (0, 3, 1, 1, 0, 1)
    assert positions(q1["by_centre"]["217"]) == (0, 2, 0, 2, 0, 0)
    assert positions(q1["by_sector"]["2016 Bygge og anlæg"]) == (0, 3, 1, 1, 0, 1)
    assert positions(q1["by_sector"]["2016 Transport"]) == (0, 2, 0, 2, 0, 0)
    # April: the reopening takes the two unfilled positions back, so they are open again
    april = period_report(session, Period(date(2016, 4, 1), date(2016, 4, 30)), monthly=False)
    assert positions(april) == (1, 0, 0, 0, 2, 3)
    assert positions(april["by_sector"]["2016 Transport"]) == (0, 0, 0, 0, 2, 2)
    # and the months say the same as the quarter
    months = [period_report(session, m, monthly=False) for m in Period(date(2016, 1, 1), date(2016, 3, 31)).months()]
    assert [m["positions_received"] for m in months] == [3, 2, 0]
    assert [m["positions_open_at_end"] for m in months] == [3, 3, 1]


def test_a_cancelled_order_is_counted_as_taken_back_and_nowhere_else(session, make_job_order, make_user,
                                                                       make_company):
    """Cancelling corrects a registration made in error: the order leaves every figure, also of the
    periods before, and the period it was cancelled in says how many were taken back."""
    coordinator = make_user("coordinator", 201)
    company = make_company(municipality_code=201)
    make_job_order(company, received_on=today() - timedelta(days=40))
    wrong = make_job_order(company, received_on=today() - timedelta(days=40))
    corrections.cancel_order(session, wrong, by=coordinator, expected_version=wrong.version, reason="Dobbelt oprettet")
    session.commit()
    month = period_report(session, Period(today() - timedelta(days=45), today()), monthly=False)
    assert (month["orders_received"], month["orders_cancelled"]) == (1, 1)
    assert month["by_centre"][str(201)]["orders_cancelled"] == 1
    before = period_report(session, Period(today() - timedelta(days=45), today() - timedelta(days=1)), monthly=False)
    assert (before["orders_received"], before["orders_cancelled"], before["positions_received"]) == (1, 0, 1)
