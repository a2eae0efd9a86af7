"""Scheduled period reports: each address gets each last month or quarter once, as a PDF attachment."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.mail.models import OutboxMessage
from nrs.mail.services import _build
from nrs.reports import scheduled
from nrs.reports.models import ReportSubscription
from nrs.scheduler.jobs import job_by_id
from tests.conftest import post_form
from tests.reports.seedlike import make_seed_like


def job(app, now) -> int:
    """One run of the scheduled job in its own transaction, as the scheduler runs it."""
    with session_scope(app.extensions["nrs_engine"], write=True) as s:
        return job_by_id("period_reports").fn(s, now=now, settings=app.config["NRS"])


def test_the_steering_group_gets_last_quarter_once_with_the_pdf(app, session, cli_run, make_company,
                                                               make_job_order, centre_by_code):
    make_seed_like(make_company, make_job_order, centre_by_code)
    r = cli_run("reports", "subscribe", "--name", "Styregruppen", "--to", "a@nrs.dk, b@nrs.dk", "--every", "quarter")
    assert r.exit_code == 0, r.output + (r.stderr or "")
    april = datetime(2016, 4, 4, 6, 0, tzinfo=UTC)
    with app.app_context():
        assert job(app, april) == 2
        assert job(app, datetime(2016, 4, 5, 6, 0, tzinfo=UTC)) == 0  # once per period
        messages = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "period_report")).all()
        assert sorted(m.recipient for m in messages) == ["a@nrs.dk", "b@nrs.dk"]
        mail = _build(messages[0], app.config["NRS"])
    assert "01-01-2016 – 31-03-2016" in mail["Subject"]
    (pdf,) = [part for part in mail.iter_attachments()]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "nrs-rapport-2016-01-01-2016-03-31.pdf"
    from pypdf import PdfReader

    first = " ".join(PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text().split())
    assert "Ved udgangen af marts 2016" in first and "er endnu ikke afsluttede" in first
    with app.app_context():
        assert job(app, datetime(2016, 7, 1, 6, 0, tzinfo=UTC)) == 2  # the next quarter


def test_a_bad_subscription_is_refused(app, session, cli_run):
    with app.app_context():
        with pytest.raises(DomainError):
            scheduled.subscribe(session, name="x", recipients="ikke en adresse", every="quarter")
        with pytest.raises(DomainError):
            scheduled.subscribe(session, name="x", recipients="a@nrs.dk", every="week")
    r = cli_run("reports", "subscribe", "--to", "a@nrs.dk", "--centre", "999")
    assert r.exit_code == 1


def test_a_coordinator_subscribes_a_list_on_the_page_and_stops_it(app, client, login_as, session, make_company,
                                                                  make_job_order, centre_by_code):
    """The page does what ``nrs reports subscribe`` does; a bad address is said next to its field and
    nothing is saved; stopping asks first, and the list then gets nothing more."""
    make_seed_like(make_company, make_job_order, centre_by_code)
    login_as("coordinator", 219)
    page = client.get("/rapporter/abonnementer")
    assert page.status_code == 200 and "Ingen abonnementer endnu." in page.get_data(as_text=True)
    bad = post_form(client, "/rapporter/abonnementer", {"name": "Udvalget", "recipients": "ikke en adresse",
                                                        "every": "quarter", "centre_code": "219"})
    assert bad.status_code == 400 and "Skriv en eller flere e-mailadresser" in bad.get_data(as_text=True)
    for centre in ("999", "99999999999999999999999", "x"):  # not a centre: said at the centre, nothing saved
        wrong = post_form(client, "/rapporter/abonnementer", {"recipients": "a@nrs.dk", "every": "month",
                                                              "centre_code": centre})
        assert wrong.status_code == 400 and "Vælg et af de ni jobcentre." in wrong.get_data(as_text=True), centre
    assert session.exec(select(ReportSubscription)).all() == []
    ok = post_form(client, "/rapporter/abonnementer", {"name": "Beskæftigelsesudvalget",
                                                       "recipients": "udvalg@hillerod.test\nsekretaer@hillerod.test",
                                                       "every": "quarter", "centre_code": "219"})
    assert ok.status_code == 302
    (sub,) = session.exec(select(ReportSubscription)).all()
    assert (sub.addresses, sub.centre_code, sub.active) == (["udvalg@hillerod.test", "sekretaer@hillerod.test"], 219, True)
    listed = client.get("/rapporter/abonnementer").get_data(as_text=True)
    assert "Beskæftigelsesudvalget" in listed and "Jobcenter Hillerød" in listed
    with app.app_context():
        assert job(app, datetime(2016, 4, 4, 6, 0, tzinfo=UTC)) == 2

    asked = post_form(client, f"/rapporter/abonnementer/{sub.id}/stop", {}, form_url="/rapporter/abonnementer")
    assert asked.status_code == 200 and "Ja, stop abonnementet" in asked.get_data(as_text=True)
    session.refresh(sub)
    assert sub.active  # not before it is confirmed
    done = post_form(client, f"/rapporter/abonnementer/{sub.id}/stop", {"confirm": "1"},
                     form_url="/rapporter/abonnementer")
    assert done.status_code == 302
    session.refresh(sub)
    assert not sub.active
    with app.app_context():
        assert job(app, datetime(2016, 7, 1, 6, 0, tzinfo=UTC)) == 0  # stopped: the next quarter goes to no one
