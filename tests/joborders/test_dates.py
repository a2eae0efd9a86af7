"""An order's business dates cannot lie in the future: figures for today must not change tomorrow by themselves."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nrs.clock import today
from nrs.joborders.models import JobOrder, JobOrderEvent
from tests.conftest import post_form
from tests.joborders.test_import import HEADER, load_companies


def _dmy(d) -> str:
    return d.strftime("%d-%m-%Y")


def test_an_order_received_tomorrow_is_refused_next_to_the_field(client, session, make_company, login_as):
    company = make_company(municipality_code=201)
    login_as("staff", 201)
    r = post_form(client, "/jobordrer/ny", {
        "cvr": company.cvr, "title": "Tømrer", "positions": "1", "received_on": _dmy(today() + timedelta(days=1)),
        "channel": "visit", "lead_centre_id": "", "contact_user_id": "", "agreement_id": ""})
    assert r.status_code == 400
    assert "Modtagelsesdatoen kan ikke ligge i fremtiden." in r.get_data(as_text=True)
    assert session.exec(select(JobOrder)).all() == []


def test_a_pause_dated_tomorrow_is_refused_and_nothing_changes(client, session, make_job_order, login_as):
    order = make_job_order(received_on=today() - timedelta(days=3))
    login_as("staff", 201)
    url = f"/jobordrer/{order.id}"
    r = post_form(client, f"{url}/pause", {"pause-version": str(order.version),
                                           "pause-on_date": _dmy(today() + timedelta(days=1))}, form_url=url)
    assert r.status_code == 400
    assert "Datoen kan ikke ligge i fremtiden." in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(JobOrder, order.id).state == "open"
    assert len(session.exec(select(JobOrderEvent).where(JobOrderEvent.job_order_id == order.id)).all()) == 1


def test_import_names_rows_dated_in_the_future(cli_run, session, tmp_path):
    load_companies(cli_run)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    path = tmp_path / "orders.csv"
    path.write_text(HEADER
                    + f"1;19169987;Tømrer;1;{tomorrow};;åben;;;\n"
                    + f"2;19169987;Kok;1;2016-03-01;;besat;{tomorrow};219;\n", encoding="utf-8")
    r = cli_run("orders", "import", str(path))
    assert r.exit_code == 1
    assert f"line 2: received {tomorrow} is in the future" in r.output
    assert f"line 3: closed {tomorrow} is in the future" in r.output
    assert session.exec(select(JobOrder)).all() == []
