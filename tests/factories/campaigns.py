"""Factory fixtures for campaigns: the example companies, 2016's focus sectors, a campaign."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nrs.campaigns import services
from nrs.clock import utcnow
from nrs.sectors.models import FocusSector

#: 2016's focus sectors (styregruppen): construction and transport, as DB07 hovedgrupper.
SECTORS_2016 = {"Bygge og anlæg": "41,42,43", "Transport": "49,50,51,52,53"}


@pytest.fixture
def import_companies(cli_run):
    """Import a company file the way a coordinator does: ``nrs companies import FILE``."""

    def run(path):
        result = cli_run("companies", "import", str(path))
        assert result.exit_code == 0, result.output + (result.stderr or "")

    return run


@pytest.fixture
def sectors_2016(session, cli_run):
    """2016's focus sectors, set as the steering group does: ``nrs sectors set``."""
    for name, codes in SECTORS_2016.items():
        result = cli_run("sectors", "set", "--year", "2016", "--name", name, "--codes", codes)
        assert result.exit_code == 0, result.output + (result.stderr or "")
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
