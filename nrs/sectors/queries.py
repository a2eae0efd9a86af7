"""Sector matching: the one query that decides which companies belong to a sector.

Campaigns, the front page and exports all build on ``sector_rule`` (through ``matching_companies``)
so that a company counts in the same sector everywhere, and a campaign names why a company left
its list by the same named conditions.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs.collation import danish
from nrs.companies.models import Company
from nrs.sectors.models import FocusSector


def _upper_bound(prefix: str) -> str | None:
    """The first code after every code starting with ``prefix`` (``49`` → ``50``), or None.

    Digits only: a bound such as ``4:`` would sort differently under a non-C collation
    (glibc and ICU ignore punctuation), while strings of digits sort the same everywhere.
    """
    nxt = str(int(prefix) + 1).zfill(len(prefix))
    return nxt if len(nxt) == len(prefix) else None


def prefix_condition(prefixes: Iterable[str]):
    """Industry code starts with one of ``prefixes`` (text comparison: ``052000`` is not ``52``)."""
    conds = []
    for prefix in sorted(set(prefixes)):
        if len(prefix) == 6:
            conds.append(Company.industry_code == prefix)
            continue
        # A range on the text column uses the index on both databases, unlike LIKE on SQLite.
        upper = _upper_bound(prefix)
        if upper is None:
            conds.append(Company.industry_code >= prefix)
        else:
            conds.append(sa.and_(Company.industry_code >= prefix, Company.industry_code < upper))
    return sa.or_(*conds) if conds else sa.false()


def sector_condition(sector: FocusSector):
    """``Company`` belongs to ``sector``: for a ``where`` on any query joined to companies."""
    return prefix_condition(sector.prefixes)


def big_enough(min_employees: int | None):
    """At least ``min_employees``: the lower bound of the company's range is at least N.

    An unknown size never qualifies for a minimum; with no minimum (None or 0) every company does,
    unknown size included. True or false, never null, so that its negation names a miss.
    """
    if not min_employees:
        return sa.true()
    return sa.and_(Company.employees_min.is_not(None), Company.employees_min >= min_employees)


def sector_rule(
    *,
    prefixes: Iterable[str],
    min_employees: int | None = None,
    municipality_codes: Iterable[int] | None = None,
    active_only: bool = True,
) -> dict[str, sa.ColumnElement[bool]]:
    """The sector rule as named conditions on ``Company``; a company matches when all hold.

    Only the conditions that restrict are present. The names are what a campaign uses to say why
    a company no longer matches (``nrs.campaigns.services``), so matching and naming cannot differ.
    """
    named: dict[str, sa.ColumnElement[bool]] = {}
    if active_only:
        named["active"] = Company.active.is_(True)
    if municipality_codes is not None:
        named["in_municipalities"] = Company.municipality_code.in_(list(municipality_codes))
    if min_employees:
        named["big_enough"] = big_enough(min_employees)
    named["in_sector_codes"] = prefix_condition(prefixes)
    return named


def matching_companies(
    *,
    prefixes: Iterable[str],
    min_employees: int | None = None,
    municipality_codes: Iterable[int] | None = None,
    active_only: bool = True,
):
    """A ``select(Company)`` of the companies that meet every condition of ``sector_rule``."""
    rule = sector_rule(prefixes=prefixes, min_employees=min_employees,
                       municipality_codes=municipality_codes, active_only=active_only)
    return select(Company).where(*rule.values())


def sectors_for_year(session: Session, year: int) -> list[FocusSector]:
    return list(session.exec(select(FocusSector).where(FocusSector.year == year).order_by(danish(FocusSector.name))))


def sector_years(session: Session) -> list[int]:
    """Years that have sectors, newest first."""
    return list(session.exec(select(FocusSector.year).distinct().order_by(FocusSector.year.desc())))


def all_sectors(session: Session) -> list[FocusSector]:
    """Every sector, newest year first (for filters over what exists, retired ones included)."""
    return list(session.exec(select(FocusSector).order_by(FocusSector.year.desc(), danish(FocusSector.name))))


#: A sector that may be chosen for new work: not retired.
OFFERED = FocusSector.retired_at.is_(None)


def offered_sectors(session: Session, *, keep: Iterable[int | None] = ()) -> list[FocusSector]:
    """Sectors to choose from on a form, newest year first: the retired ones are left out, except
    those in ``keep`` (the sectors the edited object has already, so an edit does not lose them)."""
    kept = [k for k in keep if k]
    cond = sa.or_(OFFERED, FocusSector.id.in_(kept)) if kept else OFFERED
    return list(session.exec(select(FocusSector).where(cond).order_by(FocusSector.year.desc(), danish(FocusSector.name))))


def sector_by_name(session: Session, *, year: int, name: str) -> FocusSector | None:
    return session.exec(
        select(FocusSector).where(FocusSector.year == year, FocusSector.name == name.strip())
    ).first()


def sectors_for_company(session: Session, company_id: int, *, year: int) -> list[FocusSector]:
    """The sectors of ``year`` that the company belongs to, by the same prefix condition."""
    sectors = sectors_for_year(session, year)
    if not sectors:
        return []
    row = session.execute(
        sa.select(*[sector_condition(s).label(f"s{i}") for i, s in enumerate(sectors)]).where(
            Company.id == company_id
        )
    ).first()
    if row is None:
        return []
    return [s for s, hit in zip(sectors, row, strict=True) if hit]


def sector_for_company(session: Session, company_id: int, *, year: int) -> FocusSector | None:
    """The company's focus sector that year (the first by name if the sectors overlap)."""
    found = sectors_for_company(session, company_id, year=year)
    return found[0] if found else None
