"""The period report as a user meets it: the command's JSON and files, the page, the workbook, the PDF."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from datetime import datetime

import pytest

from tests.conftest import IN_CI
from tests.reports.seedlike import make_seed_like

REQUIRED = {"orders_open_at_start", "orders_received", "orders_filled", "orders_unfilled", "orders_open_at_end",
            "hires_from_other_centres", "agreements_active_at_end", "by_centre", "by_sector"}


@pytest.fixture
def seed_like(make_company, make_job_order, centre_by_code, make_focus_sector):
    make_focus_sector(2016, "Bygge og anlæg", "41,42,43")
    make_focus_sector(2016, "Transport", "49,50,51,52,53")
    return make_seed_like(make_company, make_job_order, centre_by_code)


def period_json(cli_run, *extra: str) -> dict:
    r = cli_run("reports", "period", "--from", "2015-12-01", "--to", "2016-03-31", "--json", *extra)
    assert r.exit_code == 0, r.output + (r.stderr or "")
    return json.loads(r.output)


def test_command_gives_the_seed_figures_as_json(cli_run, seed_like):
    report = period_json(cli_run)
    assert REQUIRED <= set(report)
    assert (report["orders_open_at_start"], report["orders_received"], report["orders_filled"],
            report["orders_unfilled"], report["orders_open_at_end"]) == (0, 32, 10, 6, 16)
    assert set(report["by_centre"]) == {"201", "210", "217", "219", "223", "240", "250", "260", "270"}
    assert {"orders_received", "orders_filled", "orders_unfilled", "orders_open_at_end"} <= set(report["by_centre"]["201"])
    assert report["by_sector"]["2016 Bygge og anlæg"]["orders_received"] == 32
    assert (report["positions_received"], report["positions_hired"], report["positions_other"],
            report["positions_open_at_end"]) == (32, 10, 6, 16)
    assert report["by_sector"]["2016 Bygge og anlæg"]["positions_received"] == 32
    assert report["orders_cancelled"] == 0
    assert report["star"]["orders"] == 32 and report["star"]["referral_rate"] == 0
    assert report["enquiries"]["received"] == 0
    one = period_json(cli_run, "--centre", "201")
    assert list(one["by_centre"]) == ["201"]
    assert one["orders_received"] == report["by_centre"]["201"]["orders_received"]


def test_command_refuses_bad_input_with_a_message(cli_run):
    for args in (["--from", "01-12-2015", "--to", "2016-03-31", "--json"],
                 ["--from", "2016-03-31", "--to", "2015-12-01", "--json"],
                 ["--from", "2015-12-01", "--to", "2016-03-31", "--centre", "999", "--json"],
                 ["--from", "2015-12-01", "--to", "2016-03-31", "--format", "pdf"]):
        r = cli_run("reports", "period", *args)
        assert r.exit_code == 1, args
        assert (r.stderr or r.output).strip()


def test_page_shows_the_period_with_charts_and_tables(client, login_as, seed_like):
    login_as("staff", 201)
    page = client.get("/rapporter/?from=01-12-2015&to=31-03-2016").get_data(as_text=True)
    assert "Perioderapport 01-12-2015 – 31-03-2016" in page
    assert ("Ved udgangen af marts 2016 var der modtaget 32 jobordrer. 10 jobordrer er lukket med ansættelse af en "
            "ledig fra en af de 9 kommuner, 6 er lukket uden resultat og 16 er endnu ikke afsluttede.") in page
    # four SVG charts as images (the page's CSP allows data: images, not inline styles), each with a table
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="Diagram: se tabellen ([^"]+)"', page)
    assert len(charts) == 4
    svg = base64.b64decode(charts[0][0]).decode()
    assert svg.startswith("<svg") and "<script" not in svg and "kozea.github.io" not in svg
    assert "Jobordrer pr. måned: modtaget og lukket" in svg
    main = re.split(r"<main[^>]*>", page)[1]
    assert "<script" not in main and " style=" not in main and "<style" not in main
    months = page[page.index('data-testid="period-months"'):]
    months = months[:months.index("</table>")]
    assert "december 2015" in months and "marts 2016" in months
    assert 'data-testid="period-centres"' in page and 'data-testid="period-sectors"' in page
    positions = page[page.index('data-testid="period-position_centres"'):]
    nrs_row = re.search(r'<tr class="total">(.*?)</tr>', positions, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', nrs_row) == ["", "0", "32", "10", "6", "0", "16"]
    # still the status as of a date below it
    assert "Status pr." in page


def test_page_refuses_bad_dates_next_to_the_field(client, login_as):
    login_as("staff", 201)
    r = client.get("/rapporter/?from=31-13-2016&to=01-01-2016")
    assert r.status_code == 400
    assert "Skriv datoen som dd-mm-åååå." in r.get_data(as_text=True)
    r = client.get("/rapporter/?from=01-02-2016&to=01-01-2016")
    assert r.status_code == 400 and "Slutdatoen kan ikke ligge før startdatoen." in r.get_data(as_text=True)
    assert client.get("/rapporter/?preset=forever").status_code == 400
    assert client.get("/rapporter/?preset=last_year&centre=abc").status_code == 400
    assert client.get("/rapporter/periode.xlsx?from=x&to=y").status_code == 400
    assert client.get("/rapporter/periode.doc?preset=last_year").status_code == 404
    assert client.get("/rapporter/?preset=last_quarter").status_code == 200


def _workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def test_workbook_has_a_sheet_per_table_with_numbers_and_dates(client, login_as, seed_like):
    login_as("staff", 201)
    r = client.get("/rapporter/periode.xlsx?from=01-12-2015&to=31-03-2016")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    wb = _workbook(r.data)
    assert wb.sheetnames == ["Nøgletal", "Jobordrer pr. jobcenter", "Jobordrer pr. fokusbranche",
                             "Jobordrer pr. måned", "Stillinger pr. jobcenter", "Stillinger pr. fokusbranche",
                             "Aftaler", "Kampagner i perioden", "STAR's jobordremåling", "Henvendelser pr. kanal"]
    ws = wb["Jobordrer pr. jobcenter"]
    assert ws["B2"].value == datetime(2015, 12, 1) and ws["C2"].value == datetime(2016, 3, 31)
    assert isinstance(ws["B3"].value, datetime)
    assert ws.freeze_panes == "A6"
    assert ws["A5"].value == "Jobcenter" and ws["D5"].value == "Modtaget"
    assert ws["A6"].value == "NRS" and ws["D6"].value == 32
    assert sum(ws.cell(row=r, column=4).value for r in range(7, 16)) == 32
    months = wb["Jobordrer pr. måned"]
    assert months["A6"].value == datetime(2015, 12, 1) and months["A6"].is_date
    # one position per order: positions received 32, of which 10 hired, 6 other, 16 open at the end
    positions = wb["Stillinger pr. jobcenter"]
    assert [positions.cell(row=6, column=c).value for c in range(3, 9)] == [0, 32, 10, 6, 0, 16]
    star = wb["STAR's jobordremåling"]
    assert star["A6"].value == "I alt" and star["B6"].value == 32 and star["C6"].value == 32
    assert wb["Henvendelser pr. kanal"]["B6"].value == 0


def test_libreoffice_opens_the_workbook_with_summable_numbers(tmp_path, cli_run, seed_like):
    if not shutil.which("soffice"):
        if IN_CI:
            pytest.fail("soffice (libreoffice-calc-nogui) is missing; CI must open the workbook in LibreOffice")
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "rapport.xlsx"
    r = cli_run("reports", "period", "--from", "2015-12-01", "--to", "2016-03-31", "--format", "xlsx",
                "--output", str(path))
    assert r.exit_code == 0, r.output
    # LibreOffice reads the workbook and writes it again: what survives is what it understood
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"), str(path)],
                   check=True, capture_output=True, timeout=180)
    ws = _workbook((tmp_path / "out" / "rapport.xlsx").read_bytes())["Jobordrer pr. jobcenter"]
    assert ws["D6"].value == 32 and ws["B2"].value == datetime(2015, 12, 1) and ws["B2"].is_date
    assert sum(ws.cell(row=r, column=4).value for r in range(7, 16)) == 32


def _pdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_first_page_says_it_in_the_seeds_words(tmp_path, cli_run, seed_like):
    path = tmp_path / "rapport.pdf"
    r = cli_run("reports", "period", "--from", "2015-12-01", "--to", "2016-03-31", "--format", "pdf",
                "--output", str(path))
    assert r.exit_code == 0, r.output
    pages = _pdf_text(path.read_bytes())
    assert len(pages) >= 2
    assert ("Ved udgangen af marts 2016 var der modtaget 32 jobordrer. 10 jobordrer er lukket med ansættelse af "
            "en ledig fra en af de 9 kommuner, 6 er lukket uden resultat og 16 er endnu ikke afsluttede.") in pages[0]
    assert "Nøgletal" in pages[0]
    rest = " ".join(pages[1:])
    assert "Jobordrer pr. jobcenter" in rest and "Allerød" in rest
    assert "Stillinger pr. fokusbranche" in rest and "STAR's jobordremåling" in rest and "Henvendelser pr. kanal" in rest


def test_a_centres_pdf_names_the_centre_on_its_first_page(tmp_path, cli_run, seed_like):
    path = tmp_path / "allerod.pdf"
    r = cli_run("reports", "period", "--from", "2015-12-01", "--to", "2016-03-31", "--centre", "201",
                "--format", "pdf", "--output", str(path))
    assert r.exit_code == 0, r.output
    assert "status 01-12-2015 – 31-03-2016 · Jobcenter Allerød (201)" in " ".join(_pdf_text(path.read_bytes())[0].split())


def test_a_period_not_from_the_start_names_the_orders_open_at_start(client, login_as, seed_like):
    login_as("staff", 201)
    page = client.get("/rapporter/?from=01-04-2016&to=15-04-2016").get_data(as_text=True)
    assert "Pr. 15-04-2016 var der i perioden modtaget 1 jobordrer, og 16 var åbne ved periodens start." in page
