"""``nrs orders import``: the old spreadsheet, checked row by row, all or nothing, idempotent."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from nrs.joborders.models import Hire, JobOrder, JobOrderEvent
from tests.conftest import data_file

HEADER = "reference;cvr;title;positions;received;lead_centre;status;closed;hired_from;close_reason\n"


def load_companies(cli_run):
    r = cli_run("companies", "import", str(data_file("companies-example.csv")))
    assert r.exit_code == 0, r.output


def test_example_twice_gives_the_same_orders_once(cli_run, session):
    load_companies(cli_run)
    path = str(data_file("job-orders-example.csv"))
    first = cli_run("orders", "import", path)
    assert first.exit_code == 0, first.output + (first.stderr or "")
    assert "12 rows read, 12 new, 0 unchanged, 0 invalid" in first.output
    orders = session.exec(select(JobOrder).order_by(JobOrder.id)).all()
    assert len(orders) == 12
    second = cli_run("orders", "import", path)
    assert second.exit_code == 0
    assert "12 rows read, 0 new, 12 unchanged" in second.output
    assert len(session.exec(select(JobOrder)).all()) == 12
    assert len(session.exec(select(JobOrderEvent)).all()) == 12 + 8  # received for all, closed for 8
    by_ref = {o.reference: o for o in session.exec(select(JobOrder)).all()}
    one = by_ref["1"]
    assert (one.state, one.positions, one.received_on, one.closed_on) == ("filled", 2, date(2016, 3, 18),
                                                                          date(2016, 4, 27))
    assert by_ref["6"].unfilled_reason == "no_candidates" and by_ref["11"].state == "open"
    assert len(session.exec(select(Hire)).all()) == 5


def test_a_bad_row_changes_nothing_and_is_named(cli_run, session, tmp_path):
    load_companies(cli_run)
    path = tmp_path / "orders.csv"
    path.write_text(HEADER
                    + "1;19169987;Tømrer;2;2016-03-18;;besat;2016-04-27;219;\n"
                    + "\n"
                    + "2;93503058;Lagermedarbejder;1;2016-03-23;;filled;2016-03-01;260;\n"
                    + "3;12345678;Kok;x;2016-13-01;;lukket;;;\n", encoding="utf-8")
    r = cli_run("orders", "import", str(path))
    assert r.exit_code == 1
    assert "line 4: closed 2016-03-01 is before the received date" in r.output
    assert "line 5: cvr 12345678 is not a company known to NRS" in r.output
    assert "line 5: positions x is not a whole number" in r.output
    assert "line 5: received 2016-13-01 is not a date" in r.output
    assert "line 5: status lukket is not open" in r.output
    assert "nothing was written" in (r.stderr or r.output)
    assert session.exec(select(JobOrder)).all() == []

    r = cli_run("orders", "import", "--skip-invalid", str(path))
    assert r.exit_code == 1
    assert len(session.exec(select(JobOrder)).all()) == 1


def test_danish_header_comma_and_windows_1252(cli_run, session, tmp_path):
    load_companies(cli_run)
    path = tmp_path / "ordrer.csv"
    text = ("Nr,CVR-nummer,Stilling,Antal,Modtaget,Ansvarligt jobcenter,Status,Lukket,Ansat fra,Årsag,Kommentar\n"
            "7,13105189,Chauffør C/CE,1,27-01-2016,217,ikke besat,15-04-2016,,Virksomheden trak ordren tilbage,x\n")
    path.write_bytes(text.encode("cp1252"))
    r = cli_run("orders", "import", str(path))
    assert r.exit_code == 0, r.output
    assert "unknown columns: Kommentar" in r.output
    order = session.exec(select(JobOrder)).one()
    assert order.title == "Chauffør C/CE" and order.unfilled_reason == "company_withdrew"


def test_cpr_and_duplicate_references_are_refused(cli_run, session, tmp_path):
    load_companies(cli_run)
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "1;68122368;Elektriker;1;2016-01-12;;åben;;;\n"
                    + "1;68122368;Elektriker 010203-1234;1;2016-01-12;;åben;;;\n", encoding="utf-8")
    r = cli_run("orders", "import", str(path))
    assert r.exit_code == 1
    assert "line 3: title" in r.output and "CPR" in r.output
    assert "line 3: reference 1 appears twice in the file (also line 2)" in r.output
    assert session.exec(select(JobOrder)).all() == []


def test_missing_required_column_stops_the_file(cli_run, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("reference;cvr;title\n1;68122368;Elektriker\n", encoding="utf-8")
    r = cli_run("orders", "import", str(path))
    assert r.exit_code == 1
    assert "the header has no column for received" in (r.stderr or r.output)
