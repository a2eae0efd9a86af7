"""Enquiries: routed to the lead centre, worked through their states, converted, counted, forgotten."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.enquiries import queries, services
from nrs.enquiries.models import Enquiry, EnquiryStatus
from nrs.errors import DomainError, Forbidden
from nrs.joborders.models import JobOrder
from nrs.mail.models import OutboxMessage
from nrs.privacy.jobs import run_retention
from nrs.privacy.models import AccessLogEntry
from tests.conftest import post_form

HILLEROD, ALLEROD = 219, 201


def outbox(session, like: str = "enquiry:%") -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key.like(like))
                             .order_by(OutboxMessage.id)))


def test_cli_add_routes_to_the_lead_centre_and_tells_its_coordinator_once(cli_run, session, make_company,
                                                                          make_user):
    company = make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD)
    coordinator = make_user("coordinator", HILLEROD)
    make_user("coordinator", ALLEROD)  # another centre's coordinator is not told
    result = cli_run("enquiries", "add", "--channel", "phone", "--cvr", company.cvr, "--contact-name", "Ole",
                     "--phone", "12345678", "--text", "Vi mangler to tømrere i foråret")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("enquiry ")
    enquiry_id = int(last.split()[1])
    listed = json.loads(cli_run("enquiries", "list", "--centre", str(HILLEROD), "--json").output)
    assert [r["id"] for r in listed] == [enquiry_id]
    assert listed[0]["lead_centre_code"] == HILLEROD
    assert listed[0]["company_cvr"] == company.cvr
    assert listed[0]["channel"] == "phone" and listed[0]["status"] == "new"
    assert json.loads(cli_run("enquiries", "list", "--centre", str(ALLEROD), "--json").output) == []
    assert [m.recipient for m in outbox(session)] == [coordinator.email]


def test_a_company_outside_the_nine_and_a_prospect_go_to_the_coordinators_queue(cli_run, session, make_company,
                                                                                 make_user):
    outside = make_company(name="København ApS", municipality_code=101)
    assert outside.lead_centre_id is None
    coordinators = {make_user("coordinator", ALLEROD).email, make_user("coordinator", HILLEROD).email}
    for args in (["--cvr", outside.cvr], ["--company-name", "Ny Virksomhed I/S"]):
        result = cli_run("enquiries", "add", "--channel", "mailbox", *args, "--text", "Hej")
        assert result.exit_code == 0, result.output
    rows = queries.queue(session, None, today=date.today(), working_days=1)
    assert sorted(r.name for r in rows) == ["København ApS", "Ny Virksomhed I/S"]
    assert {m.recipient for m in outbox(session)} == coordinators
    assert cli_run("enquiries", "add", "--channel", "phone", "--text", "x").exit_code != 0


@pytest.fixture
def hillerod_enquiry(session, make_company, settings):
    company = make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD)
    enquiry = services.create_enquiry(session, by=None, channel="phone", company=company, text="To tømrere",
                                      settings=settings, subject="vacancy")
    session.commit()
    return enquiry


def test_only_the_lead_centre_works_it_and_the_first_response_is_recorded(session, hillerod_enquiry, make_user):
    e = hillerod_enquiry
    with pytest.raises(Forbidden):
        services.take(session, e, by=make_user("staff", ALLEROD), version=e.version)
    consultant = make_user("staff", HILLEROD)
    services.take(session, e, by=consultant, version=e.version)
    session.commit()
    assert (e.status, e.taken_by_id) == (EnquiryStatus.taken, consultant.id)
    first = e.first_response_at
    assert first is not None
    services.answer(session, e, by=consultant, version=e.version)
    session.commit()
    assert e.status == EnquiryStatus.answered and e.first_response_at == first
    with pytest.raises(DomainError):
        services.answer(session, e, by=consultant, version=e.version - 1)  # a stale form


def test_a_coordinator_reroutes_with_a_reason_and_it_is_audited(session, hillerod_enquiry, make_user,
                                                                settings, centre_by_code):
    e = hillerod_enquiry
    coordinator = make_user("coordinator", HILLEROD)
    allerod = centre_by_code(ALLEROD).id
    with pytest.raises(DomainError):
        services.reroute(session, e, by=coordinator, version=e.version, centre_id=allerod, reason=" ",
                         settings=settings)
    with pytest.raises(Forbidden):
        services.reroute(session, e, by=make_user("coordinator", ALLEROD), version=e.version, centre_id=allerod,
                         reason="x", settings=settings)
    services.reroute(session, e, by=coordinator, version=e.version, centre_id=allerod,
                     reason="Arbejdsstedet ligger i Allerød", settings=settings)
    session.commit()
    assert e.lead_centre_id == allerod
    event = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "enquiry",
                                                  AuditEvent.action == "reroute")).one()
    assert event.note == "Arbejdsstedet ligger i Allerød"


def test_the_queue_is_oldest_first_and_marks_the_overdue(session, make_company, settings, centre_by_code):
    company = make_company(municipality_code=HILLEROD)
    # Tuesday 1 March 2016 10:00 and Friday 4 March 10:00 (Copenhagen is UTC+1 then)
    for when in (datetime(2016, 3, 4, 9, tzinfo=UTC), datetime(2016, 3, 1, 9, tzinfo=UTC)):
        services.create_enquiry(session, by=None, channel="phone", company=company, text="x",
                                settings=settings, received_at=when)
    session.commit()
    rows = queries.queue(session, centre_by_code(HILLEROD).id, today=date(2016, 3, 7), working_days=1)
    assert [r.enquiry.received_at.day for r in rows] == [1, 4]
    assert [r.overdue for r in rows] == [True, False]  # Friday's is due Monday the 7th
    assert rows[1].due == date(2016, 3, 7)


def test_converting_to_an_order_links_order_company_and_enquiry(client, login_as, session, hillerod_enquiry):
    e = hillerod_enquiry
    login_as("staff", HILLEROD)
    url = f"/henvendelser/{e.id}/jobordre"
    page = client.get(url).get_data(as_text=True)
    assert "To tømrere" in page  # pre-filled from the enquiry
    response = post_form(client, url, {"title": "Tømrer", "positions": "2", "requirements": "Svendebrev",
                                       "version": str(e.version)})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    e = session.get(Enquiry, e.id)
    order = session.get(JobOrder, e.job_order_id)
    assert e.status == EnquiryStatus.converted and order.title == "Tømrer" and order.positions == 2
    assert order.channel == "shared_phone"
    order_page = client.get(f"/jobordrer/{order.id}").get_data(as_text=True)
    assert f'href="/henvendelser/{e.id}"' in order_page
    assert f'href="/virksomheder/{order.company_id}"' in order_page
    assert f'href="/jobordrer/{order.id}"' in client.get(f"/henvendelser/{e.id}").get_data(as_text=True)
    company_page = client.get(f"/virksomheder/{order.company_id}").get_data(as_text=True)
    assert f'href="/henvendelser/{e.id}"' in company_page


def test_opening_an_enquiry_is_in_the_access_log(client, login_as, session, hillerod_enquiry):
    user = login_as("staff", ALLEROD)
    assert client.get(f"/henvendelser/{hillerod_enquiry.id}").status_code == 200
    session.expire_all()
    logged = session.exec(select(AccessLogEntry).where(AccessLogEntry.entity_type == "enquiry")).all()
    assert [(r.user_id, r.entity_id, r.action) for r in logged] == [(user.id, str(hillerod_enquiry.id), "read")]


def test_staff_log_a_call_in_the_browser_form_and_bad_input_is_a_400(client, login_as, session, make_company):
    company = make_company(municipality_code=HILLEROD)
    login_as("staff", ALLEROD)
    bad = post_form(client, "/henvendelser/ny", {"channel": "phone", "subject": "other", "cvr": "1234",
                                                 "text": "x"})
    assert bad.status_code == 400 and "8 cifre" in bad.get_data(as_text=True)
    ok = post_form(client, "/henvendelser/ny", {"channel": "phone", "subject": "vacancy", "cvr": company.cvr,
                                                "contact_name": "Ole", "text": "Mangler folk"})
    assert ok.status_code == 302
    session.expire_all()
    assert session.exec(select(Enquiry)).one().lead_centre_id == company.lead_centre_id


def test_figures_by_channel_subject_centre_goal_and_median(app, session, make_company, settings, make_user):
    company = make_company(municipality_code=HILLEROD)
    consultant = make_user("staff", HILLEROD)
    monday = datetime(2016, 3, 7, 9, tzinfo=UTC)
    made = [services.create_enquiry(session, by=None, channel=ch, company=company, text="x", settings=settings,
                                    received_at=monday, subject=subj)
            for ch, subj in (("phone", "vacancy"), ("mailbox", "vacancy"), ("web", "other"))]
    session.commit()
    made[0].first_response_at = monday + timedelta(hours=2)  # within the goal
    made[1].first_response_at = monday + timedelta(days=3)  # Thursday: too late
    session.commit()
    f = queries.figures(session, start=date(2016, 3, 7), end=date(2016, 3, 13), today=date(2016, 3, 14),
                        working_days=1)
    assert f.total == 3
    assert f.by_channel == {"phone": 1, "mailbox": 1, "web": 1}
    assert f.by_subject == {"vacancy": 2, "other": 1}
    assert f.by_centre == {HILLEROD: 3}
    assert (f.goal_met, f.goal_due) == (1, 3)  # the unanswered one is past its goal too
    assert f.median_hours_to_first_response == 37.0
    with app.test_request_context():
        assert queries.summary_lines(f, 1) == [
            "Henvendelser modtaget i ugen: 3 (Fælles telefon 1, Fælles postkasse 1, Kontaktformular 1)",
            "Besvaret inden for målet: 33 % (1 af 3)", "Median tid til første svar: 37 timer",
            "Venter stadig på første svar ved ugens slutning: 1"]
    assert consultant  # (the consultant exists; responses were set directly)


def test_retention_deletes_closed_enquiries_texts_after_the_period(session, hillerod_enquiry, settings):
    e = hillerod_enquiry
    services.close(session, e, by=None, version=e.version)
    e.closed_at = datetime(2014, 1, 1, tzinfo=UTC)
    session.commit()
    result = run_retention(session, now=datetime(2016, 3, 1, tzinfo=UTC), settings=settings)
    session.commit()
    assert result.enquiry_texts_deleted == 1
    session.expire_all()
    kept = session.get(Enquiry, e.id)
    assert kept.text == "" and kept.text_deleted_at is not None and kept.channel == "phone"
    assert run_retention(session, now=datetime(2016, 3, 1, tzinfo=UTC), settings=settings).enquiry_texts_deleted == 0


# --- /kontakt ---------------------------------------------------------------------------------------

def _contact(client, **data):
    values = {"company_name": "Hillerød Træ ApS", "contact_name": "Ole Olsen", "email": "ole@trae.test",
              "phone": "12345678", "message": "Vi mangler en tømrer", "cvr": ""}
    values.update(data)
    return post_form(client, "/kontakt", values)


def test_a_company_writes_without_logging_in_and_gets_a_receipt(client, session, make_company):
    company = make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD)
    response = _contact(client, cvr=company.cvr)
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hillerød" in thanks
    enquiry = session.exec(select(Enquiry)).one()
    assert (enquiry.channel, enquiry.company_id, enquiry.contact_email) == ("web", company.id, "ole@trae.test")
    receipts = outbox(session, "enquiry-receipt:%")
    assert [m.recipient for m in receipts] == ["ole@trae.test"]
    assert "Hillerød" in receipts[0].body_text


def test_the_contact_form_is_in_english_too(client):
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    page = client.get("/kontakt").get_data(as_text=True)
    assert "Your name" in page and "Company name" in page
    assert 'name="company_name"' in page and 'name="website"' in page


def test_the_honeypot_and_a_bad_address_create_nothing(client, session):
    assert _contact(client, website="http://spam.example").status_code == 302
    bad = _contact(client, email="ikke-en-adresse")
    assert bad.status_code == 400 and "gyldig e-mailadresse" in bad.get_data(as_text=True)
    assert session.exec(select(Enquiry)).all() == []


def test_a_burst_of_fifty_posts_from_one_address_is_throttled(client, session, settings):
    statuses = [_contact(client, message=f"Besked {i}").status_code for i in range(50)]
    limit = settings.contact_form_per_hour
    assert statuses[:limit] == [302] * limit
    assert set(statuses[limit:]) == {429}
    assert len(session.exec(select(Enquiry)).all()) == limit
    refused = _contact(client)
    assert "for mange henvendelser" in refused.get_data(as_text=True)


def test_the_reports_page_shows_the_enquiry_figures(client, login_as, hillerod_enquiry):
    login_as("staff", ALLEROD)
    page = client.get("/rapporter/?preset=this_year").get_data(as_text=True)
    assert 'data-testid="enquiry-figures"' in page
    assert "Fælles telefon" in page and "Ledig stilling" in page and "Jobcenter Hillerød" in page


def test_the_front_page_shows_the_centres_open_enquiries_overdue_marked(client, login_as, session, make_company,
                                                                       settings):
    company = make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD)
    services.create_enquiry(session, by=None, channel="phone", company=company, text="x", settings=settings,
                            received_at=datetime(2016, 3, 1, 9, tzinfo=UTC))
    session.commit()
    login_as("staff", HILLEROD)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="enquiries-panel"' in page and "Hillerød Træ ApS" in page
    assert "1 over svarfristen" in page
    client.get("/log-ud")
    login_as("staff", ALLEROD)
    assert 'data-testid="enquiries-panel"' not in client.get("/").get_data(as_text=True)


def test_the_agreement_form_from_an_enquiry_leaves_out_retired_sectors(client, login_as, session,
                                                                       hillerod_enquiry):
    from nrs.sectors.models import FocusSector
    from nrs.sectors.services import set_retired

    kept = FocusSector(year=2016, name="Transport", codes="49")
    retired = FocusSector(year=2016, name="Gammel branche", codes="41")
    session.add_all([kept, retired])
    session.flush()
    set_retired(session, retired, by=None, retired=True)
    session.commit()
    login_as("staff", HILLEROD)
    page = client.get(f"/henvendelser/{hillerod_enquiry.id}/aftale").get_data(as_text=True)
    assert "2016: Transport" in page and "Gammel branche" not in page


def test_converting_to_an_agreement_links_both_ways(client, login_as, session, hillerod_enquiry):
    from nrs.agreements.models import Agreement

    e = hillerod_enquiry
    login_as("staff", HILLEROD)
    url = f"/henvendelser/{e.id}/aftale"
    assert client.get(url).status_code == 200
    response = post_form(client, url, {"kind": "cooperation", "valid_from": "01-04-2016", "version": str(e.version)})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    e = session.get(Enquiry, e.id)
    agreement = session.get(Agreement, e.agreement_id)
    assert e.status == EnquiryStatus.converted and agreement.company_id == e.company_id
    assert f"#{e.id}" in agreement.notes and agreement.signed_on is None
    assert f'href="/aftaler/{agreement.id}"' in client.get(f"/henvendelser/{e.id}").get_data(as_text=True)
