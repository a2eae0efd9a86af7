"""``nrs orders import``: the old spreadsheet, checked row by row, all or nothing, idempotent."""

from __future__ import annotations

import json
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


ORDER = {"reference": "77", "cvr": "19169987", "title": "Tømrer", "positions": "2", "received": "2016-03-18",
         "lead_centre": "", "status": "besat", "closed": "2016-04-27", "hired_from": "219", "close_reason": "", "jobnet_number": ""}
ODD = ["x", "-1", "1e20", "99999999999999999999", "2147483648", "\x00", "\x01", "a" * 501, "010190-1234",
       "01 01 90\u200b1234", "0000-00-00", "2016-02-30", "١٢"]


def test_every_odd_cell_is_a_one_line_reason_with_its_line(session, engine):
    """Fuzzing each column: the import never raises, and a refused row names its line and column
    (it used to crash on a positions count beyond the integer column and on NUL or a long reference)."""
    from sqlmodel import Session

    from nrs.companies.importer import run_import as import_companies
    from nrs.joborders.importer import COLUMNS, run_import

    import_companies(session, data_file("companies-example.csv").read_bytes())
    session.commit()
    for column in COLUMNS:
        for odd in ODD:
            cells = dict(ORDER, **{column: odd})
            text = ";".join(COLUMNS) + "\n\n" + ";".join(cells[c] for c in COLUMNS) + "\n"
            with engine.connect() as conn, Session(bind=conn) as s:
                report = run_import(s, text.encode("utf-8"))
                s.flush()
                s.rollback()
            assert all(p.startswith("line 3: ") and "\n" not in p for p in report.problems), report.problems
            if report.invalid:
                assert any(p.startswith(f"line 3: {column} ") for p in report.problems), (column, report.problems)


def test_cpr_numbers_however_written_and_control_characters_are_refused(cli_run, session, tmp_path):
    load_companies(cli_run)
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "1;68122368;Elektriker 01.01.90–1234;1;2016-01-12;;åben;;;\n"
                    + "2;68122368;Kok\x01;1;2016-01-12;;åben;;;\n"
                    + "3;68122368;Kok;1;2016-01-12;;ikke besat;2016-02-01;;Ansat 0101\u200b90 1234\n",
                    encoding="utf-8")
    r = cli_run("orders", "import", str(path))
    assert r.exit_code == 1
    assert "line 2: title" in r.output and "CPR number" in r.output
    assert "line 3: title Kok\\u0001 contains a control character" in r.output
    assert "line 4: close_reason" in r.output
    assert session.exec(select(JobOrder)).all() == []


def test_positions_and_several_hires_from_a_comma_list(cli_run, session, tmp_path):
    """``hired_from`` lists one centre per hire (at most ``positions``); the rest of a filled order is other."""
    load_companies(cli_run)
    path = tmp_path / "orders.csv"
    path.write_text(HEADER
                    + "1;19169987;Tømrer;3;2016-03-18;;besat;2016-04-27;219, 217;\n"
                    + "2;19169987;Murer;1;2016-03-18;;besat;2016-04-27;219,217;\n"
                    + "3;19169987;Maler;2;2016-03-18;;besat;2016-04-27;219,,217;\n", encoding="utf-8")
    r = cli_run("orders", "import", str(path))
    assert r.exit_code == 1
    assert "line 3: hired_from 219,217 lists 2 hires but the order has 1 positions" in r.output
    assert "line 4: hired_from 219,,217 has an empty centre code" in r.output
    r = cli_run("orders", "import", "--skip-invalid", str(path))
    order = session.exec(select(JobOrder)).one()
    assert (order.state, order.positions) == ("filled", 3)
    figures = json.loads(cli_run("reports", "status", "--as-of", "2016-04-30", "--json").output)
    assert (figures["positions_received"], figures["positions_hired"], figures["positions_other"]) == (3, 2, 1)
