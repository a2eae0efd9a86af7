from __future__ import annotations

import csv
import io
import json

from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.companies.models import Contact
from nrs.privacy.models import AccessLogEntry
from tests.conftest import post_form
from tests.privacy.helpers import make_company_row


def _still_there(session, contact_id):
    return session.exec(select(Contact).where(Contact.id == contact_id)).first()


def _contact(session, centre_by_code, centre=201):
    from nrs.companies import services as companies

    company = make_company_row(session, centre_id=centre_by_code(centre).id)
    contact = companies.add_contact(session, company, by=None, values={
        "name": "Mette Hansen", "role": "HR-chef", "phone": "+45 11 11 11 11", "email": "mette@byg.test"})
    companies.update_contact(session, contact, by=None, version=contact.version, values={
        "name": "Mette Hansen", "role": "HR-chef", "phone": "+45 48 10 00 00", "email": "mette@byg.test"})
    session.commit()
    return company, contact


def test_coordinator_exports_everything_about_a_contact_as_json_and_csv(client, login_as, session, centre_by_code):
    coordinator = login_as("coordinator", centre=219)  # another centre may answer a request too
    company, contact = _contact(session, centre_by_code)

    response = client.get(f"/persondata/kontakter/{contact.id}/eksport?fmt=json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["contact"]["email"] == "mette@byg.test"
    assert data["company"]["cvr"] == company.cvr
    assert [e["action"] for e in data["history"]] == ["contact_added", "contact_updated"]
    assert data["history"][1]["changes"]["phone"] == ["+45 11 11 11 11", "+45 48 10 00 00"]

    response = client.get(f"/persondata/kontakter/{contact.id}/eksport?fmt=csv")
    rows = dict(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows["kontaktperson.name"] == "Mette Hansen"
    assert rows["kontaktperson.phone"] == "'+45 48 10 00 00"

    logged = session.exec(select(AccessLogEntry).where(AccessLogEntry.entity_type == "contact")).all()
    assert {(e.user_id, e.action, e.entity_id) for e in logged} == {(coordinator.id, "export", str(contact.id))}


def test_erasure_removes_the_contact_and_its_values_from_history(client, login_as, session, centre_by_code):
    coordinator = login_as("coordinator", centre=201)
    company, contact = _contact(session, centre_by_code)
    page = client.get(f"/persondata/kontakter/{contact.id}").get_data(as_text=True)
    assert "Mette Hansen" in page

    response = post_form(client, f"/persondata/kontakter/{contact.id}/slet", {"reason": "Anmodning 03-05-2016"},
                         form_url=f"/persondata/kontakter/{contact.id}")
    assert response.status_code == 302
    assert _still_there(session, contact.id) is None
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type.in_(["contact", "company"]))).all()
    text = json.dumps([e.changes for e in events]) + " ".join(e.note for e in events)
    assert "+45" not in text and "Mette" not in text and "mette@" not in text
    erase = [e for e in events if e.action == "erase"]
    assert len(erase) == 1 and erase[0].user_id == coordinator.id and erase[0].note == "Anmodning 03-05-2016"
    # The erase page still finds the history, by the contact's id, without the values.
    page = client.get(f"/persondata/kontakter/{contact.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Mette" not in html and "+45" not in html and "Anmodning 03-05-2016" in html


def test_erasure_needs_a_reason_and_writes_nothing_without_one(client, login_as, session, centre_by_code):
    login_as("coordinator", centre=201)
    _company, contact = _contact(session, centre_by_code)
    response = post_form(client, f"/persondata/kontakter/{contact.id}/slet", {"reason": "  "},
                         form_url=f"/persondata/kontakter/{contact.id}")
    assert response.status_code == 400
    assert _still_there(session, contact.id) is not None
    assert not session.exec(select(AuditEvent).where(AuditEvent.action == "erase")).all()


def test_only_the_lead_centres_coordinator_erases(client, login_as, session, centre_by_code):
    login_as("coordinator", centre=210)
    _company, contact = _contact(session, centre_by_code, centre=201)
    response = post_form(client, f"/persondata/kontakter/{contact.id}/slet", {"reason": "Anmodning"},
                         form_url=f"/persondata/kontakter/{contact.id}")
    assert response.status_code == 403
    assert _still_there(session, contact.id) is not None


def test_staff_cannot_export_or_erase(client, login_as, session, centre_by_code):
    login_as("staff", centre=201)
    _company, contact = _contact(session, centre_by_code)
    assert client.get(f"/persondata/kontakter/{contact.id}/eksport").status_code == 403
    assert client.get(f"/persondata/kontakter/{contact.id}").status_code == 403


def test_deleting_a_contact_leaves_no_name_or_phone_in_audit_rows(client, login_as, session, centre_by_code):
    staff = login_as("staff", centre=201)
    company, contact = _contact(session, centre_by_code)
    response = post_form(client, f"/virksomheder/{company.id}/kontakter/{contact.id}/slet", {"confirm": "1"},
                         form_url=f"/virksomheder/{company.id}")
    assert response.status_code == 302
    assert _still_there(session, contact.id) is None
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    text = json.dumps([e.changes for e in events], ensure_ascii=False) + " ".join(e.note for e in events)
    assert "Mette" not in text and "+45" not in text and "mette@" not in text and "HR-chef" not in text
    about = [e for e in events if e.note == f"contact {contact.id}"]
    assert [e.action for e in about] == ["contact_added", "contact_updated", "contact_deleted"]
    assert about[-1].user_id == staff.id
    assert set(about[-1].changes) == {"name", "role", "phone", "email"}  # which fields went, not their values
    company_page = client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    assert "Mette" not in company_page and "+45 48" not in company_page


def test_the_erase_page_lists_a_deleted_contacts_pseudonymised_history(client, login_as, session, centre_by_code,
                                                                       make_user):
    company, contact = _contact(session, centre_by_code)
    deleter = make_user(role="staff", centre=201, name="Søren Sletter")
    from nrs.companies import services as companies

    companies.delete_contact(session, contact, by=deleter)
    session.commit()
    login_as("coordinator", centre=219)
    page = client.get(f"/persondata/kontakter/{contact.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Søren Sletter" in html and "[slettet]" in html
    assert html.count('data-testid="erased-event"') == 3
    assert "Mette" not in html and "+45" not in html
    assert 'data-testid="contact-erase"' not in html  # nothing left to erase
    assert client.get("/persondata/kontakter/999999").status_code == 404
