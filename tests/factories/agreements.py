"""``make_focus_sector(...)`` and ``make_agreement(company=..., **kw)``: committed rows made by the services."""

from __future__ import annotations

from datetime import date

import pytest

from nrs.agreements import services as agreement_services
from nrs.agreements.models import AgreementKind
from nrs.sectors import services as sector_services


@pytest.fixture
def make_focus_sector(session):
    """Create (or replace the codes of) the sector ``name`` of ``year``."""

    def make(year: int = 2016, name: str = "Bygge og anlæg", codes: str = "41,42,43"):
        sector = sector_services.set_sector(session, by=None, year=year, name=name, codes=codes)
        session.commit()
        return sector

    return make


@pytest.fixture
def make_agreement(session, make_company, make_focus_sector):
    """A signed agreement from 01-01-2016, open-ended unless told; a recruitment one gets a sector."""

    def make(company=None, *, focus_sector=None, **kw):
        company = company or make_company()
        kw.setdefault("kind", AgreementKind.recruitment)
        kw.setdefault("valid_from", date(2016, 1, 1))
        kw.setdefault("signed_on", kw["valid_from"])
        if focus_sector is None and "focus_sector_id" not in kw and AgreementKind(kw["kind"]) == AgreementKind.recruitment:
            focus_sector = make_focus_sector()
        if focus_sector is not None:
            kw["focus_sector_id"] = focus_sector.id
        agreement = agreement_services.create_agreement(session, by=None, company=company, **kw)
        session.commit()
        return agreement

    return make
