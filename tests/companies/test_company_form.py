"""The company create/edit form (issue 18 item 5): CVR length, municipality select, duplicate link, bands in words."""

from __future__ import annotations

import re

from sqlmodel import select

from nrs.companies.models import Company
from nrs.municipalities.models import NRS_MUNICIPALITIES
from tests.conftest import post_form

BASE = {"cvr": "81167192", "name": "Ny Virksomhed ApS", "municipality_code": "219", "industry_code": "412000",
        "employees": "5-9", "active": "y"}


def test_a_pasted_nine_digit_cvr_is_refused_not_cut(client, login_as, session):
    login_as("staff")
    html = client.get("/virksomheder/ny").get_data(as_text=True)
    cvr_input = re.search(r'<input[^>]*name="cvr"[^>]*>', html).group(0)
    assert "maxlength" not in cvr_input  # a browser would cut 811671921 to 81167192, another valid number
    response = post_form(client, "/virksomheder/ny", {**BASE, "cvr": "811671921"})
    assert response.status_code == 400
    assert "CVR-nummeret skal være 8 cifre." in response.get_data(as_text=True)
    assert session.exec(select(Company)).first() is None


def test_municipality_is_a_select_with_the_nine_first(client, login_as, session):
    login_as("staff")
    html = client.get("/virksomheder/ny").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="municipality_code".*?</select>', html, re.S).group(0)
    codes = re.findall(r'<option[^>]*value="(\d+)"', select_html)
    assert {int(c) for c in codes[:9]} == set(NRS_MUNICIPALITIES)
    assert len(codes) > 90 and "101" in codes[9:]  # København among the rest
    assert "Allerød (201)" in select_html
    response = post_form(client, "/virksomheder/ny", {**BASE, "municipality_code": "201"})
    assert response.status_code == 302
    assert session.exec(select(Company)).one().municipality_code == 201


def test_edit_form_selects_the_saved_municipality(client, login_as, make_company):
    login_as("staff", centre=223)
    company = make_company(name="Hørsholm Is ApS", municipality_code=223)
    html = client.get(f"/virksomheder/{company.id}/ret").get_data(as_text=True)
    assert re.search(r'<option selected value="223"|<option value="223" selected', html)


def test_the_duplicate_cvr_error_links_to_the_existing_company(client, login_as, make_company):
    login_as("staff")
    existing = make_company(name="Kronborg Service I/S", cvr="81167192")
    response = post_form(client, "/virksomheder/ny", BASE)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    link = re.search(r'<a href="([^"]+)" data-testid="duplicate">([^<]+)</a>', html)
    assert link and link.group(2) == "Kronborg Service I/S"
    assert client.get(link.group(1)).status_code == 200
    assert link.group(1).endswith(f"/{existing.id}")


def test_employee_bands_are_words_never_a_code(client, login_as, make_company):
    login_as("staff")
    company = make_company(name="Bånd ApS", employees=(5, 9), municipality_code=201)
    html = client.get(f"/virksomheder/{company.id}/ret").get_data(as_text=True)
    assert 'value="5–9 ansatte"' in html
    response = post_form(client, "/virksomheder/ny", {**BASE, "employees": "mange"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "ANTAL_" not in html
    assert "Skriv antal ansatte som et tal (12) eller et interval (5-9)." in html
