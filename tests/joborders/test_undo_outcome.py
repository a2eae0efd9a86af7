"""Undoing one position's outcome recorded in error (issue 14): one event, the state re-derived,
earlier dates' figures unchanged, the tally still equal to the history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.errors import DomainError, Forbidden
from nrs.joborders import services
from nrs.joborders.models import JobOrderEvent, PositionOutcome
from nrs.joborders.states import JobOrderState
from nrs.reports.queries import status_figures
from tests.conftest import post_form
from tests.reports.test_tally import assert_tally_equals_history

D = date(2016, 3, 10)
LATER = date(2016, 3, 20)


def live(session, order):
    return services.live_outcomes(session, order.id)


def test_undoing_a_wrong_hire_reopens_a_filled_order_and_keeps_earlier_figures(
        session, make_job_order, make_user, centre_by_code):
    coordinator = make_user("coordinator", 201)
    egedal = centre_by_code(240).id
    order = make_job_order(company=None, state="filled", closed_on=D, hired_from=egedal)
    assert order.lead_centre_id == centre_by_code(201).id
    before = status_figures(session, as_of=D)
    assert (before["orders_filled"], before["positions_hired"], before["hires_from_other_centres"]) == (1, 1, 1)
    (hired,) = live(session, order)
    services.undo_outcome(session, order, by=coordinator, expected_version=order.version, outcome_id=hired.id,
                          on_date=LATER, reason="Kandidaten blev ansat i en anden virksomhed")
    session.commit()
    assert order.state == JobOrderState.open and order.closed_on is None
    assert live(session, order) == [] and services.position_counts(session, order).open == 1
    last = session.exec(select(JobOrderEvent).where(JobOrderEvent.job_order_id == order.id)
                        .order_by(JobOrderEvent.id.desc())).first()
    assert (last.from_state, last.to_state, last.on_date) == ("filled", "open", LATER)
    assert "Stilling 1: Ansat fortrudt" in last.reason and "anden virksomhed" in last.reason
    # as of the day it was filled the figures are what they were; from the undo on, no hire
    assert status_figures(session, as_of=D) == before
    after = status_figures(session, as_of=LATER)
    assert (after["orders_filled"], after["orders_open"], after["positions_hired"],
            after["hires_from_other_centres"]) == (0, 1, 0, 0)
    assert_tally_equals_history(session)
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "undo_outcome")).one()
    assert str(audit.entity_id) == str(order.id) and audit.note == "Kandidaten blev ansat i en anden virksomhed"


def test_undoing_one_of_three_keeps_the_others_and_the_position_can_be_resolved_again(
        session, make_job_order, make_user, centre_by_code):
    coordinator = make_user("coordinator", 201)
    allerod = centre_by_code(201).id
    order = make_job_order(positions=3)
    hire = services.NewOutcome("hired", hire=services.NewHire(allerod, D))
    services.resolve_positions(session, order, by=None, expected_version=order.version, on_date=D,
                               outcomes=[hire, services.NewOutcome("withdrawn")])
    withdrawn = next(o for o in live(session, order) if o.kind == "withdrawn")
    services.undo_outcome(session, order, by=coordinator, expected_version=order.version,
                          outcome_id=withdrawn.id, on_date=LATER, reason="Virksomheden trak sig ikke")
    counts = services.position_counts(session, order)
    assert (order.state, counts.hired, counts.other, counts.open) == (JobOrderState.open, 1, 0, 2)
    services.resolve_positions(session, order, by=None, expected_version=order.version, on_date=LATER,
                               outcomes=[hire, hire])
    assert order.state == JobOrderState.filled
    assert status_figures(session, as_of=D)["positions_other"] == 1   # the withdrawal counted then
    assert status_figures(session, as_of=LATER)["positions_hired"] == 3
    assert_tally_equals_history(session)


def test_refusals(session, make_job_order, make_user):
    order = make_job_order(state="filled", closed_on=D)
    other = make_job_order(state="filled", closed_on=D)
    (outcome,) = live(session, order)
    (elsewhere,) = live(session, other)
    coordinator = make_user("coordinator", 201)
    with pytest.raises(Forbidden):
        services.undo_outcome(session, order, by=make_user("staff", 201), expected_version=order.version,
                              outcome_id=outcome.id, reason="x")
    with pytest.raises(Forbidden):
        services.undo_outcome(session, order, by=make_user("coordinator", 217), expected_version=order.version,
                              outcome_id=outcome.id, reason="x")
    with pytest.raises(DomainError, match="Skriv hvorfor"):
        services.undo_outcome(session, order, by=coordinator, expected_version=order.version,
                              outcome_id=outcome.id, reason=" ")
    with pytest.raises(DomainError, match="Vælg et af"):
        services.undo_outcome(session, order, by=coordinator, expected_version=order.version,
                              outcome_id=elsewhere.id, reason="x")
    with pytest.raises(DomainError, match="før seneste ændring"):
        services.undo_outcome(session, order, by=coordinator, expected_version=order.version,
                              outcome_id=outcome.id, reason="x", on_date=date(2016, 3, 5))
    with pytest.raises(DomainError):  # a stale page
        services.undo_outcome(session, order, by=coordinator, expected_version=order.version - 1,
                              outcome_id=outcome.id, reason="x")
    session.rollback()
    services.undo_outcome(session, order, by=coordinator, expected_version=order.version,
                          outcome_id=outcome.id, reason="Fejl")
    with pytest.raises(DomainError, match="Vælg et af"):  # already undone
        services.undo_outcome(session, order, by=coordinator, expected_version=order.version,
                              outcome_id=outcome.id, reason="Fejl igen")


def test_the_order_page_undoes_an_outcome_and_a_bad_form_is_a_400(client, session, make_job_order, login_as):
    order = make_job_order(state="filled", closed_on=D)
    (outcome,) = live(session, order)
    login_as("coordinator", 201)
    url = f"/jobordrer/{order.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Fortryd et udfald" in page and f'value="{outcome.id}"' in page
    r = post_form(client, f"{url}/udfald/fortryd", {"undo-version": str(order.version), "undo-on_date": "20-03-2016",
                                                    "undo-outcome_id": str(outcome.id), "undo-reason": ""},
                  form_url=url)
    assert r.status_code == 400 and "Skriv hvorfor udfaldet fortrydes." in r.get_data(as_text=True)
    r = post_form(client, f"{url}/udfald/fortryd", {"undo-version": str(order.version), "undo-on_date": "20-03-2016",
                                                    "undo-outcome_id": "abc", "undo-reason": "Fejl"}, form_url=url)
    assert r.status_code == 400
    r = post_form(client, f"{url}/udfald/fortryd", {"undo-version": str(order.version), "undo-on_date": "20-03-2016",
                                                    "undo-outcome_id": str(outcome.id), "undo-reason": "Fejl"},
                  form_url=url)
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="state">Åben' in page and "Stilling 1: Ansat fortrudt: Fejl" in page
    session.expire_all()
    assert session.get(PositionOutcome, outcome.id).undone_on == date(2016, 3, 20)


def test_staff_see_no_undo_form(client, make_job_order, login_as):
    order = make_job_order(state="filled", closed_on=D)
    login_as("staff", 201)
    assert "Fortryd et udfald" not in client.get(f"/jobordrer/{order.id}").get_data(as_text=True)
