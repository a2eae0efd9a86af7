"""Factory fixtures for campaigns: the example companies, 2016's focus sectors, a campaign."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlmodel import select

from nrs.campaigns import services
from nrs.clock import utcnow
from nrs.companies.models import Company
from nrs.municipalities.services import centre_for_municipality
from nrs.sectors.models import FocusSector

#: 2016's focus sectors (styregruppen): construction and transport, as DB07 hovedgrupper.
SECTORS_2016 = {"Bygge og anlæg": "41,42,43", "Transport": "49,50,51,52,53"}


def _has_command(*path: str) -> bool:
    from nrs.cli import cli

    group = cli
    for name in path:
        group = getattr(group, "commands", {}).get(name)
        if group is None:
            return False
    return True


def _employees(text: str) -> tuple[int | None, int | None]:
    text = text.strip()
    if not text:
        return None, None
    m = re.fullmatch(r"ANTAL_(\d+)_(\d*)", text) or re.fullmatch(r"(\d+)-(\d+)", text)
    if m:
        high = int(m.group(2)) if m.group(2) and m.group(2) != "999999" else None
        return int(m.group(1)), high
    return int(text), int(text)


ALIASES = {"cvr-nummer": "cvr", "cvrnr": "cvr", "navn": "name", "adresse": "address", "postnr": "postal_code",
           "by": "city", "kommunekode": "municipality_code", "branchekode": "industry_code",
           "ansatte": "employees", "telefon": "phone", "reklamebeskyttet": "advertising_protected"}


def _load_companies_directly(session, path) -> None:
    """A stand-in for ``nrs companies import`` while that command does not exist yet."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    header = text.splitlines()[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if ";" in header else ",")
    for raw_row in reader:
        r = {ALIASES.get(k.strip().lower(), k.strip().lower()): (v or "").strip() for k, v in raw_row.items()}
        cvr, name, muni = r["cvr"], r["name"], r["municipality_code"]
        low, high = _employees(r.get("employees", ""))
        values = dict(
            cvr=cvr, name=name, name_search=name.lower(), address=r.get("address", ""),
            postal_code=r.get("postal_code", ""), city=r.get("city", ""), municipality_code=int(muni),
            industry_code=r["industry_code"], employees_min=low, employees_max=high,
            active=r.get("status", "").upper() in ("", "NORMAL", "AKTIV"), phone=r.get("phone", ""),
            email=r.get("email", ""),
            advertising_protected=r.get("advertising_protected", "").lower() in ("ja", "true", "1"),
        )
        centre = centre_for_municipality(session, int(muni))
        values["lead_centre_id"] = centre.id if centre else None
        company = session.exec(select(Company).where(Company.cvr == cvr)).first() or Company(**values)
        for key, value in values.items():
            setattr(company, key, value)
        company.updated_at = utcnow()
        session.add(company)
    session.commit()


@pytest.fixture
def import_companies(session, cli_run):
    """Import a company file the way a coordinator does: ``nrs companies import FILE``."""

    def run(path):
        if _has_command("companies", "import"):
            result = cli_run("companies", "import", str(path))
            assert result.exit_code == 0, result.output + (result.stderr or "")
        else:
            _load_companies_directly(session, path)

    return run


@pytest.fixture
def sectors_2016(session, cli_run):
    """2016's focus sectors, set as the steering group does: ``nrs sectors set``."""
    for name, codes in SECTORS_2016.items():
        if _has_command("sectors", "set"):
            result = cli_run("sectors", "set", "--year", "2016", "--name", name, "--codes", codes)
            assert result.exit_code == 0, result.output + (result.stderr or "")
        else:
            session.add(FocusSector(year=2016, name=name, codes=codes))
            session.commit()
    return list(session.exec(select(FocusSector).where(FocusSector.year == 2016).order_by(FocusSector.id)))


@pytest.fixture
def make_campaign(session):
    """``make_campaign(year=2016, build=True)``: a campaign on the year's focus sectors."""

    def make(*, name: str = "Forår 2016", year: int = 2016, build: bool = False, **kwargs):
        campaign = services.create_campaign(session, by=None, name=name, year=year, **kwargs)
        if build:
            services.build_campaign(session, campaign, now=utcnow())
        session.commit()
        return campaign

    return make
