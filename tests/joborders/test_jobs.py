"""An open order with no referral for five working days asks the other centres for help, once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from nrs.joborders import services
from nrs.joborders.jobs import request_help_for_idle_orders, working_days_between
from nrs.joborders.models import HelpRequest


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)


def test_working_days_skip_weekends():
    assert working_days_between(date(2016, 3, 4), date(2016, 3, 11)) == 5  # Fri -> next Fri
    assert working_days_between(date(2016, 3, 4), date(2016, 3, 7)) == 1  # Fri -> Mon
    assert working_days_between(date(2016, 3, 7), date(2016, 3, 7)) == 0


def test_idle_open_order_asks_for_help_once(app, settings, session, make_job_order, make_user):
    idle = make_job_order(received_on=date(2016, 3, 4))  # Friday
    referred = make_job_order(received_on=date(2016, 3, 4))
    make_job_order(state="paused", received_on=date(2016, 3, 4))
    make_job_order(state="filled", received_on=date(2016, 3, 4))
    with app.app_context():
        services.add_referral(session, referred, by=make_user("staff", 217), referred_on=date(2016, 3, 8),
                              case_reference="S-1")
        assert request_help_for_idle_orders(session, now=at(date(2016, 3, 10)), settings=settings) == 0  # Thursday: 4 working days
        assert request_help_for_idle_orders(session, now=at(date(2016, 3, 11)), settings=settings) == 1
        assert request_help_for_idle_orders(session, now=at(date(2016, 3, 14)), settings=settings) == 0  # idempotent
        session.commit()
    [help_request] = session.exec(select(HelpRequest)).all()
    assert help_request.job_order_id == idle.id and help_request.by_id is None and not help_request.resolved


def test_help_wanted_list_shows_automatic_requests_until_a_referral(app, settings, client, session, make_job_order,
                                                                    login_as, make_user):
    order = make_job_order(received_on=date(2016, 3, 4))
    with app.app_context():
        request_help_for_idle_orders(session, now=at(date(2016, 3, 21)), settings=settings)
        session.commit()
    login_as("staff", 270)
    page = client.get("/jobordrer/hjaelp").get_data(as_text=True)
    assert f"/jobordrer/{order.id}" in page and "automatisk" in page
    with app.app_context():
        services.add_referral(session, order, by=make_user("staff", 270), referred_on=date(2016, 3, 22),
                              case_reference="GRI-9")
        session.commit()
    page = client.get("/jobordrer/hjaelp").get_data(as_text=True)
    assert f"/jobordrer/{order.id}" not in page
