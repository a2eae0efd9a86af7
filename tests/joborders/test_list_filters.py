"""The job-order list as a consultant uses it: linked companies with their CVR, a text search, "mine",
deadline marks, a message for a malformed filter, and the filters remembered per user."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from nrs.clock import today
from nrs.savedfilters.models import SavedFilter


def _rows(html: str) -> list[str]:
    body = html.split('data-testid="job-orders"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


def _titles(html: str) -> list[str]:
    return [re.findall(r'/jobordrer/\d+">([^<]+)</a>', row)[1] for row in _rows(html) if "/jobordrer/" in row]


def test_two_companies_of_one_name_are_told_apart_by_cvr_and_link(client, make_company, make_job_order, login_as):
    one = make_company(name="Kronborg Service I/S")
    two = make_company(name="Kronborg Service I/S", municipality_code=217)
    make_job_order(one, title="Rengøring")
    make_job_order(two, title="Vicevært")
    login_as("staff", 201)
    html = client.get("/jobordrer/").get_data(as_text=True)
    for company in (one, two):
        assert re.search(rf'<a href="/virksomheder/{company.id}"[^>]*>Kronborg Service I/S</a> '
                         rf'<span class="muted" data-testid="cvr">{company.cvr}</span>', html)
    assert 'class="grid stack"' in html and 'data-label="Virksomhed"' in html


def test_text_search_finds_title_company_name_cvr_and_jobnet_number(client, make_company, make_job_order, login_as):
    bager = make_company(name="Allerød Bageri ApS")
    smed = make_company(name="Smedjen A/S")
    make_job_order(bager, title="Bagersvend")
    make_job_order(smed, title="Klejnsmed", jobnet_number="JN-77123")
    make_job_order(smed, title="Lagerarbejder")
    login_as("staff", 201)

    def found(q):
        return sorted(_titles(client.get("/jobordrer/", query_string={"q": q}).get_data(as_text=True)))

    assert found("bagersvend") == ["Bagersvend"]
    assert found("allerod bageri") == ["Bagersvend"]  # the company name, accent-blind
    assert found(smed.cvr) == ["Klejnsmed", "Lagerarbejder"]
    assert found("JN-77123") == ["Klejnsmed"]
    assert found("100%") == []  # a wildcard is a letter, not "everything"


def test_mine_is_my_contact_orders_or_my_centres_orders(client, make_company, make_job_order, login_as, make_user):
    me = login_as("staff", 201)
    colleague = make_user("staff", 201)
    make_job_order(make_company(), title="Min ordre", contact_user_id=me.id)
    make_job_order(make_company(), title="Kollegaens ordre", contact_user_id=colleague.id)
    make_job_order(make_company(municipality_code=217), title="Helsingørs ordre")

    def found(mine):
        return sorted(_titles(client.get("/jobordrer/", query_string={"mine": mine}).get_data(as_text=True)))

    assert found("contact") == ["Min ordre"]
    assert found("centre") == ["Kollegaens ordre", "Min ordre"]
    page = client.get("/jobordrer/", follow_redirects=True).get_data(as_text=True)
    assert "Hvor jeg er NRS-kontakt" in page and "Som mit jobcenter leder" in page


def test_orders_past_their_deadline_are_marked(client, make_company, make_job_order, login_as):
    received = today() - timedelta(days=30)
    make_job_order(title="Overskredet", received_on=received, deadline_on=today() - timedelta(days=1))
    make_job_order(title="I tide", received_on=received, deadline_on=today() + timedelta(days=5))
    login_as("staff", 201)
    rows = _rows(client.get("/jobordrer/").get_data(as_text=True))
    late = [r for r in rows if "Overskredet" in r][0]
    on_time = [r for r in rows if "I tide" in r][0]
    assert 'data-past-deadline="1"' in late and 'data-testid="past-deadline"' in late
    assert "past-deadline" not in on_time


@pytest.mark.parametrize(("args", "field", "message"), [
    ({"from": "31-02-2016"}, "from", "Datoen findes ikke"),
    ({"to": "i går"}, "to", "Skriv datoen som dd-mm-åååå"),
    ({"state": "lukket-ish"}, "state", "Ukendt status"),
    ({"centre": "abc"}, "centre", "Ugyldig værdi"),
    ({"mine": "everyone"}, "mine", "Ukendt valg"),
])
def test_a_malformed_filter_is_named_next_to_it_not_ignored(client, make_job_order, login_as, args, field, message):
    make_job_order(title="Tømrer")
    login_as("staff", 201)
    r = client.get("/jobordrer/", query_string=args)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    problem = re.search(rf'data-testid="filter-problem-{field}">([^<]+)<', html)
    assert problem and message in problem.group(1)
    assert _titles(html) == ["Tømrer"]  # the bad filter is not used; the rest of the list shows


def test_paging_keeps_the_search(client, make_company, make_job_order, login_as):
    company = make_company(name="Stor Kunde A/S")
    for n in range(52):
        make_job_order(company, title=f"Pakker {n}")
    make_job_order(title="Anden")
    login_as("staff", 201)
    first = client.get("/jobordrer/", query_string={"q": "pakker"}).get_data(as_text=True)
    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "q=pakker" in next_url
    second = client.get(next_url).get_data(as_text=True)
    assert len(_titles(second)) == 2 and all(t.startswith("Pakker") for t in _titles(second))


def test_the_list_remembers_my_filters_until_i_reset_them(client, session, make_job_order, login_as, make_user):
    make_job_order(title="Åben", state="open")
    make_job_order(title="Besat", state="filled")
    me = login_as("staff", 201)
    assert sorted(_titles(client.get("/jobordrer/", query_string={"state": "filled", "q": "besat"})
                          .get_data(as_text=True))) == ["Besat"]

    r = client.get("/jobordrer/")  # opened again without parameters: my last filters
    assert r.status_code == 302 and "state=filled" in r.location and "q=besat" in r.location
    html = client.get(r.location).get_data(as_text=True)
    assert _titles(html) == ["Besat"] and 'data-testid="filters-restored"' in html
    assert "Nulstil filtre" in html

    # another user's list is not mine
    other = make_user("staff", 201)
    assert session.get(SavedFilter, (other.id, "joborders.index")) is None

    r = client.get("/jobordrer/", query_string={"reset": 1})
    assert r.status_code == 302
    r = client.get("/jobordrer/")
    assert r.status_code == 200 and sorted(_titles(r.get_data(as_text=True))) == ["Besat", "Åben"]
    assert session.get(SavedFilter, (me.id, "joborders.index")) is None
