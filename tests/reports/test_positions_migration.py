"""Migration 0018 on a database filled by the previous release (0017): the status report's order
figures are identical before and after, and the positions come out as issue 14 item 7 says."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import command

from nrs.db import alembic_config
from nrs.joborders import services, tally
from nrs.joborders.models import Hire, JobOrder, JobOrderEvent
from nrs.joborders.states import JobOrderState
from nrs.reports.queries import _KEY_OF, ORDER_KEYS, status_figures
from tests.reports.seedlike import make_seed_like

DAYS = [date(2016, 1, 15), date(2016, 2, 29), date(2016, 3, 20), date(2016, 3, 31), date(2016, 4, 15),
        date(2016, 4, 30)]


def _release_0017_other_hires(session, as_of: date) -> int:
    """The previous release's hires from other centres (its ``_other_hires``, kept here as it was):
    hires on a filling event that is still the order's last event by the end of ``as_of``."""
    filling, later = sa.orm.aliased(JobOrderEvent), sa.orm.aliased(JobOrderEvent)
    superseded = (sa.select(later.id).where(
        later.job_order_id == filling.job_order_id, later.on_date <= as_of,
        sa.or_(later.on_date > filling.on_date, sa.and_(later.on_date == filling.on_date, later.id > filling.id)))
        .exists())
    return session.execute(
        sa.select(sa.func.count()).select_from(Hire).join(JobOrder, JobOrder.id == Hire.job_order_id)
        .join(filling, filling.id == Hire.event_id)
        .where(Hire.centre_id != JobOrder.lead_centre_id, filling.on_date <= as_of, JobOrder.received_on <= as_of,
               filling.to_state == JobOrderState.filled, ~superseded)).scalar_one()


def _release_0017_figures(session, as_of: date) -> dict:
    """The order figures as the previous release computed them (state from the events, in SQL that reads
    only columns 0017 has: the current queries also read columns added since)."""
    out = dict.fromkeys(ORDER_KEYS, 0)
    latest = session.execute(sa.text(
        "SELECT e.to_state FROM job_order_events e JOIN job_orders o ON o.id = e.job_order_id "
        "WHERE e.on_date <= :d AND o.received_on <= :d AND NOT EXISTS (SELECT 1 FROM job_order_events l "
        "WHERE l.job_order_id = e.job_order_id AND l.on_date <= :d "
        "AND (l.on_date > e.on_date OR (l.on_date = e.on_date AND l.id > e.id)))"), {"d": as_of}).scalars()
    for state in latest:
        out["orders_received"] += 1
        out[_KEY_OF[JobOrderState(state)]] += 1
    out["hires_from_other_centres"] = _release_0017_other_hires(session, as_of)
    return out


def test_the_status_figures_are_identical_after_the_migration(database_url, session, make_company,
                                                               make_job_order, make_user, centre_by_code):
    make_seed_like(make_company, make_job_order, centre_by_code)
    helsingor, egedal = centre_by_code(217).id, centre_by_code(240).id
    coordinator = make_user("coordinator", 201)
    two_hires = make_job_order(make_company(municipality_code=201), "filled", received_on=date(2016, 2, 1),
                               closed_on=date(2016, 3, 1), positions=2, hired_from=[helsingor, egedal])
    reopened = make_job_order(make_company(municipality_code=201), "filled", received_on=date(2016, 2, 1),
                              closed_on=date(2016, 3, 1), hired_from=helsingor)
    services.reopen(session, reopened, by=coordinator, expected_version=reopened.version,
                    on_date=date(2016, 3, 25), reason="Kandidaten sprang fra")
    session.commit()
    open_three = make_job_order(received_on=date(2016, 2, 1), positions=3)
    short = make_job_order(make_company(municipality_code=210), "filled", received_on=date(2016, 2, 1),
                           closed_on=date(2016, 3, 2), hired_from=helsingor)
    ids = {"two_hires": two_hires.id, "open_three": open_three.id, "short": short.id}
    session.close()

    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0017")
    # What the previous release allowed: two hires on a one-position order, one hire on four positions.
    session.execute(sa.text("UPDATE job_orders SET positions = 1 WHERE id = :i"), {"i": ids["two_hires"]})
    session.execute(sa.text("UPDATE job_orders SET positions = 4 WHERE id = :i"), {"i": ids["short"]})
    session.commit()
    before = {day: _release_0017_figures(session, day) for day in DAYS}
    assert before[date(2016, 3, 31)]["orders_received"] == 36  # the seed's 32 and the four above
    assert before[date(2016, 3, 20)]["hires_from_other_centres"] >= 4
    session.close()

    command.upgrade(cfg, "head")
    for day, want in before.items():
        figures = status_figures(session, as_of=day)
        assert {k: figures[k] for k in want} == want, day
    assert tally.differences(session) == {}
    end = status_figures(session, as_of=date(2016, 4, 30))
    assert end["positions_open"] == sum(c["positions_open"] for c in end["by_centre"].values())
    orders = {name: session.get(JobOrder, oid) for name, oid in ids.items()}
    assert orders["two_hires"].positions == 2  # no hire lost
    assert services.position_counts(session, orders["short"]) == services.PositionCounts(4, 1, 3)
    assert services.position_counts(session, orders["open_three"]).open == 3
    assert orders["short"].state == JobOrderState.filled
