from __future__ import annotations


def test_privacy_pages_are_linked_for_those_who_may_use_them(client, login_as, make_company, session):
    from nrs.companies.models import Contact

    company = make_company()
    contact = Contact(company_id=company.id, name="Kim Kontakt", email="kim@firma.test")
    session.add(contact)
    session.commit()
    login_as("coordinator", centre=201)
    page = client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    assert f"/persondata/kontakter/{contact.id}" in page


def test_admin_area_links_to_the_access_log(client, login_as):
    login_as("admin")
    assert "/persondata/adgangslog" in client.get("/admin/brugere").get_data(as_text=True)
