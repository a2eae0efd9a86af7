from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from nrs.agreements import queries
from nrs.agreements.models import Agreement, AgreementKind
from nrs.clock import today
from tests.conftest import post_form

START, END = date(2016, 2, 1), date(2016, 12, 31)


@pytest.mark.parametrize(
    ("day", "active"),
    [
        (START - timedelta(days=1), False),
        (START, True),
        (END, True),
        (END + timedelta(days=1), False),
    ],
)
def test_active_from_first_to_last_day_inclusive(session, make_agreement, day, active):
    agreement = make_agreement(signed_on=date(2016, 1, 15), valid_from=START, valid_to=END)
    # The same rule in SQL (counts, reports) and in Python (badges).
    assert queries.active_count(session, on=day) == int(active)
    assert agreement.active_on(day) is active
    matched = session.exec(select(Agreement.id).where(Agreement.active_on(day))).all()
    assert matched == ([agreement.id] if active else [])


def test_unsigned_or_signed_later_is_not_active(session, make_agreement):
    make_agreement(signed_on=None, valid_from=START, valid_to=None)
    make_agreement(signed_on=date(2016, 3, 1), valid_from=START, valid_to=None)
    assert queries.active_count(session, on=date(2016, 2, 15)) == 0
    assert queries.active_count(session, on=date(2016, 3, 1)) == 1
    assert queries.active_count(session, on=date(2030, 1, 1)) == 1  # open-ended


def test_counts_per_centre_and_sector(session, make_agreement, make_company, make_focus_sector, centre_by_code):
    build = make_focus_sector()
    transport = make_focus_sector(name="Transport", codes="49-53")
    hillerod = make_company(municipality_code=219)
    make_agreement(focus_sector=build)
    make_agreement(focus_sector=transport, confirm_sector_mismatch=True)  # a builder in transport, confirmed
    make_agreement(company=hillerod, focus_sector=transport, confirm_sector_mismatch=True)
    make_agreement(company=hillerod, kind=AgreementKind.cooperation)
    make_agreement(company=hillerod, focus_sector=build, valid_to=date(2016, 1, 31))  # ended
    day = date(2016, 6, 1)

    by_centre = {c.municipality_code: n for c, n in queries.counts_by_centre(session, on=day)}
    assert by_centre[201] == 2 and by_centre[219] == 2 and by_centre[270] == 0 and len(by_centre) == 9
    assert queries.active_count(session, on=day, centre_id=centre_by_code(219).id) == 2
    by_sector = {(s.name if s else None): n for s, n in queries.counts_by_sector(session, on=day)}
    assert by_sector == {"Bygge og anlæg": 1, "Transport": 2, None: 1}
    assert queries.counts_by_kind(session, on=day) == {AgreementKind.recruitment: 3, AgreementKind.cooperation: 1}


def test_ending_within_60_days_is_flagged(session, make_agreement, make_company, centre_by_code):
    now = date(2016, 5, 1)
    in_60 = make_agreement(valid_to=now + timedelta(days=60))
    make_agreement(valid_to=now + timedelta(days=61))
    make_agreement(valid_to=now - timedelta(days=1))  # already ended
    last_day = make_agreement(valid_to=now)
    make_agreement(valid_to=None)
    other = make_agreement(company=make_company(municipality_code=250), valid_to=now + timedelta(days=10))

    flagged = [r.agreement.id for r in queries.ending_soon(session, today=now)]
    assert flagged == [last_day.id, other.id, in_60.id]
    mine = queries.ending_soon(session, today=now, centre_id=centre_by_code(201).id)
    assert [r.agreement.id for r in mine] == [last_day.id, in_60.id]
    assert queries.status_of(in_60, now) == "ending"
    assert queries.status_of(in_60, now - timedelta(days=1)) == "active"


def test_front_page_flags_ending_agreements_to_the_coordinating_centre(
        client, login_as, make_agreement, make_company):
    soon = today() + timedelta(days=30)
    make_agreement(company=make_company(name="Snart Slut ApS"), valid_to=soon)
    make_agreement(company=make_company(name="Langtid ApS"), valid_to=today() + timedelta(days=300))

    login_as("staff", centre=201)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="agreements-ending"' in home
    assert "Snart Slut ApS" in home and "Langtid ApS" not in home
    listing = client.get("/aftaler/?status=ending").get_data(as_text=True)
    assert 'data-testid="ending-soon"' in listing and "Langtid ApS" not in listing

    post_form(client, "/log-ud", {}, form_url="/")
    login_as("staff", centre=270)
    assert 'data-testid="agreements-ending"' not in client.get("/").get_data(as_text=True)

    post_form(client, "/log-ud", {}, form_url="/")
    login_as("admin", centre=219)
    assert "Snart Slut ApS" in client.get("/").get_data(as_text=True)


def test_agreements_page_shows_counts(client, login_as, make_agreement):
    make_agreement(valid_from=date(2016, 1, 1), valid_to=None)
    login_as("staff")
    html = client.get("/aftaler/").get_data(as_text=True)
    total = html.split('data-testid="active-total"')[1].split("</p>")[0]
    assert ">1" in total
    assert "Bygge og anlæg" in html.split('data-testid="by-sector"')[1]


def test_the_front_page_lists_ten_ending_agreements_and_links_to_the_rest(client, login_as, make_agreement,
                                                                          make_company, monkeypatch):
    from nrs.agreements import panels

    monkeypatch.setattr(panels, "SHOWN", 2)
    for n in range(3):
        make_agreement(company=make_company(name=f"Snart Slut {n} ApS"), valid_to=today() + timedelta(days=10 + n))
    login_as("staff", centre=201)
    home = client.get("/").get_data(as_text=True)
    assert "Snart Slut 0 ApS" in home and "Snart Slut 1 ApS" in home and "Snart Slut 2 ApS" not in home
    link = re.search(r'href="([^"]+)" data-testid="agreements-ending-all">Se alle \(3\)', home)
    assert link, "the panel says how many and links to them"
    listing = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert all(f"Snart Slut {n} ApS" in listing for n in range(3))


def test_the_front_pages_count_of_active_agreements_follows_a_new_agreement(client, login_as, make_agreement,
                                                                           make_company, make_job_order):
    """The figures panel is kept while the orders' tally stays the same; the agreements are not in it."""
    def active() -> int:
        page = client.get("/").get_data(as_text=True)
        return int(re.search(r'<div class="figure">(\d+)</div>aktive aftaler', page).group(1))

    make_job_order(company=make_company())  # the tally has a row, so its snapshot is kept between visits
    login_as("staff", centre=201)
    before = active()
    assert active() == before
    make_agreement(company=make_company(name="Ny Aftale ApS"))
    assert active() == before + 1
