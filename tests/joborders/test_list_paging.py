"""The job-order list pages by its sort key: forward and back through every order exactly once.

Orders share received dates (ties broken by number), filters ride along on every link, a link
that was tampered with is refused with a clear 400, and the size is counted only up to a cap.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import date, timedelta

import pytest

from nrs.joborders import queries
from nrs.joborders.models import JobOrder
from nrs.joborders.states import JobOrderState

ROW = re.compile(r'<tr[^>]*>\s*<td[^>]*><a href="/jobordrer/(\d+)">')


def _ids(page: str) -> list[int]:
    return [int(m) for m in ROW.findall(page)]


def _link(page: str, rel: str) -> str | None:
    m = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return html.unescape(m.group(1)) if m else None


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def orders(session, make_company, centre_by_code):
    """130 orders at one centre (7 to a received date, some without a deadline), a few elsewhere."""
    names = ["Åby Byg", "aaby byg", "Bager Ølund", "Cafe Ceres", "Cafe Ceres"]  # ties on the folded name
    companies = [make_company(municipality_code=201, name=n) for n in names]
    other = make_company(municipality_code=217, name="Andetsteds ApS")
    here, there = centre_by_code(201).id, centre_by_code(217).id
    rows = []
    for i in range(130):
        state = JobOrderState.filled if i % 3 else JobOrderState.open
        received = date(2016, 1, 1) + timedelta(days=i // 7)
        rows.append(JobOrder(
            company_id=companies[i % len(companies)].id, title=f"Stilling {i}", lead_centre_id=here,
            received_on=received, state=state, closed_on=received + timedelta(days=9) if state.is_closed else None,
            deadline_on=None if i % 4 == 0 else date(2016, 6, 1) + timedelta(days=i % 11)))
    for i in range(5):
        rows.append(JobOrder(company_id=other.id, title=f"Andet {i}", lead_centre_id=there,
                             received_on=date(2016, 1, 3), state=JobOrderState.filled, closed_on=date(2016, 2, 1)))
    session.add_all(rows)
    session.commit()
    return {"here": here, "there": there, "rows": rows, "names": {c.id: c.name_search for c in companies}}


def _expected(orders, sort: str, keep) -> list[int]:
    rows = [o for o in orders["rows"] if keep(o)]
    names = orders["names"]
    order = {
        "received_desc": lambda o: (-o.received_on.toordinal(), -o.id),
        "received": lambda o: (o.received_on, o.id),
        "deadline": lambda o: (o.deadline_on is None, o.deadline_on or date.min, o.id),
        "company": lambda o: (names[o.company_id], o.company_id, o.id),
        "state": lambda o: (JobOrderState(o.state).value, -o.received_on.toordinal(), -o.id),
    }[sort]
    return [o.id for o in sorted(rows, key=order)]


def _walk(client, url: str, rel: str = "next"):
    """Follow ``rel`` links from ``url``; the pages' ids and the URLs visited."""
    pages, urls = [], []
    while url:
        r = client.get(url)
        assert r.status_code == 200, url
        page = r.get_data(as_text=True)
        pages.append(_ids(page))
        urls.append(url)
        url = _link(page, rel)
        assert len(pages) < 50, "the pager goes round in circles"
    return pages, urls


@pytest.mark.parametrize("sort", sorted(queries.SORTS))
def test_forward_visits_every_order_once_in_order_and_back_returns(client, orders, login_as, sort):
    login_as("staff", 201)
    here = orders["here"]
    first = f"/jobordrer/?centre={here}&sort={sort}"
    pages, urls = _walk(client, first)
    seen = [i for page in pages for i in page]
    assert seen == _expected(orders, sort, lambda o: o.lead_centre_id == here)
    assert len(seen) == len(set(seen)) == 130 and [len(p) for p in pages] == [50, 50, 30]
    assert all(f"centre={here}" in u and f"sort={sort}" in u for u in urls)

    back, back_urls = _walk(client, urls[-1], "prev")
    assert back == list(reversed(pages))  # the same pages, the other way
    assert back_urls[-1] == f"/jobordrer/?centre={here}&sort={sort}"  # page 1 is page 1 again


def test_filters_survive_paging_and_the_page_number_shows(client, orders, login_as):
    login_as("staff", 201)
    here = orders["here"]
    pages, urls = _walk(client, f"/jobordrer/?state=filled&centre={here}&from=01-01-2016&to=31-12-2016")
    seen = [i for page in pages for i in page]
    assert seen == _expected(orders, "received_desc",
                             lambda o: o.lead_centre_id == here and o.state == JobOrderState.filled)
    assert all("state=filled" in u and f"centre={here}" in u and "from=01-01-2016" in u for u in urls[1:])
    page2 = client.get(urls[1]).get_data(as_text=True)
    assert "Side 2" in page2 and _link(page2, "prev") == urls[0]  # back to page 1 as first asked for


def test_the_count_is_capped_and_says_so(client, orders, login_as, monkeypatch):
    login_as("staff", 201)
    page = client.get(f"/jobordrer/?centre={orders['here']}").get_data(as_text=True)
    assert re.search(r'data-testid="count">Side 1 · 130 jobordrer<', page)
    monkeypatch.setattr(queries, "COUNT_CAP", 100)
    page = client.get(f"/jobordrer/?centre={orders['here']}").get_data(as_text=True)
    assert "mere end 100 jobordrer" in page and "130" not in re.search(r'data-testid="count">[^<]*', page).group(0)


def test_jump_to_a_received_date_keeps_the_filters(client, orders, login_as):
    login_as("staff", 201)
    here = orders["here"]
    page = client.get(f"/jobordrer/?centre={here}&at=05-01-2016").get_data(as_text=True)
    expected = _expected(orders, "received_desc",
                         lambda o: o.lead_centre_id == here and o.received_on <= date(2016, 1, 5))
    assert _ids(page) == expected  # 35 orders received on or before 5 January, newest first
    assert _link(page, "next") is None and f"centre={here}" in _link(page, "prev")
    page = client.get(f"/jobordrer/?centre={here}&sort=received&at=05-01-2016").get_data(as_text=True)
    assert _ids(page)[0] == min(o.id for o in orders["rows"]
                                if o.lead_centre_id == here and o.received_on == date(2016, 1, 5))
    r = client.get(f"/jobordrer/?centre={here}&at=5. januar")
    assert r.status_code == 200 and "Skriv datoen som dd-mm-åååå." in r.get_data(as_text=True)


@pytest.mark.parametrize("cursor", [
    "not-a-cursor!",
    _cursor(["2016-01-05"]),  # too short
    _cursor(["5. januar", 10]),  # not a date
    _cursor(["2016-01-05", "10"]),  # not a number
    _cursor(["2016-01-05", 2**40]),  # a number no id can be
    _cursor({"received_on": "2016-01-05"}),
])
def test_a_tampered_cursor_is_a_clear_400(client, orders, login_as, cursor):
    login_as("staff", 201)
    for arg in ("after", "before"):
        r = client.get(f"/jobordrer/?state=filled&{arg}={cursor}")
        assert r.status_code == 400
        assert "Linket til siden er ugyldigt" in r.get_data(as_text=True)


@pytest.mark.parametrize(("sort", "values"), [
    ("state", ["hacked", "2016-01-05", 10]),  # no such state
    ("company", ["aaby\u0000byg", 1, 10]),  # a NUL no name has
    ("deadline", [None, "x"]),
])
def test_a_cursor_of_the_wrong_shape_for_its_sort_is_a_400(client, orders, login_as, sort, values):
    login_as("staff", 201)
    r = client.get(f"/jobordrer/?sort={sort}&after={_cursor(values)}")
    assert r.status_code == 400


def test_the_export_has_every_matching_order_whatever_the_page(client, orders, login_as):
    login_as("staff", 201)
    here = orders["here"]
    page2 = _link(client.get(f"/jobordrer/?state=filled&centre={here}").get_data(as_text=True), "next")
    listed = client.get(page2).get_data(as_text=True)
    export = html.unescape(re.search(r'href="([^"]+)" data-testid="export-csv"', listed).group(1))
    assert "after=" not in export and "state=filled" in export
    text = client.get(page2 + "&format=csv").data.decode("utf-8-sig")
    filled_here = [o for o in orders["rows"] if o.lead_centre_id == here and o.state == JobOrderState.filled]
    assert len(text.strip().splitlines()) == 1 + len(filled_here)
