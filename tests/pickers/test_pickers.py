"""The pickers (issue 18 item 1): the company type-ahead and its no-JS search step, the user picker,
the agreement select of the chosen company, and "Opret ny virksomhed" from a picker."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from nrs.agreements.models import AgreementKind
from nrs.auth.models import User
from nrs.clock import today
from nrs.joborders.models import JobOrder
from tests.conftest import post_form

ORDER = {"title": "Tømrer", "positions": "1", "channel": "shared_phone", "lead_centre_id": "",
         "contact_user_id": "", "agreement_id": ""}


def order(**kw) -> dict:
    return {**ORDER, "received_on": today().strftime("%d-%m-%Y"), **kw}


def typeahead(client, q: str) -> list[dict]:
    response = client.get("/opslag/virksomheder", query_string={"q": q})
    assert response.status_code == 200 and response.is_json
    return response.get_json()["items"]


def select_html(html: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)


def test_typeahead_finds_by_name_cvr_and_address(client, login_as, make_company):
    login_as("staff")
    bakery = make_company(name="Allerød Bageri ApS", address="Kongevejen 12", city="Allerød")
    make_company(name="Kronborg Service I/S", address="Havnegade 3", municipality_code=217)
    by_name = typeahead(client, "allerod bageri")
    assert [row["name"] for row in by_name] == ["Allerød Bageri ApS"]
    assert by_name[0]["cvr"] == bakery.cvr and by_name[0]["municipality"] == "Allerød"
    assert "Kongevejen 12" in by_name[0]["address"]
    assert [row["id"] for row in typeahead(client, bakery.cvr)] == [bakery.id]
    assert bakery.id in [row["id"] for row in typeahead(client, bakery.cvr[:5])]  # a CVR number begun
    assert [row["name"] for row in typeahead(client, "kongevejen 1")] == ["Allerød Bageri ApS"]
    assert typeahead(client, "") == []


def test_typeahead_returns_at_most_ten(client, login_as, make_company):
    login_as("staff")
    for n in range(12):
        make_company(name=f"Mange Maler {n:02d} ApS")
    assert len(typeahead(client, "mange maler")) == 10


def test_typeahead_needs_a_login(client, make_company):
    make_company(name="Hemmelig ApS")
    assert client.get("/opslag/virksomheder?q=hemmelig").status_code in (302, 401)


def test_without_javascript_the_search_step_lists_matches_to_pick(client, session, login_as, make_company):
    login_as("staff", 201)
    first = make_company(name="Kronborg Service I/S", address="Havnegade 3")
    second = make_company(name="Kronborg Service I/S", address="Strandvejen 9", municipality_code=217)
    step = post_form(client, "/jobordrer/ny", order(cvr="kronborg service", cvr_search="1", title=""),
                     form_url="/jobordrer/ny")
    html = step.get_data(as_text=True)
    assert step.status_code == 200  # a search step, not a failed save: no field errors yet
    assert "Stillingsbetegnelse skal udfyldes." not in html
    picks = re.findall(r'<input type="radio" name="cvr_pick" value="(\d+)">', html)
    assert sorted(map(int, picks)) == sorted([first.id, second.id])
    assert "Havnegade 3" in html and "Strandvejen 9" in html  # two of the same name differ
    saved = post_form(client, "/jobordrer/ny", order(cvr="kronborg service", cvr_pick=str(second.id)),
                      form_url="/jobordrer/ny")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert session.exec(select(JobOrder)).one().company_id == second.id


def test_a_name_without_a_pick_is_not_saved(client, session, login_as, make_company):
    login_as("staff", 201)
    make_company(name="Kronborg Service I/S")
    make_company(name="Kronborg Service I/S")
    response = post_form(client, "/jobordrer/ny", order(cvr="kronborg"), form_url="/jobordrer/ny")
    assert response.status_code == 400
    assert "Vælg virksomheden på listen." in response.get_data(as_text=True)
    response = post_form(client, "/jobordrer/ny", order(cvr="findes slet ikke"), form_url="/jobordrer/ny")
    assert "Ingen virksomhed i NRS passer til »findes slet ikke«." in response.get_data(as_text=True)
    assert session.exec(select(JobOrder)).all() == []


def test_a_single_cvr_match_is_taken_directly_and_its_agreements_offered(
        client, login_as, make_company, make_agreement):
    login_as("staff", 201)
    company = make_company(name="Hillerød Vognmand A/S")
    other = make_company(name="Anden ApS")
    make_agreement(company, kind=AgreementKind.cooperation, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    make_agreement(other, kind=AgreementKind.cooperation, valid_from=date(2025, 1, 1))
    before = client.get("/jobordrer/ny").get_data(as_text=True)
    assert select_html(before, "agreement_id").count("<option") == 1  # nothing before a company is chosen
    step = post_form(client, "/jobordrer/ny", order(cvr=company.cvr, cvr_search="1"), form_url="/jobordrer/ny")
    html = step.get_data(as_text=True)
    assert 'data-testid="picker-chosen"' in html and 'name="cvr_pick"' not in html
    agreements = select_html(html, "agreement_id")
    assert "Samarbejdsaftale 01-01-2026–31-12-2026" in agreements
    assert agreements.count("<option") == 2  # the blank and this company's one; not the other's


def test_agreements_of_a_company_as_json(client, login_as, make_company, make_agreement):
    login_as("staff")
    company = make_company()
    make_agreement(company, kind=AgreementKind.cooperation, valid_from=date(2026, 1, 1))
    make_agreement(make_company())
    items = client.get(f"/opslag/virksomheder/{company.id}/aftaler").get_json()["items"]
    assert [item["label"] for item in items] == ["Samarbejdsaftale fra 01-01-2026"]


def test_the_user_picker_offers_only_the_own_centres_staff(client, login_as, make_user, session):
    me = login_as("staff", 201)
    mine = make_user("staff", 201, name="Lars Jørgensen")
    theirs = make_user("staff", 217, name="Lars Jørgensen")
    for _ in range(3):
        make_user("staff", 219)
    html = client.get("/jobordrer/ny").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', select_html(html, "contact_user_id"))
    own = {u.id for u in session.exec(select(User).where(User.job_centre_id == me.job_centre_id,
                                                          User.active.is_(True)))}
    assert set(map(int, options)) == own and mine.id in own and theirs.id not in own
    assert "Lars Jørgensen (Jobcenter Allerød)" in html
    step = post_form(client, "/jobordrer/ny", order(contact_user_id_q="lars", contact_user_id_search="1"),
                     form_url="/jobordrer/ny")
    picker = select_html(step.get_data(as_text=True), "contact_user_id")
    assert f'value="{theirs.id}"' in picker and "Lars Jørgensen (Jobcenter Helsingør)" in picker
    found = client.get("/opslag/brugere?q=lars").get_json()["items"]
    assert sorted(item["label"] for item in found) == ["Lars Jørgensen (Jobcenter Allerød)", "Lars Jørgensen (Jobcenter Helsingør)"]


def test_a_user_of_another_centre_can_be_chosen(client, session, login_as, make_user, make_company):
    login_as("staff", 201)
    theirs = make_user("staff", 217, name="Hanne Hansen")
    company = make_company()
    response = post_form(client, "/jobordrer/ny", order(cvr=company.cvr, contact_user_id=str(theirs.id)),
                         form_url="/jobordrer/ny")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert session.exec(select(JobOrder)).one().contact_user_id == theirs.id
    bad = post_form(client, "/jobordrer/ny", order(cvr=company.cvr, contact_user_id="999999"),
                    form_url="/jobordrer/ny")
    assert bad.status_code == 400 and "Medarbejderen findes ikke i NRS. Vælg en på listen." in bad.get_data(as_text=True)


def test_create_a_company_from_the_picker_and_come_back(client, session, login_as):
    login_as("staff", 201)
    step = post_form(client, "/jobordrer/ny", order(cvr="Nyt Firma", cvr_search="1"), form_url="/jobordrer/ny")
    link = re.search(r'<a href="([^"]+)" data-picker-create>', step.get_data(as_text=True)).group(1)
    link = link.replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert 'value="Nyt Firma"' in form
    created = post_form(client, link, {"cvr": "81167192", "name": "Nyt Firma ApS", "municipality_code": "201",
                                       "industry_code": "412000"})
    assert created.status_code == 302
    back = created.headers["Location"]
    assert back.startswith("/jobordrer/ny?company=")
    assert 'data-testid="picker-chosen"' in client.get(back).get_data(as_text=True)


def test_the_required_company_is_marked(client, login_as):
    login_as("staff")
    html = client.get("/jobordrer/ny").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="cvr"[^>]*aria-required="true"', html, re.S)


def test_the_agreement_and_enquiry_forms_pick_a_company_by_name(client, session, login_as, make_company):
    from nrs.agreements.models import Agreement
    from nrs.enquiries.models import Enquiry

    login_as("staff", 201)
    company = make_company(name="Allerød Bageri ApS", municipality_code=201)
    step = post_form(client, "/aftaler/ny", {"cvr": "allerod bageri", "cvr_search": "1"},
                     form_url="/aftaler/ny")
    assert step.status_code == 200 and f'name="cvr_pick" value="{company.id}"' in step.get_data(as_text=True)
    saved = post_form(client, "/aftaler/ny", {"cvr": "allerod bageri", "cvr_pick": str(company.id),
                                                  "kind": "cooperation", "valid_from": "01-01-2026"},
                      form_url="/aftaler/ny")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert session.exec(select(Agreement)).one().company_id == company.id
    saved = post_form(client, "/henvendelser/ny", {"channel": "phone", "subject": "other", "text": "Ring tilbage",
                                                    "cvr": "allerod bageri", "cvr_pick": str(company.id)},
                      form_url="/henvendelser/ny")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert session.exec(select(Enquiry)).one().company_id == company.id
