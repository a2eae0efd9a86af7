"""The admin page for the centres' joining dates (issue 14): listed, edited by an admin only, with
optimistic locking and an audit entry; a date that makes no sense is a 400 next to the field."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.joborders import dates
from nrs.municipalities.models import JobCentre
from tests.conftest import post_form


def test_an_admin_lists_and_edits_a_centres_joined_date(client, session, login_as, centre_by_code):
    login_as("admin", 219)
    page = client.get("/admin/jobcentre").get_data(as_text=True)
    assert page.count('data-testid="joined">01-12-2015') == 9
    centre = centre_by_code(201)
    url = f"/admin/jobcentre/{centre.id}"
    r = post_form(client, url, {"version": str(centre.version), "joined_on": "01-02-2016"}, form_url=url)
    assert r.status_code == 302, r.get_data(as_text=True)
    session.expire_all()
    centre = session.get(JobCentre, centre.id)
    assert centre.joined_on == date(2016, 2, 1)
    audit = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "job_centre")).one()
    assert "2016-02-01" in str(audit.changes)
    # the rule that uses it: an Allerød order received before then is refused
    assert dates.joined_on(session, centre.id) == date(2016, 2, 1)
    assert 'data-testid="joined">01-02-2016' in client.get("/admin/jobcentre").get_data(as_text=True)


def test_a_stale_form_a_future_date_and_a_date_after_existing_orders_are_refused(
        client, session, login_as, centre_by_code, make_job_order):
    login_as("admin", 219)
    centre = centre_by_code(201)
    url = f"/admin/jobcentre/{centre.id}"
    old_version = centre.version
    r = post_form(client, url, {"version": str(old_version), "joined_on": "01-01-2016"}, form_url=url)
    assert r.status_code == 302
    r = post_form(client, url, {"version": str(old_version), "joined_on": "15-01-2016"}, form_url=url)
    assert r.status_code == 409 and "Jobcentret er blevet ændret i mellemtiden" in r.get_data(as_text=True)
    session.expire_all()
    centre = session.get(JobCentre, centre.id)
    assert centre.joined_on == date(2016, 1, 1)
    r = post_form(client, url, {"version": str(centre.version), "joined_on": "01-01-2099"}, form_url=url)
    assert r.status_code == 400 and "Datoen kan ikke ligge i fremtiden." in r.get_data(as_text=True)
    r = post_form(client, url, {"version": str(centre.version), "joined_on": "31-02-2016"}, form_url=url)
    assert r.status_code == 400
    make_job_order(received_on=date(2016, 3, 1))  # an Allerød order received 01-03-2016
    r = post_form(client, url, {"version": str(centre.version), "joined_on": "01-04-2016"}, form_url=url)
    assert r.status_code == 400 and "den første 01-03-2016" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(JobCentre, centre.id).joined_on == date(2016, 1, 1)


def test_a_coordinator_may_not(client, login_as, centre_by_code):
    login_as("coordinator", 201)
    assert client.get("/admin/jobcentre").status_code == 403
    assert client.get(f"/admin/jobcentre/{centre_by_code(201).id}").status_code == 403
