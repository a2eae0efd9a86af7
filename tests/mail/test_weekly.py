"""The weekly status e-mail: right figures to the right people, once per week, both parts."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from nrs.companies.models import Company
from nrs.db import session_scope
from nrs.mail.models import OutboxMessage
from nrs.reports import weekly
from nrs.scheduler.jobs import job_by_id
from nrs.scheduler.runner import run_job
from tests.mail.weekly_data import WEEK

SNAPSHOTS = Path(__file__).parent / "snapshots"
RECIPIENTS = ["karen@allerod.test", "lis@horsholm.test", "ole@hillerod.test", "styregruppe@nrs.test"]


def rendered(app, engine) -> dict[str, weekly.Rendered]:
    with app.app_context(), session_scope(engine) as s:
        return {m.to: m for m in weekly.render_all(s, week=weekly.parse_week(WEEK))}


def check_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("NRS_UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual)
    assert path.exists(), f"no snapshot {path}; run with NRS_UPDATE_SNAPSHOTS=1 and review it"
    assert actual == path.read_text()


def test_figures_for_the_week(app, engine, week_data):
    with app.app_context(), session_scope(engine) as s:
        figures = weekly.compute(s, weekly.parse_week(WEEK))
    by_name = {c.name: f for c, f in figures.centres}
    allerod = next(f for name, f in by_name.items() if "Allerød" in name)
    hillerod = next(f for name, f in by_name.items() if "Hillerød" in name)
    assert (allerod.received, allerod.filled, allerod.unfilled, allerod.open_at_end) == (1, 1, 1, 3)
    assert (allerod.idle_without_referral, allerod.asking_for_help) == (2, 1)
    assert (allerod.hires_from_other_centres, allerod.agreements_ending) == (1, 1)
    assert allerod.fill_rate == 0.5
    assert (hillerod.received, hillerod.open_at_end, hillerod.fill_rate) == (1, 1, 1.0)
    nrs = figures.nrs
    assert (nrs.received, nrs.filled, nrs.unfilled, nrs.open_at_end) == (2, 1, 1, 4)
    assert round(nrs.fill_rate, 2) == 0.67
    assert sum(1 for _c, f in figures.centres if f.quiet) == 7


@pytest.mark.parametrize("who", ["karen@allerod.test", "styregruppe@nrs.test", "lis@horsholm.test"])
def test_rendered_text_matches_the_snapshot(app, engine, week_data, who):
    message = rendered(app, engine)[who]
    stem = who.split("@")[0]
    check_snapshot(f"weekly_{stem}.subject.txt", message.subject + "\n")
    check_snapshot(f"weekly_{stem}.txt", message.text)
    check_snapshot(f"weekly_{stem}.html", message.html)


def test_only_active_opted_in_users_get_it_and_no_referral_details(app, engine, week_data):
    messages = rendered(app, engine)
    assert sorted(messages) == RECIPIENTS
    for m in messages.values():
        assert "SAG-1" not in m.text and "SAG-1" not in m.html
        assert "http://nrs.test/" in m.text


def test_send_delivers_one_message_per_user_and_a_second_run_nothing(
        cli_run, smtp_server, week_data, session):
    result = cli_run("reports", "weekly", "--week", WEEK, "--send")
    assert result.exit_code == 0, result.output
    assert "4 nye beskeder" in result.output and "Sendt: 4" in result.output
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == RECIPIENTS
    karen = smtp_server.to("karen@allerod.test")[0]
    assert karen.subject == "NRS ugestatus, uge 13 2016: Jobcenter Allerød"
    text, html = karen.part("plain"), karen.part("html")
    assert "Jobordrer modtaget i ugen" in text and "50 %" in text and "67 %" in text
    assert "<table" in html and "50 %" in html
    steering = smtp_server.to("styregruppe@nrs.test")[0]
    assert "Pr. jobcenter" in steering.part("plain") and "hele NRS" in steering.subject
    quiet = smtp_server.to("lis@horsholm.test")[0].part("plain")
    assert "Intet at melde i uge 13" in quiet and "Jobordrer modtaget" not in quiet

    again = cli_run("reports", "weekly", "--week", WEEK, "--send")
    assert again.exit_code == 0 and "0 nye beskeder" in again.output
    assert len(smtp_server.received) == 4

    forced = cli_run("reports", "weekly", "--week", WEEK, "--send", "--force")
    assert forced.exit_code == 0 and "4 nye beskeder" in forced.output
    assert len(smtp_server.received) == 8
    keys = session.exec(select(OutboxMessage.idempotency_key)).all()
    assert f"weekly:{WEEK}:karen@allerod.test" in keys and f"weekly:{WEEK}:karen@allerod.test#2" in keys


def test_dry_run_prints_and_queues_nothing(cli_run, smtp_server, week_data, session):
    result = cli_run("reports", "weekly", "--week", WEEK, "--dry-run")
    assert result.exit_code == 0
    assert "Til: karen@allerod.test" in result.output and "4 beskeder" in result.output
    assert session.exec(select(OutboxMessage)).all() == []
    assert smtp_server.received == []


def test_a_bad_week_is_refused(cli_run):
    result = cli_run("reports", "weekly", "--week", "2016-W54")
    assert result.exit_code == 1 and "ISO week" in result.stderr


def test_the_monday_job_queues_last_week(app, engine, settings, week_data, session):
    due = datetime(2016, 4, 4, 5, 0, tzinfo=UTC)  # Monday 07:00 in Copenhagen (summer time)
    with app.app_context():
        assert run_job(engine, settings, job_by_id("weekly_email"), due) == "ran"
        assert run_job(engine, settings, job_by_id("weekly_email"), due) == "taken"
    keys = sorted(session.exec(select(OutboxMessage.idempotency_key)).all())
    assert keys == [f"weekly:{WEEK}:{e}" for e in RECIPIENTS]


def test_the_example_spreadsheet_gives_the_right_week_once(cli_run, make_user, smtp_server, session,
                                                           centre_by_code):
    """Done when: the shared example imported, ``--send`` delivers, a second run delivers nothing."""
    from tests.conftest import data_file

    assert cli_run("companies", "import", str(data_file("companies-example.csv"))).exit_code == 0
    # three of the example's companies lie outside the nine municipalities: Hillerød takes them
    hillerod = centre_by_code(219).id
    for company in session.exec(select(Company).where(Company.lead_centre_id.is_(None))):
        company.lead_centre_id = hillerod
        session.add(company)
    session.commit()
    imported = cli_run("orders", "import", str(data_file("job-orders-example.csv")))
    assert imported.exit_code == 0, imported.output + imported.stderr
    make_user("staff", 219, email="karen@hillerod.test")
    make_user("admin", 201, email="styregruppe@nrs.test")
    # week 15 (11-04-2016 to 17-04-2016): order 10 filled, orders 6 and 7 closed unfilled
    result = cli_run("reports", "weekly", "--week", "2016-W15", "--send")
    assert result.exit_code == 0 and "Sendt: 2" in result.output
    steering = smtp_server.to("styregruppe@nrs.test")[0].part("plain")
    nrs_rows = {line[:42].strip(): line[42:].strip() for line in steering.splitlines()[4:13]}
    assert nrs_rows["Jobordrer modtaget i ugen"] == "0"
    assert nrs_rows["Besat i ugen"] == "1"
    assert nrs_rows["Ikke besat i ugen"] == "2"
    assert nrs_rows["Åbne ved ugens slutning"] == "9"
    assert nrs_rows["Besættelsesprocent (alle lukkede)"] == "33 %"
    assert len(smtp_server.to("karen@hillerod.test")) == 1
    again = cli_run("reports", "weekly", "--week", "2016-W15", "--send")
    assert again.exit_code == 0 and "Sendt: 0" in again.output
    assert len(smtp_server.received) == 2


def test_each_recipient_reads_it_in_the_language_they_chose(app, engine, week_data, session):
    from nrs.auth.models import User

    karen = session.exec(select(User).where(User.email == "karen@allerod.test")).one()
    karen.locale = "en"
    session.add(karen)
    session.commit()
    messages = rendered(app, engine)
    english, danish = messages["karen@allerod.test"], messages["ole@hillerod.test"]
    assert english.subject.startswith("NRS weekly status, week ")
    assert english.text.startswith("Hello Karen") and "Status for" in english.text and "i uge" not in english.text
    assert "Hello" in english.html and "Hej" not in english.html
    assert danish.text.startswith("Hej ") and "i uge" in danish.text
    # The plain-text table stays a table with the longer English labels.
    rows = [line for line in english.text.splitlines()
            if line.startswith(("Filled this week", "Hired with a candidate from another job centre"))]
    assert len(rows) == 2 and len(rows[0]) == len(rows[1])
