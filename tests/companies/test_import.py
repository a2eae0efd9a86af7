"""Importing the example files through the CLI and the browser, as the format specs describe."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.companies.models import Company
from tests.conftest import data_file, post_form

EXAMPLES = ("companies-example.csv", "companies-example-update.csv", "cvr-example.jsonl")
# (rows read, new, changed, unchanged) for each file imported in order; each again is "0 changed".
EXPECTED = [(40, 40, 0, 0), (6, 0, 6, 0), (3, 3, 0, 0)]


def companies(session) -> dict[str, Company]:
    session.expire_all()
    return {c.cvr: c for c in session.exec(select(Company))}


def test_examples_in_order_through_cli(cli_run, session, centre_by_code):
    for name, (read, new, changed, unchanged) in zip(EXAMPLES, EXPECTED, strict=True):
        result = cli_run("companies", "import", str(data_file(name)))
        assert result.exit_code == 0, result.output + result.stderr
        assert (f"{read} rows read, {new} new, {changed} changed, {unchanged} unchanged, 0 invalid; "
                "unknown columns: none") in result.output
        again = cli_run("companies", "import", str(data_file(name)))
        assert again.exit_code == 0
        assert f"{read} rows read, 0 new, 0 changed, {read} unchanged" in again.output
    found = companies(session)
    assert len(found) == 43
    # Danish dialect: zero-padded municipality, CVR band, leading-zero industry code, ceased, protected.
    taxa = found["34118248"]
    assert (taxa.municipality_code, taxa.industry_code, taxa.employees_min, taxa.employees_max) == (210, "052000", 5, 9)
    assert taxa.lead_centre_id == centre_by_code(210).id
    assert found["45116158"].active is False  # UNDER KONKURS
    assert found["93503058"].advertising_protected is True
    assert found["67871332"].employees_min == 1000 and found["67871332"].employees_max is None
    # Outside the nine (Rudersdal 230, Furesø 190): no lead until someone assigns one.
    assert found["20433213"].lead_centre_id is None and found["19169987"].lead_centre_id is None
    # The Windows-1252 update: the name keeps its æ, employees changed.
    updated = found["59877690"]
    assert updated.name == "Nordsjællands Taxa A/S" and (updated.employees_min, updated.employees_max) == (20, 49)
    assert (found["52786800"].employees_min, found["52786800"].employees_max) == (2, 2)
    # CVR JSON: band from the newest monthly figure, secret e-mail left out, protection flag.
    byg = found["39413183"]
    assert byg.name == "Eksempel Byg A/S" and byg.email == "" and byg.phone == "47982241"
    assert (byg.employees_min, byg.employees_max, byg.municipality_code) == (20, 49, 240)
    assert found["48677495"].advertising_protected is True and found["48677495"].lead_centre_id is None
    assert found["81167192"].address == "Industrivej 10" and found["81167192"].lead_centre_id == centre_by_code(201).id


BAD = (
    "CVR-nummer;Navn;Kommunekode;Branchekode;Ansatte;Email;Farve\r\n"
    "81167192;God Virksomhed ApS;201;412000;5;;blå\r\n"
    "\r\n"
    "12345678;Forkert Kontrolciffer ApS;201;412000;;;\r\n"
    "39413183;Ukendt Kommune ApS;999;412000;;;\r\n"
    "48677495;Kort Branchekode ApS;201;52000;;;\r\n"
    "20433213;;0201;412000;mange;ikke-en-mail;\r\n"
)


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    return path


def test_bad_rows_change_nothing_and_are_all_named(cli_run, session, bad_file):
    result = cli_run("companies", "import", str(bad_file))
    assert result.exit_code == 1
    out = result.output
    assert "line 4: cvr 12345678 fails the modulus-11 check" in out  # the blank line 3 still counts
    assert "line 5: municipality_code 999 is not a known municipality code" in out
    assert "line 6: industry_code 52000 is not a 6-digit DB07 code" in out
    assert "line 7: name (blank) is required" in out
    assert "line 7: employees mange is not a number" in out
    assert "line 7: email ikke-en-mail is not a valid e-mail address" in out
    assert "5 rows read" in out and "4 invalid" in out and "unknown columns: Farve" in out
    assert "nothing was written" in result.stderr
    assert companies(session) == {}


def test_skip_invalid_writes_the_valid_rows_but_still_fails(cli_run, session, bad_file):
    result = cli_run("companies", "import", "--skip-invalid", str(bad_file))
    assert result.exit_code == 1
    assert "1 new" in result.output and "line 4: cvr 12345678" in result.output
    assert list(companies(session)) == ["81167192"]


def test_file_without_required_column_is_refused(cli_run, tmp_path, session):
    path = tmp_path / "x.csv"
    path.write_text("cvr,name\n81167192,X\n")
    result = cli_run("companies", "import", str(path))
    assert result.exit_code == 1
    assert "municipality_code" in result.stderr and "nothing was written" in result.stderr
    assert companies(session) == {}


def test_comma_file_in_windows_1252_with_english_headers(cli_run, tmp_path, session):
    path = tmp_path / "excel.csv"
    path.write_bytes("Name , CVR,municipality_code,industry_code,advertising_protected\r\n"
                     "Århus Ølbryggeri,81167192,0201,110500,ja\r\n".encode("cp1252"))
    result = cli_run("companies", "import", str(path))
    assert result.exit_code == 0, result.output + result.stderr
    company = companies(session)["81167192"]
    assert company.name == "Århus Ølbryggeri" and company.advertising_protected is True


def test_later_row_for_same_cvr_wins(cli_run, tmp_path, session):
    path = tmp_path / "twice.csv"
    path.write_text("cvr;name;municipality_code;industry_code\n81167192;Først;201;412000\n81167192;Sidst;219;412000\n")
    assert cli_run("companies", "import", str(path)).exit_code == 0
    assert companies(session)["81167192"].name == "Sidst"


def upload(client, name: str, data: bytes, *, skip_invalid: bool = False):
    fields = {"file": (io.BytesIO(data), name)}
    if skip_invalid:
        fields["skip_invalid"] = "y"
    return post_form(client, "/virksomheder/indlaes", fields, content_type="multipart/form-data")


def test_examples_in_order_through_the_browser(client, login_as, session):
    login_as("coordinator", centre=219)
    for name, (read, new, changed, unchanged) in zip(EXAMPLES, EXPECTED, strict=True):
        response = upload(client, name, data_file(name).read_bytes())
        html = response.get_data(as_text=True)
        assert response.status_code == 200, html
        assert f"{read} rows read, {new} new, {changed} changed, {unchanged} unchanged, 0 invalid" in html
    again = upload(client, EXAMPLES[2], data_file(EXAMPLES[2]).read_bytes())
    assert "3 rows read, 0 new, 0 changed, 3 unchanged" in again.get_data(as_text=True)
    assert len(companies(session)) == 43
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "company_import")).all()
    assert len(events) == 4 and all(e.user_id is not None for e in events)


def test_browser_upload_with_bad_rows_writes_nothing_unless_asked(client, login_as, session):
    login_as("coordinator")
    response = upload(client, "bad.csv", BAD.encode())
    html = response.get_data(as_text=True)
    assert "Intet er gemt" in html
    assert "line 4: cvr 12345678 fails the modulus-11 check" in html
    assert "line 6: industry_code 52000 is not a 6-digit DB07 code" in html
    assert companies(session) == {}
    response = upload(client, "bad.csv", BAD.encode(), skip_invalid=True)
    assert "De gyldige rækker er indlæst" in response.get_data(as_text=True)
    assert list(companies(session)) == ["81167192"]


def test_staff_cannot_open_the_import_page(client, login_as):
    login_as("staff")
    assert client.get("/virksomheder/indlaes").status_code == 403


def test_cvr_json_without_wrapper_ceased_company_and_bad_line(cli_run, tmp_path, session):
    import json

    doc = json.loads(data_file("cvr-example.jsonl").read_text().splitlines()[0])["_source"]
    doc["Vrvirksomhed"]["livsforloeb"][-1]["periode"]["gyldigTil"] = "2016-05-01"
    doc["Vrvirksomhed"]["telefonNummer"][0]["hemmelig"] = True
    path = tmp_path / "cvr.jsonl"
    path.write_text(json.dumps(doc) + "\n\nnot json\n")
    result = cli_run("companies", "import", str(path))
    assert result.exit_code == 1 and "line 3: document 'not json' is not a CVR JSON document" in result.output
    assert companies(session) == {}
    assert cli_run("companies", "import", "--skip-invalid", str(path)).exit_code == 1
    company = companies(session)["81167192"]
    assert company.active is False and company.phone == "" and company.source.value == "cvr"
    pretty = tmp_path / "one.json"
    pretty.write_text(json.dumps({"Vrvirksomhed": {**doc["Vrvirksomhed"], "cvrNummer": 39413183}}, indent=2))
    assert cli_run("companies", "import", str(pretty)).exit_code == 0
    assert "39413183" in companies(session)


def test_a_file_over_many_chunks(monkeypatch, session, make_company, centre_by_code):
    """New, changed, moved and overridden companies spread over several chunks: each new company
    gets its own id and its own audit event, moves follow the lead rule, the override stays."""
    from nrs.companies import services
    from nrs.companies.importer import run_import
    from tests.factories.companies import next_cvr

    monkeypatch.setattr(services, "CHUNK", 7)
    monkeypatch.setattr(services, "PG_CHUNK", 7)
    renamed = make_company(name="Gammelt Navn ApS")
    moved = make_company(name="Flytter ApS", municipality_code=201)
    fixed = make_company(name="Aftalt ApS", municipality_code=201)
    services.override_lead(session, fixed, by=None, centre_id=centre_by_code(270).id, reason="Aftalt")
    session.commit()
    version = renamed.version
    new = [next_cvr() for _ in range(30)]
    lines = ["cvr;name;municipality_code;industry_code"]
    lines += [f"{cvr};Ny {i} ApS;{(201, 219, 230)[i % 3]};412000" for i, cvr in enumerate(new[:15])]
    lines += [f"{renamed.cvr};Nyt Navn ApS;201;412000", f"{moved.cvr};Flytter ApS;219;412000",
              f"{fixed.cvr};Aftalt ApS;219;412000"]
    lines += [f"{cvr};Ny {i} ApS;{(201, 219, 230)[i % 3]};412000" for i, cvr in enumerate(new[15:], 15)]
    data = "\n".join(lines).encode()
    report = run_import(session, data, filename="many.csv")
    session.commit()
    assert (report.new, report.changed, report.unchanged) == (30, 3, 0)
    assert sorted(report.moved) == sorted([moved.cvr, fixed.cvr])

    found = companies(session)
    creates = {e.entity_id: e.changes for e in session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "company", AuditEvent.action == "create"))}
    for i, cvr in enumerate(new):
        company = found[cvr]
        assert company.name == f"Ny {i} ApS" and company.name_search == f"ny {i} aps"
        assert company.lead_centre_id == (centre_by_code(201).id, centre_by_code(219).id, None)[i % 3]
        assert creates[str(company.id)]["cvr"] == cvr
    assert found[renamed.cvr].name == "Nyt Navn ApS" and found[renamed.cvr].version == version + 1
    assert found[moved.cvr].lead_centre_id == centre_by_code(219).id
    assert found[fixed.cvr].lead_centre_id == centre_by_code(270).id and found[fixed.cvr].lead_override

    again = run_import(session, data, filename="many.csv")
    assert (again.new, again.changed, again.unchanged) == (0, 0, 33)


def test_csv_refuses_cpr_numbers_and_control_characters_by_line_and_column(cli_run, tmp_path, session):
    path = tmp_path / "cpr.csv"
    path.write_text("cvr;name;address;city;phone;municipality_code;industry_code\n"
                    "81167192;Firma ApS;Vej 1, 010190-1234;By;;201;412000\n"
                    "39413183;Firma To ApS;Vej 2;01 01 90 1234;;201;412000\n"
                    "29403473;Firma Tre\x01 ApS;Vej 3;By;０１０１９０１２３４;201;412000\n", encoding="utf-8")
    result = cli_run("companies", "import", "--skip-invalid", str(path))
    assert result.exit_code == 1
    assert "line 2: address" in result.output and "line 3: city" in result.output
    assert "line 4: name Firma Tre\\u0001 ApS contains a control character" in result.output
    assert "line 4: phone" in result.output and "CPR number" in result.output
    assert companies(session) == {}


def test_json_lines_refuses_a_cpr_number(cli_run, tmp_path, session):
    import json

    doc = json.loads(data_file("cvr-example.jsonl").read_text().splitlines()[0])["_source"]
    doc["Vrvirksomhed"]["telefonNummer"][0]["kontaktoplysning"] = "010190\u20131234"
    doc["Vrvirksomhed"]["telefonNummer"][0]["hemmelig"] = False
    path = tmp_path / "cvr.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    result = cli_run("companies", "import", str(path))
    assert result.exit_code == 1 and "line 1: phone" in result.output and "CPR number" in result.output
    assert companies(session) == {}


def test_a_cpr_number_in_the_file_name_or_a_column_name_stops_the_file(cli_run, tmp_path, session):
    path = tmp_path / "010190-1234.csv"
    path.write_text("cvr;name;municipality_code;industry_code\n81167192;Firma;201;412000\n")
    result = cli_run("companies", "import", str(path))
    assert result.exit_code == 1 and "the file name" in (result.stderr or result.output)
    path = tmp_path / "ok.csv"
    path.write_text("cvr;name;municipality_code;industry_code;Note 010190 1234\n81167192;Firma;201;412000;x\n")
    result = cli_run("companies", "import", str(path))
    assert result.exit_code == 1 and "a column name" in (result.stderr or result.output)
    assert companies(session) == {}


def test_a_cpr_number_is_read_per_cell_never_across_two(cli_run, tmp_path, session):
    """A number written over two cells is no CPR number; one written in groups inside a cell is."""
    path = tmp_path / "cells.csv"
    path.write_text("cvr;name;address;city;phone;municipality_code;industry_code\n"
                    "81167192;Firma ApS;Vej 010190;1234 By;;201;412000\n"
                    "39413183;Firma To ApS;Vej 12;01 01 90 12 34;;201;412000\n", encoding="utf-8")
    result = cli_run("companies", "import", "--skip-invalid", str(path))
    assert result.exit_code == 1
    assert "line 3: city" in result.output and "CPR number" in result.output
    assert "line 2" not in result.output
    assert set(companies(session)) == {"81167192"}
