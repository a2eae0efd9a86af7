"""The API's reads: each domain's own list query, narrowed to the key's centre, paged by key.

A centre-scoped key sees a company, a job order or a campaign target when that centre leads it,
and an agreement when that centre coordinates it; campaigns themselves span the nine centres and
are seen whole (their targets are narrowed). An object outside the scope is simply not found.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs.agreements import queries as agreement_queries
from nrs.agreements.models import Agreement
from nrs.campaigns import queries as campaign_queries
from nrs.campaigns.models import Campaign, CampaignTarget
from nrs.companies import queries as company_queries
from nrs.companies.models import Company
from nrs.joborders import queries as order_queries
from nrs.joborders.models import JobOrder
from nrs.keyset import SortKey
from nrs.municipalities.models import JobCentre

COMPANY_KEYS = (SortKey(Company.name_search, kind=str), SortKey(Company.id))
AGREEMENT_KEYS = (SortKey(Agreement.id),)
CAMPAIGN_KEYS = (SortKey(Campaign.id, desc=True),)
TARGET_KEYS = (SortKey(CampaignTarget.id),)


def centre_codes(session: Session) -> dict[int, int]:
    """Centre id → its municipality code: the API names centres by code (201), never by our ids."""
    return dict(session.execute(sa.select(JobCentre.id, JobCentre.municipality_code)).all())


def centre_id(session: Session, code: int | None) -> int | None:
    if code is None:
        return None
    return session.execute(sa.select(JobCentre.id).where(JobCentre.municipality_code == code)).scalar_one_or_none()


def companies(session: Session, *, scope: int | None, q=None, cvr=None, municipality=None, status="all"):
    criteria = company_queries.Criteria(q=(q or "").strip(), cvr=cvr or "", municipality=municipality, status=status)
    stmt = company_queries.search(criteria, session).order_by(None)
    if scope is not None:
        stmt = stmt.where(Company.lead_centre_id == scope)
    return stmt


def company(session: Session, company_id: int, *, scope: int | None) -> Company | None:
    found = session.get(Company, company_id)
    return found if found is not None and scope in (None, found.lead_centre_id) else None


def orders(session: Session, flt: order_queries.OrderFilter, *, scope: int | None):
    """``select(JobOrder, Company, JobCentre)`` as the order list filters it, and its sort keys."""
    stmt = order_queries.order_rows(session, flt)
    if scope is not None:
        stmt = stmt.where(JobOrder.lead_centre_id == scope)
    return stmt, order_queries.sort_keys(flt)


def order(session: Session, order_id: int, *, scope: int | None):
    found = session.get(JobOrder, order_id)
    if found is None or scope not in (None, found.lead_centre_id):
        return None
    return found, session.get(Company, found.company_id)


def agreements(session: Session, *, scope: int | None, day: date, **filters):
    stmt = agreement_queries.listing(day=day, **filters).order_by(None)
    if scope is not None:
        stmt = stmt.where(Agreement.coordinating_centre_id == scope)
    return stmt


def agreement(session: Session, agreement_id: int, *, scope: int | None):
    found = session.get(Agreement, agreement_id)
    if found is None or scope not in (None, found.coordinating_centre_id):
        return None
    return found, session.get(Company, found.company_id)


def campaigns(*, year=None, status=None):
    stmt = select(Campaign)
    if year is not None:
        stmt = stmt.where(Campaign.year == year)
    if status is not None:
        stmt = stmt.where(Campaign.status == status)
    return stmt


def targets(campaign_id: int, *, scope: int | None, centre: int | None = None, status=None):
    """The campaign's list (its active part), as the campaign page reads it."""
    stmt = campaign_queries.targets(campaign_id, centre_id=centre, status=status).order_by(None)
    if scope is not None:
        stmt = stmt.where(CampaignTarget.lead_centre_id == scope)
    return stmt
