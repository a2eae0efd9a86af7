"""Corrections: an order registered in error is cancelled (and counts in no figure on any date), can be
restored; a referral registered in error is withdrawn by its own centre."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.clock import today
from nrs.errors import DomainError, Forbidden
from nrs.joborders import corrections, queries, services, tally
from nrs.joborders.models import JobOrder, Referral
from nrs.reports import snapshots
from nrs.reports.period import Period, period_report
from nrs.reports.queries import status_figures
from tests.conftest import post_form
from tests.reports.seedlike import random_history
from tests.reports.test_tally import assert_tally_equals_history


def _figures(session, start):
    """Every figure on some days and periods, leaving out how many orders were taken back (the one
    figure a cancellation is meant to change: ``test_a_cancelled_order_is_counted_as_taken_back``)."""
    days = [start + timedelta(days=d) for d in (0, 20, 45, 90, 140, 199)] + [today()]
    periods = [Period(start, today()), Period(start + timedelta(days=30), start + timedelta(days=100))]
    reports = [period_report(session, p, monthly=True) for p in periods]
    for report in reports:
        for part in (report, *report["by_centre"].values()):
            part.pop("orders_cancelled")
    return [status_figures(session, as_of=d) for d in days], reports


def test_cancelled_orders_count_in_no_figure_on_any_date_and_count_again_when_restored(
        session, make_company, make_user, centre_by_code):
    """Orders registered in error, in every state and dated back over months, are cancelled: the status as
    of any date, the tally, the period report and the month snapshots are those without them."""
    start = random_history(session, make_company, make_user, centre_by_code, random.Random(3), steps=80)
    session.commit()
    before = _figures(session, start)
    first_wrong = session.execute(sa.select(sa.func.max(JobOrder.id))).scalar_one() + 1
    random_history(session, make_company, make_user, centre_by_code, random.Random(4), steps=60)
    session.commit()
    wrong = session.exec(select(JobOrder).where(JobOrder.id >= first_wrong)).all()
    assert {o.state for o in wrong} >= {"open", "filled", "unfilled"}
    assert _figures(session, start) != before  # they did count
    coordinator = make_user("admin", 201)
    for order in wrong:
        corrections.cancel_order(session, order, by=coordinator, expected_version=order.version,
                                 reason="Registreret to gange")
    session.commit()
    assert _figures(session, start) == before
    assert_tally_equals_history(session)
    snapshots.rebuild(session)
    session.commit()
    assert snapshots.usable_month_end(session, today()) is not None
    assert _figures(session, start) == before  # read through the month snapshots now

    restored = next(o for o in wrong if o.state == "filled")
    corrections.restore_order(session, restored, by=coordinator, expected_version=restored.version,
                              reason="Alligevel rigtig")
    session.commit()
    assert snapshots.usable_month_end(session, today()) is None  # the months step aside until recounted
    after = status_figures(session, as_of=today())
    assert after["orders_received"] == before[0][-1]["orders_received"] + 1
    assert after["orders_filled"] == before[0][-1]["orders_filled"] + 1
    assert_tally_equals_history(session)
    history = queries.history(session, restored.id)
    assert len(history) >= 2  # the history was kept through the cancellation
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "job_order",
                                                           AuditEvent.entity_id == restored.id)).all()
    assert "cancel" in actions and "restore" in actions


def test_only_a_coordinator_of_the_lead_centre_cancels_and_a_cancelled_order_cannot_be_worked(
        session, make_job_order, make_user):
    order = make_job_order(received_on=today() - timedelta(days=5))
    with pytest.raises(Forbidden):
        corrections.cancel_order(session, order, by=make_user("staff", 201), expected_version=order.version,
                                 reason="Fejl")
    with pytest.raises(Forbidden):
        corrections.cancel_order(session, order, by=make_user("coordinator", 210), expected_version=order.version,
                                 reason="Fejl")
    with pytest.raises(DomainError):
        corrections.cancel_order(session, order, by=make_user("coordinator", 201), expected_version=order.version,
                                 reason="  ")
    corrections.cancel_order(session, order, by=make_user("coordinator", 201), expected_version=order.version,
                             reason="Fejl")
    session.commit()
    with pytest.raises(DomainError, match="annulleret"):
        services.pause(session, order, by=None, expected_version=order.version)
    with pytest.raises(DomainError, match="annulleret"):
        services.add_referral(session, order, by=None, referring_centre_id=order.lead_centre_id)


def test_cancel_in_the_browser_has_a_confirmation_step_without_javascript(client, session, make_job_order, login_as):
    order = make_job_order(received_on=today() - timedelta(days=5))
    login_as("coordinator", 201)
    url = f"/jobordrer/{order.id}/annuller"
    page = client.get(url)
    assert page.status_code == 200 and "Annullér jobordren" in page.get_data(as_text=True)
    r = post_form(client, url, {"version": str(order.version), "reason": "Oprettet to gange"})
    assert r.status_code == 400
    assert "Bekræft ændringen." in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(JobOrder, order.id).cancelled_on is None
    r = post_form(client, url, {"version": str(order.version), "reason": "Oprettet to gange", "confirm": "y"})
    assert r.status_code == 302
    detail = client.get(f"/jobordrer/{order.id}").get_data(as_text=True)
    assert "Oprettet to gange" in detail and 'data-testid="cancelled"' in detail
    assert status_figures(session, as_of=today())["orders_received"] == 0


def test_a_staff_member_of_the_lead_centre_may_not_cancel(client, make_job_order, login_as):
    order = make_job_order(received_on=today() - timedelta(days=5))
    login_as("staff", 201)
    assert client.get(f"/jobordrer/{order.id}/annuller").status_code == 403


def test_a_referral_is_withdrawn_by_its_own_centre_and_no_longer_counts(client, session, make_job_order,
                                                                          make_user, login_as, centre_by_code):
    order = make_job_order(received_on=today() - timedelta(days=5))
    referral = services.add_referral(session, order, by=None, referring_centre_id=centre_by_code(210).id,
                                     referred_on=today(), case_reference="SAG-7")
    session.commit()
    assert queries.referral_counts(session, [order.id]) == {order.id: 1}
    with pytest.raises(Forbidden):  # the lead centre may not withdraw another centre's referral
        corrections.withdraw_referral(session, referral, by=make_user("coordinator", 201), reason="Fejl")
    login_as("staff", 210)
    url = f"/jobordrer/{order.id}/henvisninger/{referral.id}/tilbagetraek"
    assert client.get(url).status_code == 200
    r = post_form(client, url, {"reason": "Forkert jobordre", "confirm": "y"})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Referral, referral.id).withdrawn_reason == "Forkert jobordre"
    assert queries.referral_counts(session, [order.id]) == {}
    page = client.get(f"/jobordrer/{order.id}").get_data(as_text=True)
    assert "SAG-7" in page and "Trukket tilbage" in page  # kept in the history, marked


def test_the_tally_equals_the_history_after_cancelling_a_filled_order(session, make_job_order, centre_by_code):
    order = make_job_order(state="filled", received_on=today() - timedelta(days=20),
                           closed_on=today() - timedelta(days=3), hired_from=centre_by_code(250).id)
    assert status_figures(session, as_of=today())["hires_from_other_centres"] == 1
    corrections.cancel_order(session, order, by=None, expected_version=order.version, reason="Fejl")
    session.commit()
    assert status_figures(session, as_of=today())["hires_from_other_centres"] == 0
    assert tally.differences(session) == {}
    assert_tally_equals_history(session)
