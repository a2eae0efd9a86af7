"""Read side of agreements: lists, counts and the "ending soon" flag, shared by views and reports.

"Active" is ``Agreement.active_on(day)`` (models.py), in Python and in SQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs.agreements.models import Agreement, AgreementKind
from nrs.auth.models import User
from nrs.clock import today
from nrs.collation import danish
from nrs.companies.models import Company
from nrs.municipalities.models import JobCentre
from nrs.sectors.models import FocusSector

#: Agreements whose last day is at most this many days away are flagged to their coordinating centre.
ENDING_SOON_DAYS = 60

STATUSES = ("active", "ending", "future", "expired", "unsigned")


def ending_soon_condition(day: date, days: int = ENDING_SOON_DAYS):
    """Active on ``day`` and its last day (inclusive) no more than ``days`` days later."""
    return sa.and_(
        Agreement.active_on(day),
        Agreement.valid_to.is_not(None),
        Agreement.valid_to <= day + timedelta(days=days),
    )


def status_of(agreement: Agreement, day: date, days: int = ENDING_SOON_DAYS) -> str:
    """One word for the badge: active, ending (soon), future, expired or unsigned."""
    if agreement.active_on(day):
        if agreement.valid_to is not None and agreement.valid_to <= day + timedelta(days=days):
            return "ending"
        return "active"
    if agreement.signed_on is None:
        return "unsigned"
    if agreement.valid_to is not None and agreement.valid_to < day:
        return "expired"
    return "future"


def status_condition(status: str, day: date):
    """The SQL counterpart of ``status_of`` for the list filter."""
    if status == "active":
        return Agreement.active_on(day)
    if status == "ending":
        return ending_soon_condition(day)
    if status == "unsigned":
        return Agreement.signed_on.is_(None)
    if status == "expired":
        return sa.and_(Agreement.signed_on.is_not(None), Agreement.valid_to < day)
    if status == "future":
        return sa.and_(Agreement.signed_on.is_not(None), sa.not_(Agreement.active_on(day)),
                       sa.or_(Agreement.valid_to.is_(None), Agreement.valid_to >= day))
    raise ValueError(status)


@dataclass(frozen=True)
class AgreementRow:
    """An agreement with what a list shows beside it."""

    agreement: Agreement
    company: Company
    sector: FocusSector | None
    centre: JobCentre
    contact: User | None

    def status(self, day: date) -> str:
        return status_of(self.agreement, day)

    @property
    def current_status(self) -> str:
        return status_of(self.agreement, today())


def _rows_stmt():
    return (
        select(Agreement, Company, FocusSector, JobCentre, User)
        .join(Company, Agreement.company_id == Company.id)
        .join(JobCentre, Agreement.coordinating_centre_id == JobCentre.id)
        .outerjoin(FocusSector, Agreement.focus_sector_id == FocusSector.id)
        .outerjoin(User, Agreement.contact_user_id == User.id)
    )


def to_rows(results) -> list[AgreementRow]:
    return [AgreementRow(*r) for r in results]


def listing(
    *,
    day: date,
    centre_id: int | None = None,
    kind: AgreementKind | str | None = None,
    sector_id: int | None = None,
    status: str | None = None,
    company_id: int | None = None,
    text: str | None = None,
):
    """A select of (Agreement, Company, FocusSector, JobCentre, User) rows for the overall list."""
    stmt = _rows_stmt()
    if centre_id:
        stmt = stmt.where(Agreement.coordinating_centre_id == centre_id)
    if kind:
        stmt = stmt.where(Agreement.kind == AgreementKind(kind))
    if sector_id:
        stmt = stmt.where(Agreement.focus_sector_id == sector_id)
    if status:
        stmt = stmt.where(status_condition(status, day))
    if company_id:
        stmt = stmt.where(Agreement.company_id == company_id)
    if text:
        needle = text.strip()
        if needle.isdigit():
            stmt = stmt.where(Company.cvr == needle)
        else:
            stmt = stmt.where(Company.name.icontains(needle, autoescape=True))  # % and _ are literal
    return stmt.order_by(Agreement.valid_to.is_(None), Agreement.valid_to, Agreement.id)


def for_company(session: Session, company_id: int) -> list[AgreementRow]:
    """The company's agreements, newest first (the company page includes ``_company_list.html``)."""
    stmt = _rows_stmt().where(Agreement.company_id == company_id).order_by(
        Agreement.valid_from.desc(), Agreement.id.desc()
    )
    return to_rows(session.exec(stmt).all())


def active_count(session: Session, *, on: date, centre_id: int | None = None) -> int:
    """Agreements active on ``on`` (all, or those coordinated by ``centre_id``)."""
    stmt = sa.select(sa.func.count(Agreement.id)).where(Agreement.active_on(on))
    if centre_id is not None:
        stmt = stmt.where(Agreement.coordinating_centre_id == centre_id)
    return session.execute(stmt).scalar_one()


def counts_by_centre(session: Session, *, on: date) -> list[tuple[JobCentre, int]]:
    """Every centre with the number of active agreements it coordinates on ``on`` (zeros included)."""
    counted = dict(
        session.execute(
            sa.select(Agreement.coordinating_centre_id, sa.func.count(Agreement.id))
            .where(Agreement.active_on(on))
            .group_by(Agreement.coordinating_centre_id)
        ).all()
    )
    centres = session.exec(select(JobCentre).order_by(danish(JobCentre.name))).all()
    return [(c, counted.get(c.id, 0)) for c in centres]


def counts_by_sector(session: Session, *, on: date) -> list[tuple[FocusSector | None, int]]:
    """Active agreements per focus sector on ``on``; None collects those without a sector."""
    rows = session.execute(
        sa.select(Agreement.focus_sector_id, sa.func.count(Agreement.id))
        .where(Agreement.active_on(on))
        .group_by(Agreement.focus_sector_id)
    ).all()
    sectors = {s.id: s for s in session.exec(select(FocusSector).where(
        FocusSector.id.in_([r[0] for r in rows if r[0] is not None])))}
    out = [(sectors[sid] if sid is not None else None, n) for sid, n in rows]
    return sorted(out, key=lambda x: (x[0] is None, -(x[0].year if x[0] else 0), x[0].name if x[0] else ""))


def counts_by_kind(session: Session, *, on: date) -> dict[AgreementKind, int]:
    rows = session.execute(
        sa.select(Agreement.kind, sa.func.count(Agreement.id)).where(Agreement.active_on(on)).group_by(Agreement.kind)
    ).all()
    return {AgreementKind(k): n for k, n in rows}


def ending_soon(
    session: Session, *, today: date, days: int = ENDING_SOON_DAYS, centre_id: int | None = None,
    limit: int | None = None,
) -> list[AgreementRow]:
    """Active agreements whose last day is within ``days`` days, soonest first (the first ``limit``)."""
    stmt = _rows_stmt().where(ending_soon_condition(today, days))
    if centre_id is not None:
        stmt = stmt.where(Agreement.coordinating_centre_id == centre_id)
    return to_rows(session.exec(stmt.order_by(Agreement.valid_to, Agreement.id).limit(limit)).all())


def count_ending_soon(session: Session, *, today: date, centre_id: int | None = None) -> int:
    stmt = sa.select(sa.func.count(Agreement.id)).where(ending_soon_condition(today))
    if centre_id is not None:
        stmt = stmt.where(Agreement.coordinating_centre_id == centre_id)
    return session.execute(stmt).scalar_one()
