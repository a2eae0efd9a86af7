"""Through the browser: log, refer, close filled, the front page moves, the history shows each step."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlmodel import select

from nrs.clock import today
from nrs.joborders.models import JobOrder, Referral
from nrs.privacy.models import AccessLogEntry
from tests.conftest import login, post_form


def figure(html: str, centre: str, key: str) -> int:
    row = re.search(rf'<tr data-centre="{centre}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return int(re.search(rf'data-key="{key}">(\d+)<', row).group(1))


def test_log_refer_fill_and_the_front_page_follows(app, client, session, make_company, make_user, login_as):
    company = make_company(municipality_code=201, name="Allerød Byg ApS")
    colleague = make_user("staff", 217, name="Hanne fra Helsingør")
    lead = login_as("staff", 201)
    front = client.get("/").get_data(as_text=True)
    assert front.index('data-testid="status-panel"') < front.index('data-testid="centres"')
    before = (figure(front, "NRS", "orders_received"), figure(front, "201", "orders_filled"))

    r = post_form(client, "/jobordrer/ny", {
        "cvr": company.cvr, "title": "Tømrer", "positions": "2", "received_on": today().strftime("%d-%m-%Y"),
        "channel": "shared_phone", "lead_centre_id": "", "contact_user_id": "", "agreement_id": "",
    })
    assert r.status_code == 302, r.get_data(as_text=True)
    order = session.exec(select(JobOrder)).one()
    url = f"/jobordrer/{order.id}"

    client.post("/log-ud", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                         client.get(url).get_data(as_text=True)).group(1)})
    assert login(client, colleague.email).status_code == 302
    r = post_form(client, f"{url}/henvisninger", {"referral-referred_on": today().strftime("%d-%m-%Y"),
                                                   "referral-case_reference": "HEL-2016-117",
                                                   "referral-outcome": "hired"}, form_url=url)
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "HEL-2016-117" in page and "Jobcenter Helsingør" in page
    assert f'action="/jobordrer/{order.id}/besat"' not in page  # not the lead: no close forms

    assert login(client, lead.email).status_code == 302
    page = client.get(url).get_data(as_text=True)
    # the hire defaults to the referral marked hired: Helsingør's candidate
    helsingor = session.exec(select(Referral)).one().referring_centre_id
    assert re.search(rf'name="fill-hires-0-centre_id"[^>]*>.*?<option selected value="{helsingor}"', page, re.S) \
        or re.search(rf'<option[^>]*value="{helsingor}"[^>]*selected', page)
    fill = {"fill-version": str(order.version), "fill-on_date": today().strftime("%d-%m-%Y"),
            "fill-hires-0-centre_id": str(helsingor), "fill-hires-0-hired_on": today().strftime("%d-%m-%Y"),
            "fill-hires-0-referral_id": ""}
    r = post_form(client, f"{url}/besat", fill, form_url=url)
    assert r.status_code == 400  # two positions, one hire: what happened to the other one?
    assert "Angiv hvad der skete med de 1 øvrige stillinger." in r.get_data(as_text=True)
    r = post_form(client, f"{url}/besat", {**fill, "fill-remaining": "company_withdrew"}, form_url=url)
    assert r.status_code == 302, r.get_data(as_text=True)

    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="state">Besat' in page
    history = re.search(r'data-testid="history">(.*?)</ol>', page, re.S).group(1)
    assert "Modtaget" in history and "Åben → Besat" in history
    front = client.get("/").get_data(as_text=True)
    assert figure(front, "NRS", "orders_received") == before[0] + 1
    assert figure(front, "201", "orders_filled") == before[1] + 1
    assert "ansat fra et andet jobcenter" in front


def test_invalid_order_form_rerenders_with_400_and_writes_nothing(client, session, make_company, login_as):
    login_as("staff", 201)
    r = post_form(client, "/jobordrer/ny", {"cvr": "12345678", "title": "", "positions": "0",
                                            "received_on": "31-02-2016", "channel": "visit"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "CVR-nummeret" in body and "Datoen 31-02-2016 findes ikke i kalenderen" in body
    assert session.exec(select(JobOrder)).all() == []


def test_cpr_in_a_referral_is_refused_with_an_explanation(client, session, make_job_order, login_as):
    order = make_job_order()
    login_as("staff", 250)
    url = f"/jobordrer/{order.id}"
    r = post_form(client, f"{url}/henvisninger", {"referral-referred_on": "10-03-2016",
                                                   "referral-case_reference": "120365-1234",
                                                   "referral-outcome": "referred"}, form_url=url)
    assert r.status_code == 400
    assert "Feltet må ikke indeholde et CPR-nummer. Brug jobcentrets sagsnummer." in r.get_data(as_text=True)
    assert session.exec(select(Referral)).all() == []


def test_illegal_step_is_refused_with_a_clear_message(client, session, make_job_order, login_as):
    order = make_job_order(state="filled")
    login_as("admin", 219)
    url = f"/jobordrer/{order.id}"
    r = post_form(client, f"{url}/pause", {"pause-version": str(order.version), "pause-on_date": "01-04-2016"},
                  form_url=url)
    assert r.status_code == 400
    assert "genåbnes" in r.get_data(as_text=True)


@pytest.mark.parametrize("role,centre,expected", [("staff", 201, 302), ("staff", 217, 403), ("admin", 219, 302)])
def test_only_lead_centre_staff_or_admin_close(client, make_job_order, login_as, role, centre, expected):
    order = make_job_order()
    login_as(role, centre)
    url = f"/jobordrer/{order.id}"
    r = post_form(client, f"{url}/ikke-besat", {"unfilled-version": str(order.version),
                                                "unfilled-on_date": "20-03-2016",
                                                "unfilled-unfilled_reason": "deadline_passed", "confirm": "1"},
                 form_url=url)
    assert r.status_code == expected


def test_coordinator_reopens_with_reason_staff_cannot(client, session, make_job_order, login_as):
    order = make_job_order(state="unfilled")
    url = f"/jobordrer/{order.id}"
    login_as("staff", 201)
    assert post_form(client, f"{url}/genaabn", {"reopen-version": str(order.version),
                                                "reopen-on_date": "01-04-2016", "reopen-reason": "x"},
                     form_url=url).status_code == 403
    login_as("coordinator", 201)
    r = post_form(client, f"{url}/genaabn", {"reopen-version": str(order.version), "reopen-on_date": "01-04-2016",
                                             "reopen-reason": ""}, form_url=url)
    assert r.status_code == 400 and "Skriv hvorfor" in r.get_data(as_text=True)
    r = post_form(client, f"{url}/genaabn", {"reopen-version": str(order.version), "reopen-on_date": "01-04-2016",
                                             "reopen-reason": "Virksomheden vil alligevel"}, form_url=url)
    assert r.status_code == 302
    assert session.get(JobOrder, order.id, populate_existing=True).state == "open"


def test_edit_with_an_old_version_is_told_who_changed_it(client, session, make_job_order, make_user, login_as):
    order = make_job_order()
    login_as("staff", 201)
    form_page = client.get(f"/jobordrer/{order.id}/ret").get_data(as_text=True)
    assert f'value="{order.version}"' in form_page
    other = make_user("staff", 201, name="Mette Madsen")
    from nrs.joborders import services

    with client.application.test_request_context():
        services.update_job_order(session, order, by=other, expected_version=order.version, title="Tømrersvend")
        session.commit()
    r = post_form(client, f"/jobordrer/{order.id}/ret", {
        "version": "1", "title": "Tømrer (2)", "positions": "1", "received_on": "01-03-2016", "channel": "visit",
        "lead_centre_id": "", "contact_user_id": "", "agreement_id": ""}, form_url=f"/jobordrer/{order.id}/ret")
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "ændret i mellemtiden (af Mette Madsen)" in body and "Tømrersvend" in body


def test_list_filters_sorts_and_exports(client, session, make_company, make_job_order, login_as, centre_by_code):
    a = make_company(municipality_code=201, name="Alfa Transport", industry_code="494100")
    b = make_company(municipality_code=217, name="Beta Byg", industry_code="412000")
    make_job_order(a, "open", title="Chauffør", received_on=date(2016, 1, 5))
    make_job_order(b, "filled", title="Murer", received_on=date(2016, 2, 5))
    make_job_order(b, "unfilled", title="Tømrer", received_on=date(2016, 3, 5))
    login_as("staff", 201)
    page = client.get("/jobordrer/?state=filled").get_data(as_text=True)
    assert "Murer" in page and "Chauffør" not in page
    page = client.get(f"/jobordrer/?centre={centre_by_code(217).id}&sort=received").get_data(as_text=True)
    assert page.index("Murer") < page.index("Tømrer") and "Chauffør" not in page
    page = client.get("/jobordrer/?from=01-02-2016&to=29-02-2016").get_data(as_text=True)
    assert "Murer" in page and "Tømrer" not in page
    r = client.get("/jobordrer/?format=csv&state=unfilled")
    text = r.data.decode("utf-8-sig")
    assert r.status_code == 200 and "Tømrer" in text and "Murer" not in text and "Ikke besat" in text
    r = client.get("/jobordrer/?format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.max_row == 4 and ws["A1"].value == "Nr."
    actions = [e.action for e in session.exec(select(AccessLogEntry)).all()]
    assert "search" in actions and "export" in actions


def test_sector_filter_uses_prefix_matching(client, session, make_company, make_job_order, login_as):
    from nrs.sectors.models import FocusSector

    transport = FocusSector(year=2016, name="Transport", codes="49,50,51,52,53")
    session.add(transport)
    session.commit()
    make_job_order(make_company(industry_code="494100"), title="Chauffør")
    make_job_order(make_company(industry_code="052000"), title="Minearbejder")
    login_as("staff", 201)
    page = client.get(f"/jobordrer/?sector={transport.id}").get_data(as_text=True)
    assert "Chauffør" in page and "Minearbejder" not in page


def test_reading_referrals_is_access_logged(client, session, make_job_order, login_as):
    order = make_job_order()
    user = login_as("staff", 210)
    client.get(f"/jobordrer/{order.id}")
    entry = session.exec(select(AccessLogEntry).where(AccessLogEntry.action == "read")).one()
    assert entry.user_id == user.id and entry.entity_id == str(order.id)


def test_help_wanted_list_per_centre(client, session, make_job_order, login_as, centre_by_code):
    order = make_job_order()  # lead 201
    login_as("staff", 201)
    url = f"/jobordrer/{order.id}"
    assert post_form(client, f"{url}/hjaelp", {"help-message": "Vi mangler tømrere"}, form_url=url).status_code == 302
    login_as("staff", 223)
    page = client.get("/jobordrer/hjaelp").get_data(as_text=True)
    assert "Vi mangler tømrere" in page
    assert 'data-testid="help-wanted-panel"' in client.get("/").get_data(as_text=True)
    page = client.get(f"/jobordrer/hjaelp?centre={centre_by_code(201).id}").get_data(as_text=True)
    assert "Vi mangler tømrere" not in page  # the lead's own order is not on its own list


def test_company_page_lists_its_orders_and_offers_a_new_one(client, make_company, make_job_order, login_as):
    company = make_company(name="Hillerød Vognmand A/S", municipality_code=219)
    make_job_order(company, "filled", title="Chauffør C/CE")
    make_job_order(make_company(), title="Kok")
    login_as("staff", 219)
    page = client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    assert 'data-testid="company-job-orders"' in page and "Chauffør C/CE" in page and "Kok" not in page
    assert f"/jobordrer/ny?company={company.id}" in page
    form = client.get(f"/jobordrer/ny?company={company.id}").get_data(as_text=True)
    assert f'name="cvr_id" value="{company.id}"' in form and f"CVR {company.cvr}" in form  # chosen already


def test_pause_resume_and_change_lead_with_a_reason(client, session, make_job_order, login_as, centre_by_code):
    order = make_job_order(received_on=date(2016, 3, 1))
    login_as("staff", 201)
    url = f"/jobordrer/{order.id}"
    r = post_form(client, f"{url}/pause", {"pause-version": "1", "pause-on_date": "05-03-2016",
                                           "pause-reason": "Nok kandidater til samtale"}, form_url=url)
    assert r.status_code == 302
    assert 'data-testid="state">Sat i bero' in client.get(url).get_data(as_text=True)
    r = post_form(client, f"{url}/genoptag", {"resume-version": "2", "resume-on_date": "10-03-2016"}, form_url=url)
    assert r.status_code == 302
    edit = {"version": "3", "title": "Tømrer", "positions": "1", "received_on": "01-03-2016", "channel": "visit",
            "lead_centre_id": str(centre_by_code(219).id), "contact_user_id": "", "agreement_id": ""}
    r = post_form(client, f"{url}/ret", edit)
    assert r.status_code == 400 and "begrundelse" in r.get_data(as_text=True)
    r = post_form(client, f"{url}/ret", {**edit, "lead_reason": "Hillerød kender virksomheden"})
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Jobcenter Hillerød" in page
    history = re.search(r'data-testid="history">(.*?)</ol>', page, re.S).group(1)
    assert "Åben → Sat i bero" in history and "Nok kandidater til samtale" in history
    assert "Sat i bero → Åben" in history
    # the order now belongs to Hillerød: Allerød's staff may no longer close it
    r = post_form(client, f"{url}/pause", {"pause-version": "4", "pause-on_date": "11-03-2016"}, form_url=url)
    assert r.status_code == 403
