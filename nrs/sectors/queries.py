"""Sector matching: the one query that decides which companies belong to a sector.

Campaigns, the front page and exports all call ``matching_companies`` so that a company counts
in the same sector everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import select

from nrs.companies.models import Company


def prefix_condition(prefixes: Iterable[str]):
    """Industry code starts with one of ``prefixes`` (text comparison: ``052000`` is not ``52``)."""
    conds = []
    for prefix in sorted(set(prefixes)):
        if len(prefix) == 6:
            conds.append(Company.industry_code == prefix)
        else:
            # A range on the text column uses the index on both databases, unlike LIKE on SQLite.
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            conds.append(sa.and_(Company.industry_code >= prefix, Company.industry_code < upper))
    return sa.or_(*conds) if conds else sa.false()


def matching_companies(
    *,
    prefixes: Iterable[str],
    min_employees: int | None = None,
    municipality_codes: Iterable[int] | None = None,
    active_only: bool = True,
):
    """A ``select(Company)`` of the companies in the sector.

    "At least N employees" means the lower bound of the company's range is at least N; an
    unknown count never qualifies.
    """
    stmt = select(Company).where(prefix_condition(prefixes))
    if active_only:
        stmt = stmt.where(Company.active.is_(True))
    if min_employees:
        stmt = stmt.where(Company.employees_min >= min_employees)
    if municipality_codes is not None:
        stmt = stmt.where(Company.municipality_code.in_(list(municipality_codes)))
    return stmt
