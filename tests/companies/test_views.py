"""The company pages through the browser's front door: search, lead, contact person, access."""

from __future__ import annotations

import re

from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.companies.models import Company, Contact
from tests.conftest import post_form


def reload(session, company) -> Company:
    session.expire_all()
    return session.get(Company, company.id)


def listed(client, query: str) -> str:
    """The list for ``query``; an empty one is the unfiltered list (a bare URL would restore the last filters)."""
    response = client.get(f"/virksomheder/?{query or 'status=active'}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_ignores_case_and_accents(client, login_as, make_company):
    login_as("staff")
    make_company(name="Ølstykke Entreprise I/S", municipality_code=240)
    make_company(name="Hørsholm Ålekro ApS", municipality_code=223)
    make_company(name="Kronborg Byggeri A/S")
    html = listed(client, "q=olstykke")
    assert "Ølstykke Entreprise I/S" in html and "Kronborg" not in html
    assert "Ølstykke Entreprise" in listed(client, "q=%C3%98LSTYKKE")
    assert "Ølstykke Entreprise" in listed(client, "q=oelstykke")
    html = listed(client, "q=aalekro")
    assert "Hørsholm Ålekro ApS" in html and "Ølstykke" not in html
    assert "Hørsholm Ålekro" in listed(client, "q=horsholm")


def test_filters_and_protected_flag(client, login_as, make_company, centre_by_code):
    login_as("staff")
    build = make_company(name="Byg Et ApS", industry_code="412000", employees=(20, 49))
    make_company(name="Vognmand To ApS", industry_code="494100", employees=(2, 4), advertising_protected=True)
    make_company(name="Brunkul Tre ApS", industry_code="052000", employees=None, municipality_code=190)
    ceased = make_company(name="Lukket Fire ApS", active=False)
    html = listed(client, "industry=41")
    assert "Byg Et" in html and "Vognmand" not in html
    html = listed(client, "industry=05")
    assert "Brunkul" in html and "Byg Et" not in html
    html = listed(client, "industry=49")
    assert "Vognmand To" in html and "Reklamebeskyttet" in html
    html = listed(client, "min_employees=5")
    assert "Byg Et" in html and "Vognmand" not in html and "Brunkul" not in html
    assert "Brunkul" in listed(client, "lead=none") and "Byg Et" not in listed(client, "lead=none")
    assert "Brunkul" in listed(client, "municipality=190") and "Byg Et" not in listed(client, "municipality=190")
    assert "Lukket Fire" not in listed(client, "") and "Lukket Fire" in listed(client, "status=ceased")
    html = listed(client, "protected=yes")
    assert "Vognmand To" in html and "Byg Et" not in html
    assert "Byg Et" in listed(client, f"cvr={build.cvr}") and "Vognmand" not in listed(client, f"cvr={build.cvr}")
    assert "Lukket" in listed(client, f"status=all&lead={centre_by_code(201).id}&cvr={ceased.cvr}")
    html = listed(client, "sort=employees&desc=1&status=all")
    assert html.index("Byg Et") < html.index("Vognmand To")


def test_list_is_paginated(client, login_as, make_company):
    login_as("staff")
    for i in range(55):
        make_company(name=f"Firma {i:02d} ApS")
    html = listed(client, "")
    assert "55 virksomheder" in html and "Side 1 af 2" in html and "Firma 49" in html and "Firma 50" not in html
    assert "Firma 54" in listed(client, "page=2")


def test_manual_create_has_the_import_rules(client, login_as, session, centre_by_code):
    login_as("staff", centre=219)
    base = {"cvr": "81167192", "name": "Ny Virksomhed ApS", "municipality_code": "0219", "industry_code": "412000",
            "employees": "5-9", "active": "y"}
    bad = post_form(client, "/virksomheder/ny", {**base, "cvr": "81167193", "municipality_code": "999",
                                               "industry_code": "41200"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "forkert kontrolciffer" in html
    assert "999 er ikke en kendt kommunekode" in html
    assert "Branchekoden skal være 6 cifre" in html
    assert session.exec(select(Company)).first() is None
    good = post_form(client, "/virksomheder/ny", base)
    assert good.status_code == 302
    company = session.exec(select(Company)).one()
    assert company.lead_centre_id == centre_by_code(219).id and company.source.value == "manual"
    assert (company.employees_min, company.employees_max) == (5, 9)
    again = post_form(client, "/virksomheder/ny", base)
    assert again.status_code == 400 and "Der findes allerede" in again.get_data(as_text=True)


def test_stale_edit_is_refused(client, login_as, make_company, session):
    login_as("staff")
    company = make_company(name="Gammelt Navn ApS")
    form = client.get(f"/virksomheder/{company.id}/ret").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    data = {"name": "Første ApS", "municipality_code": "201", "industry_code": "412000", "version": version}
    assert post_form(client, f"/virksomheder/{company.id}/ret", data).status_code == 302
    second = post_form(client, f"/virksomheder/{company.id}/ret", {**data, "name": "Anden ApS"})
    assert second.status_code == 409
    assert "ændret i mellemtiden" in second.get_data(as_text=True)
    assert reload(session, company).name == "Første ApS"


def test_override_needs_reason_and_survives_import(client, login_as, make_company, session, centre_by_code,
                                                    cli_run, tmp_path):
    coordinator = login_as("coordinator", centre=201)
    company = make_company(name="Tovholder ApS")
    hillerod = centre_by_code(219).id
    no_reason = post_form(client, f"/virksomheder/{company.id}/ledende", {"centre": hillerod, "reason": ""},
                          form_url=f"/virksomheder/{company.id}")
    assert no_reason.status_code == 400 and reload(session, company).lead_centre_id == centre_by_code(201).id
    assert "Skriv hvorfor det ledende jobcenter ændres." in no_reason.get_data(as_text=True)
    ok = post_form(client, f"/virksomheder/{company.id}/ledende",
                   {"centre": hillerod, "reason": "Aftalt med Hillerød: hovedkontoret ligger der"},
                   form_url=f"/virksomheder/{company.id}")
    assert ok.status_code == 302
    company = reload(session, company)
    assert company.lead_centre_id == hillerod and company.lead_override
    assert company.lead_override_by_id == coordinator.id and company.lead_override_at is not None
    page = client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    assert "Aftalt med Hillerød" in page and "Jobcenter Hillerød" in page
    # A later CVR file moves the company to Egedal: the data follows, the agreed lead stays.
    path = tmp_path / "move.csv"
    path.write_text(f"cvr;name;municipality_code;industry_code\n{company.cvr};Tovholder ApS;240;412000\n")
    assert cli_run("companies", "import", str(path)).exit_code == 0
    company = reload(session, company)
    assert company.municipality_code == 240 and company.lead_centre_id == hillerod


def test_moving_company_changes_lead_and_asks_for_contact(client, login_as, make_user, make_company, session,
                                                           centre_by_code, cli_run, tmp_path):
    allerod_staff = make_user("staff", centre=201)
    company = make_company(name="Flytter ApS", contact_user_id=allerod_staff.id)
    path = tmp_path / "move.csv"
    path.write_text(f"cvr;name;municipality_code;industry_code\n{company.cvr};Flytter ApS;0219;412000\n")
    result = cli_run("companies", "import", str(path))
    assert result.exit_code == 0 and "1 changed" in result.output
    company = reload(session, company)
    assert company.lead_centre_id == centre_by_code(219).id and company.contact_user_id is None
    moves = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(company.id),
                                                  AuditEvent.action == "move")).all()
    assert len(moves) == 1 and moves[0].changes["municipality_code"] == [201, 219]
    # Hillerød's coordinator sees it on the front page and picks one of Hillerød's staff.
    login_as("coordinator", centre=219)
    front = client.get("/").get_data(as_text=True)
    assert "Skal have en ny kontaktperson" in front and "Flytter ApS" in front
    page = client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    assert 'data-action="move"' in page and "Flyttet til en anden kommune" in page  # the company's history
    # ... in words (the timeline): names, not codes or ids
    assert "Kommune ændret fra Allerød til Hillerød" in page
    assert "Ledende jobcenter ændret fra Jobcenter Allerød til Jobcenter Hillerød" in page
    wrong = post_form(client, f"/virksomheder/{company.id}/kontaktperson", {"user": allerod_staff.id},
                      form_url=f"/virksomheder/{company.id}")
    assert wrong.status_code == 400
    hillerod_staff = make_user("staff", centre=219, name="Hanne Hillerød")
    ok = post_form(client, f"/virksomheder/{company.id}/kontaktperson", {"user": hillerod_staff.id},
                   form_url=f"/virksomheder/{company.id}")
    assert ok.status_code == 302
    assert reload(session, company).contact_user_id == hillerod_staff.id
    assert "Hanne Hillerød" in client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    assert "Flytter ApS" not in client.get("/").get_data(as_text=True)


def test_company_without_lead_is_one_click_from_front_page(client, login_as, make_company, session, centre_by_code):
    company = make_company(name="Farum Fragt ApS", municipality_code=190)
    login_as("staff")
    front = client.get("/").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="without-lead"', front).group(1).replace("&amp;", "&")
    assert "Farum Fragt ApS" in client.get(link).get_data(as_text=True)
    assert client.get(f"/virksomheder/{company.id}/ret").status_code == 403
    client.post("/log-ud", data={})
    login_as("coordinator", centre=210)
    ok = post_form(client, f"/virksomheder/{company.id}/ledende",
                   {"centre": centre_by_code(210).id, "reason": "Filial i Fredensborg"},
                   form_url=f"/virksomheder/{company.id}")
    assert ok.status_code == 302
    assert reload(session, company).lead_centre_id == centre_by_code(210).id


def test_staff_change_only_their_own_centres_companies(client, login_as, make_company, centre_by_code):
    company = make_company()  # Allerød leads
    login_as("staff", centre=210)
    assert client.get(f"/virksomheder/{company.id}").status_code == 200
    assert client.get(f"/virksomheder/{company.id}/ret").status_code == 403
    assert client.get(f"/virksomheder/{company.id}/kontakter/ny").status_code == 403
    token_page = f"/virksomheder/{company.id}"
    assert post_form(client, f"/virksomheder/{company.id}/ledende", {"centre": centre_by_code(210).id, "reason": "x"},
                     form_url=token_page).status_code == 403


def test_other_centres_coordinator_cannot_override_but_admin_can(client, login_as, make_company, centre_by_code):
    company = make_company()
    login_as("coordinator", centre=210)
    data = {"centre": centre_by_code(210).id, "reason": "Aftalt"}
    assert post_form(client, f"/virksomheder/{company.id}/ledende", data, form_url=f"/virksomheder/{company.id}").status_code == 403
    client.post("/log-ud", data={})
    login_as("admin", centre=219)
    assert post_form(client, f"/virksomheder/{company.id}/ledende", data, form_url=f"/virksomheder/{company.id}").status_code == 302


def test_contacts_can_be_added_edited_and_deleted(client, login_as, make_company, session):
    login_as("staff")
    company = make_company()
    bad = post_form(client, f"/virksomheder/{company.id}/kontakter/ny", {"name": "Ole", "email": "ikke-mail"})
    assert bad.status_code == 400
    assert post_form(client, f"/virksomheder/{company.id}/kontakter/ny",
                     {"name": "Ole Olsen", "role": "Direktør", "email": "ole@firma.dk"}).status_code == 302
    contact = session.exec(select(Contact)).one()
    assert post_form(client, f"/virksomheder/{company.id}/kontakter/{contact.id}",
                     {"name": "Ole Olsen", "role": "Indehaver", "email": "", "version": str(contact.version)}
                     ).status_code == 302
    page = client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    assert "Indehaver" in page and "Kontakt rettet" in page and "Stilling ændret fra Direktør til Indehaver" in page
    assert post_form(client, f"/virksomheder/{company.id}/kontakter/{contact.id}/slet", {"confirm": "1"},
                     form_url=f"/virksomheder/{company.id}").status_code == 302
    session.expire_all()
    assert session.exec(select(Contact)).first() is None


def test_manual_edit_to_another_municipality_moves_the_lead(client, login_as, make_company, session, centre_by_code):
    login_as("staff", centre=201)
    company = make_company(name="Egen Flytning ApS")
    data = {"name": "Egen Flytning ApS", "municipality_code": "250", "industry_code": "412000",
            "version": str(company.version)}
    assert post_form(client, f"/virksomheder/{company.id}/ret", data).status_code == 302
    company = reload(session, company)
    assert company.municipality_code == 250 and company.lead_centre_id == centre_by_code(250).id
    # Allerød's staff no longer lead it, so may no longer change it.
    assert client.get(f"/virksomheder/{company.id}/ret").status_code == 403


def test_cvr_number_typed_in_the_name_box_finds_the_company(client, login_as, make_company):
    login_as("staff")
    company = make_company(name="Nummerfirma ApS")
    assert "Nummerfirma ApS" in listed(client, f"q={company.cvr}")


def test_saving_the_edit_form_unchanged_keeps_an_open_ended_employee_range(client, login_as, make_company, session):
    """The form shows the range as the pages do ("1000+ ansatte"); saving it must read it back."""
    login_as("staff", centre=201)
    company = make_company(name="Stor Virksomhed A/S", employees=(1000, None))
    form = client.get(f"/virksomheder/{company.id}/ret").get_data(as_text=True)
    shown = re.search(r'name="employees"[^>]*value="([^"]*)"', form).group(1)
    data = {"name": "Stor Virksomhed A/S", "municipality_code": "201", "industry_code": "412000",
            "employees": shown, "version": str(company.version)}
    response = post_form(client, f"/virksomheder/{company.id}/ret", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    company = reload(session, company)
    assert (company.employees_min, company.employees_max) == (1000, None)
