"""``nrs reports status --as-of``: figures from the history, for any date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from nrs.joborders import services
from nrs.reports.queries import status_figures
from tests.reports.seedlike import CODES, make_seed_like

KEYS = {"orders_received", "orders_filled", "orders_unfilled", "orders_open", "agreements_active",
        "hires_from_other_centres", "by_centre"}
#: Issue 14 adds these beside the old keys (which keep their meaning).
NEW_KEYS = {"positions_received", "positions_hired", "positions_other", "positions_open", "referral_rate",
            "star_fill_rate"}
CENTRE_KEYS = {"orders_received", "orders_filled", "orders_unfilled", "orders_open", "positions_received",
               "positions_hired", "positions_other", "positions_open", "referral_rate", "star_fill_rate"}


def status(cli_run, day: str) -> dict:
    r = cli_run("reports", "status", "--as-of", day, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_a_data_set_like_the_seed_gives_32_10_6_16(cli_run, make_company, make_job_order, centre_by_code):
    """End of March 2016: 32 received, 10 filled, 6 unfilled, 16 open (some closed only in April)."""
    make_seed_like(make_company, make_job_order, centre_by_code)
    codes = CODES

    figures = status(cli_run, "2016-03-31")
    assert set(figures) == KEYS | NEW_KEYS
    assert (figures["orders_received"], figures["orders_filled"], figures["orders_unfilled"],
            figures["orders_open"]) == (32, 10, 6, 16)
    assert sum(c["orders_received"] for c in figures["by_centre"].values()) == 32
    assert set(figures["by_centre"]) == {str(c) for c in codes}
    assert set(figures["by_centre"]["201"]) == CENTRE_KEYS
    assert (figures["positions_received"], figures["positions_open"]) == (32, 16)  # one position each
    later = status(cli_run, "2016-04-30")
    assert (later["orders_received"], later["orders_filled"], later["orders_unfilled"],
            later["orders_open"]) == (33, 14, 8, 11)


def test_figures_follow_the_history_day_by_day(app, cli_run, session, make_job_order, make_user, centre_by_code):
    coordinator = make_user("coordinator", 201)
    order = make_job_order(received_on=date(2016, 3, 1))  # lead 201
    with app.test_request_context():
        services.pause(session, order, by=None, expected_version=order.version, on_date=date(2016, 3, 5))
        services.fill(session, order, by=None, expected_version=order.version, on_date=date(2016, 3, 10),
                      hires=[services.NewHire(centre_id=centre_by_code(217).id, hired_on=date(2016, 3, 10))])
        services.reopen(session, order, by=coordinator, expected_version=order.version, on_date=date(2016, 3, 15),
                        reason="Kandidaten sprang fra")
        services.close_unfilled(session, order, by=None, expected_version=order.version, on_date=date(2016, 3, 20),
                                unfilled_reason="deadline_passed")
        session.commit()
    expected = {
        "2016-02-29": (0, 0, 0, 0, 0),
        "2016-03-01": (1, 0, 0, 1, 0),
        "2016-03-05": (1, 0, 0, 1, 0),  # paused counts as open
        "2016-03-10": (1, 1, 0, 0, 1),  # hired from Helsingør, led by Allerød
        "2016-03-14": (1, 1, 0, 0, 1),
        "2016-03-15": (1, 0, 0, 1, 0),
        "2016-03-20": (1, 0, 1, 0, 0),
    }
    for day, (received, filled, unfilled, open_, other) in expected.items():
        f = status(cli_run, day)
        assert (f["orders_received"], f["orders_filled"], f["orders_unfilled"], f["orders_open"],
                f["hires_from_other_centres"]) == (received, filled, unfilled, open_, other), day
        assert f["by_centre"]["201"]["orders_received"] == received


def test_same_day_changes_count_by_their_order(app, session, make_job_order, make_user):
    """Closed and reopened on the same day: the state at the end of the day is the last one."""
    coordinator = make_user("coordinator", 201)
    order = make_job_order(state="unfilled", received_on=date(2016, 3, 1), closed_on=date(2016, 3, 8))
    with app.test_request_context():
        services.reopen(session, order, by=coordinator, expected_version=order.version, on_date=date(2016, 3, 8),
                        reason="Fejl")
        session.commit()
        f = status_figures(session, as_of=date(2016, 3, 8))
    assert (f["orders_open"], f["orders_unfilled"]) == (1, 0)


def test_plain_output_and_a_bad_date(cli_run):
    r = cli_run("reports", "status", "--as-of", "2016-03-31")
    assert r.exit_code == 0 and "orders_received" in r.output
    r = cli_run("reports", "status", "--as-of", "31-03-2016")
    assert r.exit_code == 1
    assert "not a date" in (r.stderr or r.output)


@pytest.mark.parametrize("as_of", ["31-03-2016", "2016-03-31"])
def test_reports_page_shows_figures_as_of_a_date(client, make_job_order, login_as, as_of):
    make_job_order(state="filled", received_on=date(2016, 3, 1), closed_on=date(2016, 4, 10))
    login_as("staff", 201)
    page = client.get(f"/rapporter/?as_of={as_of}").get_data(as_text=True)
    assert "Status pr. 31-03-2016" in page
    assert '<tr data-centre="NRS" class="total">' in page
    assert 'data-key="orders_open">1<' in page
    assert client.get("/rapporter/?as_of=foo").status_code == 400


def test_fill_rate_and_median_days_to_fill(client, make_company, make_job_order, login_as):
    company = make_company(municipality_code=210)
    for days in (10, 20, 40):
        make_job_order(company, "filled", received_on=date(2016, 3, 1), closed_on=date(2016, 3, 1) + timedelta(days))
    make_job_order(company, "unfilled", received_on=date(2016, 3, 1), closed_on=date(2016, 3, 5))
    make_job_order(company, "open", received_on=date(2016, 3, 1))
    login_as("staff", 210)
    page = client.get("/rapporter/?as_of=30-04-2016").get_data(as_text=True)
    row = page[page.index('<tr data-centre="210"'):]
    row = row[:row.index("</tr>")]
    assert "75 %" in row and ">20<" in row
    page = client.get("/rapporter/?as_of=15-03-2016").get_data(as_text=True)  # only the 10-day one filled
    row = page[page.index('<tr data-centre="NRS"'):]
    row = row[:row.index("</tr>")]
    assert "50 %" in row and ">10<" in row


def test_positions_as_of_dates_between_the_hires(app, cli_run, session, make_company, make_user, centre_by_code):
    """Issue 14's journey: 3 positions at Allerød, candidates from Egedal and Helsingør hired on two days,
    the third withdrawn: filled 2 of 3, 3 positions, 2 hired from other centres; a reopening undoes it."""
    allerod, egedal, helsingor = (centre_by_code(c).id for c in (201, 240, 217))
    coordinator = make_user("coordinator", 201)
    with app.test_request_context():
        order = services.log_job_order(session, by=None, company=make_company(municipality_code=201),
                                       title="Lagerarbejder", received_on=date(2016, 3, 1), positions=3)
        referrals = [services.add_referral(session, order, by=None, referring_centre_id=c, referred_on=date(2016, 3, 2))
                     for c in (egedal, helsingor)]
        for day, referral in zip((5, 9), referrals, strict=True):
            services.resolve_positions(session, order, by=None, expected_version=order.version,
                                       on_date=date(2016, 3, day), outcomes=[services.NewOutcome(
                                           "hired", hire=services.NewHire(referral.referring_centre_id,
                                                                          date(2016, 3, day), referral.id))])
        services.fill(session, order, by=None, expected_version=order.version, on_date=date(2016, 3, 12), hires=[],
                      remaining=services.NewOutcome("withdrawn"))
        services.reopen(session, order, by=coordinator, expected_version=order.version, on_date=date(2016, 3, 20),
                        reason="Virksomheden vil alligevel have tre")
        session.commit()
    assert order.lead_centre_id == allerod
    expected = {  # day: orders open, filled; positions received, hired, other, open; hires from other centres
        "2016-03-01": (1, 0, 3, 0, 0, 3, 0),
        "2016-03-05": (1, 0, 3, 1, 0, 2, 1),
        "2016-03-08": (1, 0, 3, 1, 0, 2, 1),
        "2016-03-09": (1, 0, 3, 2, 0, 1, 2),
        "2016-03-12": (0, 1, 3, 2, 1, 0, 2),
        "2016-03-19": (0, 1, 3, 2, 1, 0, 2),
        "2016-03-20": (1, 0, 3, 0, 0, 3, 0),
    }
    for day, want in expected.items():
        f = status(cli_run, day)
        got = (f["orders_open"], f["orders_filled"], f["positions_received"], f["positions_hired"],
               f["positions_other"], f["positions_open"], f["hires_from_other_centres"])
        assert got == want, day
        assert f["by_centre"]["201"]["positions_hired"] == want[3], day
        referred = day != "2016-03-01"  # the referrals came on 2 March
        assert f["referral_rate"] == (1.0 if referred else 0.0), day
        assert f["star_fill_rate"] == ((1.0 if want[3] else 0.0) if referred else None), day
