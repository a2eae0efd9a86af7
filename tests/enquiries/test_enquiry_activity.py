"""Converting an enquiry into an activity (issue 16 item 1): pre-filled from the enquiry, recorded by the
activities service (its policy and the CPR rule apply), the two linked both ways."""

from __future__ import annotations

import re

from sqlmodel import select

from nrs.activities.models import Activity
from nrs.companies.models import Contact
from nrs.enquiries import services
from nrs.enquiries.models import Enquiry, EnquiryStatus
from tests.conftest import post_form

HILLEROD, ALLEROD = 219, 201


def enquiry_with_contact(session, make_company, settings):
    company = make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD)
    session.add(Contact(company_id=company.id, name="Anne Andersen", email="anne@trae.test"))
    session.add(Contact(company_id=company.id, name="Ole Olsen", email="ole@trae.test"))
    session.commit()
    enquiry = services.create_enquiry(session, by=None, channel="phone", company=company, settings=settings,
                                      text="Spørger til jobrotation for to svende",
                                      contact=services.Contact(name="Ole Olsen", phone="12345678"))
    session.commit()
    return enquiry


def test_an_enquiry_becomes_an_activity_pre_filled_and_linked_both_ways(client, login_as, session, make_company,
                                                                        settings):
    e = enquiry_with_contact(session, make_company, settings)
    ole = session.exec(select(Contact).where(Contact.name == "Ole Olsen")).one()
    login_as("staff", HILLEROD)
    url = f"/henvendelser/{e.id}/aktivitet"
    page = client.get(url).get_data(as_text=True)
    assert "Spørger til jobrotation for to svende" in page                          # the text as summary
    assert re.search(r'<option selected value="call">|<option value="call" selected', page)  # phone → call
    assert re.search(rf'<option selected value="{ole.id}">|<option value="{ole.id}" selected', page)
    r = post_form(client, url, {"kind": "call", "day": page_day(page), "contact": str(ole.id),
                                "summary": "Spørger til jobrotation for to svende", "outcome": "Sender materiale",
                                "version": str(e.version)})
    assert r.status_code == 302, r.get_data(as_text=True)
    session.expire_all()
    e = session.get(Enquiry, e.id)
    activity = session.get(Activity, e.activity_id)
    assert e.status == EnquiryStatus.converted and e.first_response_at is not None
    assert (activity.company_id, activity.kind, activity.contact_id) == (e.company_id, "call", ole.id)
    assert activity.centre_id == e.lead_centre_id and activity.outcome == "Sender materiale"
    enquiry_page = client.get(f"/henvendelser/{e.id}").get_data(as_text=True)
    assert 'data-testid="activity-link"' in enquiry_page
    company_page = client.get(f"/virksomheder/{e.company_id}").get_data(as_text=True)
    assert "Spørger til jobrotation for to svende" in company_page
    activity_page = client.get(f"/aktiviteter/{activity.id}/ret").get_data(as_text=True)
    assert f'href="/henvendelser/{e.id}"' in activity_page
    # converted: it cannot be converted again
    again = post_form(client, url, {"kind": "call", "day": page_day(page), "contact": "0", "summary": "Igen",
                                    "version": str(e.version)})
    assert again.status_code == 400 and "Henvendelsen er afsluttet." in again.get_data(as_text=True)
    assert len(session.exec(select(Activity)).all()) == 1


def page_day(page: str) -> str:
    return re.search(r'name="day"[^>]*value="([^"]+)"', page).group(1)


def test_a_cpr_number_in_the_summary_is_refused_next_to_the_field(client, login_as, session, make_company,
                                                                   settings):
    e = enquiry_with_contact(session, make_company, settings)
    login_as("staff", HILLEROD)
    url = f"/henvendelser/{e.id}/aktivitet"
    day = page_day(client.get(url).get_data(as_text=True))
    r = post_form(client, url, {"kind": "call", "day": day, "contact": "0", "summary": "Borgeren 010190-1234",
                                "version": str(e.version)})
    assert r.status_code == 400 and "CPR-nummer" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(Enquiry, e.id).status == EnquiryStatus.new
    assert session.exec(select(Activity)).all() == []


def test_another_centres_consultant_may_not_convert_it(client, login_as, session, make_company, settings):
    e = enquiry_with_contact(session, make_company, settings)
    login_as("staff", ALLEROD)
    r = post_form(client, f"/henvendelser/{e.id}/aktivitet",
                  {"kind": "call", "day": "01-03-2016", "contact": "0", "summary": "x", "version": str(e.version)},
                  form_url=f"/henvendelser/{e.id}")
    assert r.status_code == 403


def test_the_channel_decides_the_kind(session, make_company, settings):
    company = make_company(municipality_code=HILLEROD)
    kinds = {}
    for channel in ("phone", "mailbox", "web", "visit", "jobservice", "centre"):
        e = services.create_enquiry(session, by=None, channel=channel, company=company, text="Hej", settings=settings)
        kinds[channel] = services.activity_defaults(session, e)["kind"].value
    assert kinds == {"phone": "call", "mailbox": "email", "web": "email", "visit": "visit", "jobservice": "note",
                     "centre": "note"}
