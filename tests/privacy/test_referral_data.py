"""Referral data in the other domains: every use logged, never cached, never in an e-mail."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from nrs.privacy.models import AccessLogEntry
from tests.conftest import post_form
from tests.privacy.helpers import make_log_row

SECRET_CASE = "SAG-HEMMELIG-4711"
SECRET_NOTE = "kørekort kategori C, hemmelig note"


@pytest.fixture
def order_with_referral(session, make_job_order, centre_by_code):
    from nrs.joborders import services

    order = make_job_order(received_on=date(2016, 3, 7))
    services.add_referral(session, order, by=None, referring_centre_id=centre_by_code(217).id,
                          referred_on=date(2016, 3, 8), case_reference=SECRET_CASE, note=SECRET_NOTE)
    session.commit()
    return order


def _log(session, user):
    return [(e.action, e.entity_type, e.entity_id, e.criterion)
            for e in session.exec(select(AccessLogEntry).where(AccessLogEntry.user_id == user.id)
                                  .order_by(AccessLogEntry.id))]


def test_reading_searching_referring_and_exporting_are_logged(client, login_as, session, order_with_referral,
                                                              centre_by_code):
    staff = login_as("staff", centre=217)
    page = client.get(f"/jobordrer/{order_with_referral.id}")
    assert SECRET_CASE in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]
    client.get("/jobordrer/?state=open")
    client.get("/jobordrer/?format=csv")
    response = post_form(client, f"/jobordrer/{order_with_referral.id}/henvisninger",
                         {"referral-referred_on": "09-03-2016", "referral-case_reference": "SAG-2",
                          "referral-outcome": "referred"}, form_url=f"/jobordrer/{order_with_referral.id}")
    assert response.status_code == 302
    actions = [a for a, *_rest in _log(session, staff)]
    assert actions[0] == "read" and "search" in actions and "export" in actions and "create" in actions
    search = next(entry for entry in _log(session, staff) if entry[0] == "search")
    assert "state=open" in search[3]  # the criterion is kept


def test_admin_finds_a_users_reads_in_the_log(client, login_as, session, make_user, order_with_referral):
    from tests.conftest import login

    staff = make_user(role="staff", centre=217, name="Henrik Henviser")
    login(client, staff.email)
    client.get(f"/jobordrer/{order_with_referral.id}")
    post_form(client, "/log-ud", {}, form_url="/")
    login_as("admin")
    html = client.get("/persondata/adgangslog?user=henrik&action=read").get_data(as_text=True)
    assert "Henrik Henviser" in html and "Jobcenter Helsingør" in html


def test_the_access_log_cannot_be_rewritten(session):
    entry = make_log_row(session)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        session.execute(sa.update(AccessLogEntry).where(AccessLogEntry.id == entry.id).values(criterion="x"))
    session.rollback()


def test_weekly_email_has_counts_and_links_never_referral_details(app, session, order_with_referral, make_user):
    from nrs.reports import weekly

    make_user(role="staff", centre=201, weekly_email=True)
    with app.test_request_context():
        messages = weekly.render_all(session, week=weekly.parse_week("2016-W10"))
    assert messages
    for m in messages:
        for part in (m.subject, m.text, m.html):
            assert SECRET_CASE not in part and SECRET_NOTE not in part
