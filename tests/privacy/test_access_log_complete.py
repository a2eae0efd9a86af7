"""The access log misses nothing: refused forms, fills that mark a hire, the audit log, a rollback."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from nrs.audit.models import AuditEvent
from nrs.db import begin_write
from nrs.privacy.models import AccessLogEntry
from nrs.privacy.services import log_access
from tests.conftest import post_form

SECRET_CASE = "SAG-HEMMELIG-4711"


@pytest.fixture
def order_with_referral(session, make_job_order, centre_by_code):
    """An open order of centre 201 (Allerød) with one referral from Helsingør (217)."""
    from nrs.joborders import services
    from nrs.joborders.models import Referral

    order = make_job_order(received_on=date(2016, 3, 7))
    services.add_referral(session, order, by=None, referring_centre_id=centre_by_code(217).id,
                          referred_on=date(2016, 3, 8), case_reference=SECRET_CASE)
    session.commit()
    referral = session.exec(select(Referral).where(Referral.job_order_id == order.id)).one()
    return order, referral


def _entries(session, user, **where):
    stmt = select(AccessLogEntry).where(AccessLogEntry.user_id == user.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(AccessLogEntry, name) == value)
    return session.exec(stmt.order_by(AccessLogEntry.id)).all()


def test_an_entry_survives_the_rollback_of_the_transaction_that_logged_it(engine, session):
    """Written in its own transaction: the caller's rollback (a refused form) does not take it along."""
    with Session(engine) as s:
        begin_write(s)  # the request already holds the write lock on SQLite
        log_access(s, user=None, action="read", entity_type="referral", entity_id=77, purpose="test")
        s.flush()
        s.rollback()
    entries = session.exec(select(AccessLogEntry).where(AccessLogEntry.entity_id == "77")).all()
    assert [(e.action, e.entity_type, e.purpose) for e in entries] == [("read", "referral", "test")]


def test_an_entry_outside_any_transaction_is_written_at_once(engine, session):
    with Session(engine) as s:
        log_access(s, user=None, action="search", entity_type="referral", criterion="x=1")
        assert session.exec(select(AccessLogEntry).where(AccessLogEntry.criterion == "x=1")).one()


def _bad_date(order, referral):
    return (f"/jobordrer/{order.id}/henvisninger",
            {"referral-referred_on": "32-13-2016", "referral-case_reference": "SAG-2", "referral-outcome": "referred"})


def _stale_version(order, referral):
    return (f"/jobordrer/{order.id}/pause",
            {"pause-version": str(order.version + 5), "pause-on_date": "10-03-2016", "pause-reason": ""})


def _invalid_outcome(order, referral):
    return (f"/jobordrer/{order.id}/henvisninger/{referral.id}", {f"outcome{referral.id}-outcome": "bestukket"})


def _other_centres_change(order, referral):
    return (f"/jobordrer/{order.id}/henvisninger/{referral.id}", {f"outcome{referral.id}-outcome": "rejected"})


@pytest.mark.parametrize(("make_request", "centre", "status"), [
    (_bad_date, 201, 400),
    (_stale_version, 201, 409),
    (_invalid_outcome, 217, 400),
], ids=["bad-date", "stale-version", "invalid-outcome"])
def test_a_refused_form_that_shows_referral_data_is_logged(client, login_as, session, order_with_referral,
                                                          make_request, centre, status):
    order, referral = order_with_referral
    user = login_as("staff", centre=centre)
    url, data = make_request(order, referral)
    response = post_form(client, url, data, form_url=f"/jobordrer/{order.id}")
    assert response.status_code == status
    assert SECRET_CASE in response.get_data(as_text=True)
    reads = _entries(session, user, action="read", entity_id=str(order.id))
    # one for the page the form was taken from, one for the refusal page
    assert len(reads) == 2


def test_another_centres_refused_change_shows_no_referral_data(client, login_as, session, order_with_referral):
    """Neither the referring (217) nor the lead centre (201): the policy refuses with a 403 page that
    shows nothing of the referral, so only the order page the form came from was a read."""
    order, referral = order_with_referral
    user = login_as("staff", centre=219)
    url, data = _other_centres_change(order, referral)
    response = post_form(client, url, data, form_url=f"/jobordrer/{order.id}")
    assert response.status_code == 403
    assert SECRET_CASE not in response.get_data(as_text=True)
    assert len(_entries(session, user, action="read", entity_id=str(order.id))) == 1


def test_a_fill_that_marks_a_referral_hired_logs_the_update(client, login_as, session, order_with_referral,
                                                            centre_by_code):
    from nrs.joborders.models import Referral, ReferralOutcome

    order, referral = order_with_referral
    user = login_as("staff", centre=201)
    response = post_form(client, f"/jobordrer/{order.id}/besat", {
        "fill-version": str(order.version), "fill-on_date": "20-03-2016",
        "fill-hires-0-centre_id": str(centre_by_code(217).id), "fill-hires-0-hired_on": "20-03-2016",
        "fill-hires-0-referral_id": str(referral.id)}, form_url=f"/jobordrer/{order.id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Referral, referral.id).outcome == ReferralOutcome.hired
    assert [e.purpose for e in _entries(session, user, action="update", entity_type="referral",
                                        entity_id=str(referral.id))]
    audit = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "referral",
                                                  AuditEvent.entity_id == str(referral.id),
                                                  AuditEvent.action == "update")).one()
    assert audit.user_id == user.id and audit.changes["outcome"] == ["referred", "hired"]


def test_reading_the_audit_log_of_referrals_is_logged(client, login_as, session, order_with_referral):
    _order, referral = order_with_referral
    admin = login_as("admin")
    response = client.get("/admin/revisionslog?entity=referral")
    assert response.status_code == 200
    entries = _entries(session, admin)
    assert len(entries) == 1
    assert entries[0].action == "read" and "entity=referral" in entries[0].criterion
    assert str(referral.id) in entries[0].criterion  # which referrals' history was shown


def test_the_unfiltered_audit_log_is_logged_when_it_shows_referrals(client, login_as, session, order_with_referral):
    admin = login_as("admin")
    client.get("/admin/revisionslog")
    assert len(_entries(session, admin)) == 1
    client.get("/admin/revisionslog?entity=company")  # no referral on the page: nothing about a citizen read
    assert len(_entries(session, admin)) == 1
