"""Demo agreements: spring 2016's six recruitment agreements, and this year's, some about to end."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from nrs.agreements import services
from nrs.agreements.models import AgreementKind
from nrs.auth.models import User
from nrs.clock import today
from nrs.companies.models import Company
from nrs.sectors.models import FocusSector
from nrs.sectors.queries import matching_companies, sectors_for_year


def _companies_in(session, sector: FocusSector) -> list[Company]:
    stmt = matching_companies(prefixes=sector.prefixes).where(Company.lead_centre_id.is_not(None))
    return list(session.exec(stmt.order_by(Company.id)))


def _contact(session, rng, centre_id: int) -> int | None:
    ids = list(session.exec(select(User.id).where(User.job_centre_id == centre_id, User.active.is_(True))))
    return rng.choice(ids) if ids else None


def load(session, *, rng) -> None:
    used: set[int] = set()

    def pick(candidates: list[Company]) -> Company | None:
        free = [c for c in candidates if c.id not in used]
        if not free:
            return None
        company = rng.choice(free)
        used.add(company.id)
        return company

    def add(company, *, kind, sector, signed, valid_from, valid_to, centre_id=None, notes=""):
        centre = centre_id or company.lead_centre_id
        services.create_agreement(
            session, by=None, company=company, kind=kind, focus_sector_id=sector.id if sector else None,
            signed_on=signed, valid_from=valid_from, valid_to=valid_to, coordinating_centre_id=centre,
            contact_user_id=_contact(session, rng, centre), notes=notes,
        )

    # Spring 2016: six recruitment agreements in the two focus sectors, one year each.
    focus_2016 = [s for s in sectors_for_year(session, 2016) if s.name in ("Bygge og anlæg", "Transport")]
    for i in range(6):
        if not focus_2016:
            break
        sector = focus_2016[i % len(focus_2016)]
        company = pick(_companies_in(session, sector))
        if company is None:
            continue
        signed = date(2016, 1, 11) + timedelta(days=21 * i)
        add(company, kind=AgreementKind.recruitment, sector=sector, signed=signed, valid_from=signed,
            valid_to=signed.replace(year=2017) - timedelta(days=1))

    # This year: recruitment agreements in the current focus sectors, two ending within 60 days.
    now = today()
    focus_now = [s for s in sectors_for_year(session, now.year) if s.name in ("Bygge og anlæg", "Transport")]
    ends = [now + timedelta(days=20), now + timedelta(days=45), now + timedelta(days=200), None]
    for i, valid_to in enumerate(ends):
        if not focus_now:
            break
        sector = focus_now[i % len(focus_now)]
        company = pick(_companies_in(session, sector))
        if company is None:
            continue
        start = (valid_to or now + timedelta(days=365)) - timedelta(days=365)
        add(company, kind=AgreementKind.recruitment, sector=sector, signed=min(start, now), valid_from=start,
            valid_to=valid_to)

    # Cooperation agreements (open-ended) with two larger companies, one not yet signed.
    large = list(session.exec(
        select(Company).where(Company.lead_centre_id.is_not(None), Company.employees_min >= 50).order_by(Company.id)
    )) or list(session.exec(select(Company).where(Company.lead_centre_id.is_not(None)).order_by(Company.id)))
    for signed in (date(2016, 9, 1), None):
        company = pick(large)
        if company is not None:
            add(company, kind=AgreementKind.cooperation, sector=None, signed=signed,
                valid_from=signed or now + timedelta(days=30), valid_to=None,
                notes="Samarbejdsaftale om rekruttering og virksomhedspraktik.")

    # Jobservice Danmark: one centre coordinates a company with sites across the country.
    company = pick(large)
    if company is not None:
        add(company, kind=AgreementKind.jobservice, sector=None, signed=min(date(now.year, 1, 15), now),
            valid_from=date(now.year, 2, 1), valid_to=date(now.year + 1, 6, 30),  # never within 60 days
            notes="Landsdækkende aftale via Jobservice Danmark; NRS er tovholder for afdelingerne i Nordsjælland.")
    session.flush()
