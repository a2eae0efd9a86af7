"""The weekly mail counts hires by the status report's rule and shows "besat 2 af 3" (issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nrs.db import session_scope
from nrs.joborders import corrections
from nrs.joborders import services as orders
from nrs.joborders.models import HelpRequest
from nrs.joborders.services import NewHire, NewOutcome
from nrs.reports import weekly
from tests.mail.weekly_data import WEEK

D = date


def allerod_figures(app, engine):
    with app.app_context(), session_scope(engine) as s:
        figures = weekly.compute(s, weekly.parse_week(WEEK))
    return next(f for c, f in figures.centres if "Allerød" in c.name)


def test_a_cancelled_orders_hire_is_not_counted(app, engine, week_data, make_company, centre_by_code):
    """An order registered in error and cancelled counts in no figure: nor its hire from Hillerød."""
    hillerod = centre_by_code(219)
    company = make_company(name="Fejl ApS", municipality_code=201)
    with session_scope(engine) as s:
        order = orders.log_job_order(s, by=None, company=company, title="Dobbelt", received_on=D(2016, 3, 1))
        orders.fill(s, order, by=None, expected_version=order.version, on_date=D(2016, 3, 31),
                    hires=[NewHire(centre_id=hillerod.id, hired_on=D(2016, 3, 31))])
        corrections.cancel_order(s, order, by=None, expected_version=order.version, reason="Tastet to gange")
    assert allerod_figures(app, engine).hires_from_other_centres == 1


def test_a_hire_undone_by_a_reopening_in_the_week_is_not_counted(app, engine, week_data, make_company,
                                                                   centre_by_code):
    """A hire undone before the week's end is no hire at the week's end (as the status report counts)."""
    hillerod = centre_by_code(219)
    company = make_company(name="Fortryd ApS", municipality_code=201)
    with session_scope(engine) as s:
        order = orders.log_job_order(s, by=None, company=company, title="Fortrudt", received_on=D(2016, 3, 1))
        orders.fill(s, order, by=None, expected_version=order.version, on_date=D(2016, 3, 29),
                    hires=[NewHire(centre_id=hillerod.id, hired_on=D(2016, 3, 29))])
        orders.reopen(s, order, by=None, expected_version=order.version, on_date=D(2016, 3, 30),
                      reason="Kandidaten sprang fra")
    assert allerod_figures(app, engine).hires_from_other_centres == 1


def test_a_partly_filled_order_asking_for_help_shows_besat_2_af_3(app, engine, week_data, make_company,
                                                                  centre_by_code):
    """The help list says how far an order with several positions has come."""
    allerod = centre_by_code(201)
    company = make_company(name="Tre Pladser ApS", municipality_code=219, postal_code="3400", city="Hillerød")
    with session_scope(engine) as s:
        order = orders.log_job_order(s, by=None, company=company, title="Lagermedarbejder",
                                     received_on=D(2016, 3, 1), positions=3)
        hired = NewOutcome("hired", hire=NewHire(centre_id=allerod.id, hired_on=D(2016, 3, 20)))
        orders.resolve_positions(s, order, by=None, expected_version=order.version, on_date=D(2016, 3, 20),
                                 outcomes=[hired, hired])
        s.add(HelpRequest(job_order_id=order.id, asked_at=datetime(2016, 3, 25, 9, tzinfo=UTC)))
    with app.app_context(), session_scope(engine) as s:
        karen = next(m for m in weekly.render_all(s, week=weekly.parse_week(WEEK)) if m.to == "karen@allerod.test")
    line = next(line for line in karen.text.splitlines() if "Lagermedarbejder" in line)
    assert "besat 2 af 3" in line
    assert "besat 2 af 3" in karen.html
