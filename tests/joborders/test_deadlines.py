"""Referral deadlines: marked when past, closed by the daily job some days after; the Jobnet number; date sense."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from nrs.clock import today, utcnow
from nrs.config import Settings
from nrs.errors import DomainError
from nrs.joborders import deadlines, services
from nrs.joborders.models import JobOrder, JobOrderEvent
from nrs.mail.models import OutboxMessage
from nrs.municipalities.models import JobCentre
from nrs.reports.queries import status_figures
from nrs.scheduler.jobs import job_by_id
from tests.conftest import post_form
from tests.joborders.test_import import HEADER, load_companies
from tests.reports.test_tally import assert_tally_equals_history


def _settings(days=14):
    return Settings(instance_path=Path("."), database_url="sqlite://", secret_key="x", deadline_close_days=days)


def test_the_daily_job_closes_orders_long_past_their_deadline_once_and_tells_the_lead(
        cli_run, session, make_job_order, make_user):
    coordinator = make_user("coordinator", 201)
    make_user("coordinator", 210)  # another centre's coordinator is not told
    received = today() - timedelta(days=60)
    old = make_job_order(received_on=received, deadline_on=today() - timedelta(days=15))
    recent = make_job_order(received_on=received, deadline_on=today() - timedelta(days=3))
    none = make_job_order(received_on=received)
    closed = make_job_order(state="filled", received_on=received, deadline_on=today() - timedelta(days=40))
    assert job_by_id("deadline_close").expression(_settings()) == "15 5 * * *"
    for _ in range(2):  # the runner's own transaction; the second run closes nothing more
        assert cli_run("scheduler", "fire", "deadline_close", "--due", f"{today().isoformat()}T05:15").exit_code == 0
    session.expire_all()
    got = session.get(JobOrder, old.id)
    assert (got.state, got.unfilled_reason, got.closed_on) == ("unfilled", "deadline_passed", today())
    last = session.exec(select(JobOrderEvent).where(JobOrderEvent.job_order_id == old.id)
                        .order_by(JobOrderEvent.id.desc())).first()
    assert last.user_id is None and "Fristen udløb" in last.reason
    assert {session.get(JobOrder, o.id).state for o in (recent, none)} == {"open"}
    assert session.get(JobOrder, closed.id).state == "filled"
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "deadline_closed")).all()
    assert len(mails) == 1  # told once
    assert [m.recipient for m in mails] == [coordinator.email]
    assert f"Jobordre {old.id}" in mails[0].body_text
    assert status_figures(session, as_of=today())["orders_unfilled"] == 2 - 1  # old now; closed is filled
    assert_tally_equals_history(session)


def test_zero_days_turns_the_job_off(session, make_job_order):
    make_job_order(received_on=today() - timedelta(days=90), deadline_on=today() - timedelta(days=60))
    assert deadlines.close_past_deadline(session, now=utcnow(), settings=_settings(0)) == 0


def test_past_deadline_is_marked_in_the_list_and_on_the_order(client, session, make_job_order, login_as):
    past = make_job_order(received_on=today() - timedelta(days=20), deadline_on=today() - timedelta(days=1),
                          title="Murer")
    make_job_order(received_on=today() - timedelta(days=20), deadline_on=today(), title="Tømrer")
    assert [o.id for o in deadlines.past_deadline(session, past.lead_centre_id, today())] == [past.id]
    login_as("staff", 201)
    page = client.get("/jobordrer/").get_data(as_text=True)
    assert page.count('data-testid="past-deadline"') == 1
    assert 'data-testid="past-deadline"' in client.get(f"/jobordrer/{past.id}").get_data(as_text=True)


def test_the_jobnet_number_is_unique_when_given_and_searchable(client, session, make_job_order, make_company,
                                                              login_as):
    first = make_job_order(received_on=today() - timedelta(days=3), jobnet_number="5012345")
    make_job_order(received_on=today() - timedelta(days=3))
    make_job_order(received_on=today() - timedelta(days=3))  # two without a number are fine
    with pytest.raises(DomainError, match="allerede brugt"):
        services.log_job_order(session, by=None, company=make_company(municipality_code=201), title="Kok",
                               received_on=today(), jobnet_number=" 5012345 ")
    session.rollback()
    # the database refuses it too (two saves at the same moment both pass the service's check)
    with pytest.raises(IntegrityError):
        session.execute(sa.update(JobOrder).where(JobOrder.id != first.id).values(jobnet_number="5012345"))
    session.rollback()
    login_as("staff", 201)
    page = client.get("/jobordrer/?jobnet=5012345").get_data(as_text=True)
    assert f'href="/jobordrer/{first.id}"' in page and page.count("<tr>") == 2  # header + one row


def test_a_received_date_before_the_centre_joined_nrs_is_refused_next_to_the_field(
        client, session, make_company, login_as, centre_by_code):
    company = make_company(municipality_code=201)
    login_as("staff", 201)
    r = post_form(client, "/jobordrer/ny", {
        "cvr": company.cvr, "title": "Tømrer", "positions": "1", "received_on": "01-06-1990",
        "channel": "visit", "lead_centre_id": "", "contact_user_id": "", "agreement_id": ""})
    assert r.status_code == 400
    assert "Modtagelsesdatoen ligger før jobcentret kom med i NRS (01-12-2015)." in r.get_data(as_text=True)
    centre = centre_by_code(201)
    session.execute(sa.update(JobCentre).where(JobCentre.id == centre.id).values(joined_on=date(2017, 1, 1)))
    session.commit()
    with pytest.raises(DomainError, match="01-01-2017"):
        services.log_job_order(session, by=None, company=company, title="Kok", received_on=date(2016, 6, 1))
    assert session.exec(select(JobOrder)).all() == []


def test_referral_and_hire_dates_before_the_order_or_in_the_future_are_refused(session, make_job_order):
    order = make_job_order(received_on=today() - timedelta(days=10))
    for day in (today() + timedelta(days=1), today() - timedelta(days=11)):
        with pytest.raises(DomainError) as refused:
            services.add_referral(session, order, by=None, referring_centre_id=order.lead_centre_id, referred_on=day)
        assert refused.value.field == "referred_on"
        with pytest.raises(DomainError, match="Ansættelsesdatoen"):
            services.fill(session, order, by=None, expected_version=order.version, on_date=today(),
                          hires=[services.NewHire(centre_id=order.lead_centre_id, hired_on=day)])
        session.rollback()


def test_import_names_rows_before_the_centre_joined_and_taken_jobnet_numbers(cli_run, session, tmp_path,
                                                                             make_job_order):
    load_companies(cli_run)
    make_job_order(received_on=today() - timedelta(days=3), jobnet_number="777")
    path = tmp_path / "orders.csv"
    path.write_text(HEADER.rstrip("\n") + ";jobnet_number\n"
                    + "1;19169987;Tømrer;1;1990-01-02;201;åben;;;;\n"
                    + "2;19169987;Kok;1;2016-03-01;201;åben;;;;777\n", encoding="utf-8")
    r = cli_run("orders", "import", str(path))
    assert r.exit_code != 0
    assert "line 2: received" in r.output and "before the lead centre joined NRS (2015-12-01)" in r.output
    assert "line 3: jobnet_number" in r.output


def test_the_cli_sets_a_centres_joined_date(cli_run, session, centre_by_code):
    r = cli_run("orders", "centre-joined", "201", "2016-02-01")
    assert r.exit_code == 0, r.output
    session.expire_all()
    assert centre_by_code(201).joined_on == date(2016, 2, 1)
