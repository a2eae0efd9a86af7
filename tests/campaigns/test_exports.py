"""Exports of a target list, opened the way a consultant opens them (LibreOffice, headless)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.campaigns.queries import EXPORT_HEADERS
from nrs.companies.models import Company
from nrs.refdata import industry_name
from tests.conftest import IN_CI

TRICKY = dict(cvr="29403473", name="=1+1 Ølstykke Entreprise ApS", address="Æblevej 5", postal_code="3400",
              city="Hillerød", municipality_code=219, industry_code="412000", employees_min=10,
              employees_max=19, phone="+45 48 10 00 00", email="post@oelstykke.dk")


@pytest.fixture
def campaign(session, sectors_2016, make_campaign, centre_by_code):
    session.add(Company(**TRICKY, lead_centre_id=centre_by_code(219).id))
    session.add(Company(cvr="99083867", name="Helsingør Vognmand A/S", municipality_code=217,
                        industry_code="494100", employees_min=5, employees_max=9,
                        lead_centre_id=centre_by_code(217).id))
    session.commit()
    return make_campaign(build=True)


def soffice_to_csv(tmp_path, path, *, infilter: str | None = None) -> list[list[str]]:
    """Convert with LibreOffice headless to CSV (UTF-8, ;) and read the cells back."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if IN_CI:
            pytest.fail("soffice (libreoffice-calc-nogui) is missing; CI must test the exports in LibreOffice")
        pytest.skip("soffice not installed")
    out = tmp_path / "converted"
    args = [exe, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless"]
    if infilter:
        args.append(f"--infilter={infilter}")
    args += ["--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1", "--outdir", str(out), str(path)]
    subprocess.run(args, check=True, capture_output=True, timeout=180)
    text = (out / (path.stem + ".csv")).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _row(rows, cvr):
    return next(dict(zip(rows[0], r, strict=False)) for r in rows[1:] if r[0] == cvr)


def test_csv_export_opens_in_libreoffice_with_danish_letters_and_no_formulas(
    client, session, login_as, campaign, tmp_path
):
    login_as("staff", centre=219)
    response = client.get(f"/kampagner/{campaign.id}/eksport.csv?centre=219")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data()
    assert body.startswith("\ufeffCVR-nummer;Navn;".encode())
    path = tmp_path / "liste.csv"
    path.write_bytes(body)

    rows = soffice_to_csv(tmp_path, path, infilter="CSV:59,34,76,1")
    assert rows[0] == EXPORT_HEADERS
    assert len(rows) == 2  # only Hillerød's target
    row = _row(rows, "29403473")
    assert row["Navn"] == "'=1+1 Ølstykke Entreprise ApS"  # text, not 2
    assert row["Telefon"] == "'+45 48 10 00 00"
    assert row["Adresse"] == "Æblevej 5" and row["Kommune"] == "Hillerød"
    assert row["Branche"] == industry_name("412000") != ""
    assert row["Ansatte"] == "10–19 ansatte" and row["Status"] == "Ikke kontaktet"
    assert row["Jobcenter (kontakt)"] == "Jobcenter Hillerød"


def test_xlsx_export_opens_in_libreoffice_as_text(client, login_as, campaign, tmp_path):
    login_as("coordinator", centre=201)
    response = client.get(f"/kampagner/{campaign.id}/eksport.xlsx?centre=all")
    assert response.status_code == 200
    path = tmp_path / "liste.xlsx"
    path.write_bytes(response.get_data())
    ws = load_workbook(path).active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert [c.value for c in ws[1]] == EXPORT_HEADERS

    rows = soffice_to_csv(tmp_path, path)
    assert {r[0] for r in rows[1:]} == {"29403473", "99083867"}
    row = _row(rows, "29403473")
    assert row["Navn"].endswith("=1+1 Ølstykke Entreprise ApS") and row["Navn"] != "2"
    assert row["Telefon"].endswith("+45 48 10 00 00")
    assert row["Branchekode"] == "412000" and row["By"] == "Hillerød"


def test_export_filters_by_status_and_every_export_is_logged(client, session, login_as, campaign):
    user = login_as("staff", centre=219)
    response = client.get(f"/kampagner/{campaign.id}/eksport.csv?centre=all&status=contacted")
    lines = response.get_data().decode("utf-8-sig").strip().splitlines()
    assert lines == [";".join(EXPORT_HEADERS)]
    client.get(f"/kampagner/{campaign.id}/eksport.xlsx?centre=217")
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)).all()
    assert [(e.user_id, e.entity_id, e.changes["format"][1], e.changes["centre"][1], e.changes["status"][1])
            for e in events] == [
        (user.id, str(campaign.id), "csv", "all", "contacted"),
        (user.id, str(campaign.id), "xlsx", "217", None),
    ]
    assert events[1].changes["rows"] == [None, 1]


def test_export_needs_a_login(client, campaign):
    response = client.get(f"/kampagner/{campaign.id}/eksport.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
