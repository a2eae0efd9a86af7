"""Reads for campaigns, shared by the campaign page, the exports, the CLI and the front page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from nrs import refcache
from nrs.auth.models import User
from nrs.campaigns.models import Campaign, CampaignStatus, CampaignTarget, TargetStatus
from nrs.collation import danish
from nrs.companies.fields import employees_text
from nrs.companies.models import Company
from nrs.municipalities.models import JobCentre, Municipality
from nrs.refdata import industry_name

#: Which part of the list: on it (default), no longer matching, or removed by hand.
VIEWS = ("active", "unmatched", "removed")

Contact = aliased(User, name="contact_user")


def in_view(view: str = "active"):
    """The condition for one part of a campaign's list."""
    if view == "removed":
        return CampaignTarget.removed_by_hand.is_(True)
    if view == "unmatched":
        return sa.and_(CampaignTarget.removed_by_hand.is_(False), CampaignTarget.matching.is_(False))
    return sa.and_(CampaignTarget.removed_by_hand.is_(False), CampaignTarget.matching.is_(True))


NO_LEAD = 0  #: the centre filter's value for "no lead centre yet"


def call_back_due(today: date):
    """A target whose call-back day has come (today or earlier)."""
    return sa.and_(CampaignTarget.status == TargetStatus.call_back, CampaignTarget.call_back_on <= today)


#: The list's order within one centre: by company name (then CVR, so it is total).
NAME_ORDER = (Company.name_search, Company.name, Company.cvr)


def targets(
    campaign_id: int, *, centre_id: int | None = None, status: TargetStatus | None = None,
    view: str = "active", due_on: date | None = None,
):
    """Targets with their company, lead centre and NRS contact, by centre and company name.

    ``centre_id`` filters on the lead centre; ``NO_LEAD`` gives the group waiting for a coordinator;
    ``due_on`` keeps the targets whose call-back is due by that day.
    """
    stmt = (
        select(CampaignTarget, Company, JobCentre, Contact)
        .join(Company, Company.id == CampaignTarget.company_id)
        .outerjoin(JobCentre, JobCentre.id == CampaignTarget.lead_centre_id)
        .outerjoin(Contact, Contact.id == Company.contact_user_id)
        .where(CampaignTarget.campaign_id == campaign_id, in_view(view))
    )
    if centre_id == NO_LEAD:
        stmt = stmt.where(CampaignTarget.lead_centre_id.is_(None))
    elif centre_id is not None:
        stmt = stmt.where(CampaignTarget.lead_centre_id == centre_id)
    if status is not None:
        stmt = stmt.where(CampaignTarget.status == status)
    if due_on is not None:
        stmt = stmt.where(call_back_due(due_on))
    return stmt.order_by(danish(JobCentre.name), *NAME_ORDER)


def next_target(session: Session, target: CampaignTarget) -> int | None:
    """The next target of the same centre on the list not yet contacted, in the list's order after
    this one (then from the top), or None when the centre has none left."""
    lead = (CampaignTarget.lead_centre_id.is_(None) if target.lead_centre_id is None
            else CampaignTarget.lead_centre_id == target.lead_centre_id)
    base = (sa.select(CampaignTarget.id).join(Company, Company.id == CampaignTarget.company_id)
            .where(CampaignTarget.campaign_id == target.campaign_id, in_view("active"), lead,
                   CampaignTarget.status == TargetStatus.not_contacted, CampaignTarget.id != target.id)
            .order_by(*NAME_ORDER).limit(1))
    company = session.get(Company, target.company_id)
    here = sa.tuple_(*NAME_ORDER) > sa.tuple_(
        sa.literal(company.name_search), sa.literal(company.name), sa.literal(company.cvr))
    return session.execute(base.where(here)).scalar() or session.execute(base).scalar()


def call_backs_due(session: Session, *, today: date, user_id: int | None = None, centre_id: int | None = None,
                   limit: int = 20) -> list:
    """Targets with a call-back due in running campaigns: the user's own calls, or a centre's."""
    stmt = (sa.select(CampaignTarget.id, CampaignTarget.call_back_on, Company.name, Campaign.name, User.name)
            .join(Company, Company.id == CampaignTarget.company_id)
            .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
            .outerjoin(User, User.id == CampaignTarget.status_by_id)
            .where(call_back_due(today), in_view("active"), Campaign.status == CampaignStatus.running))
    if user_id is not None:
        stmt = stmt.where(CampaignTarget.status_by_id == user_id)
    if centre_id is not None:
        stmt = stmt.where(CampaignTarget.lead_centre_id == centre_id)
    return session.execute(stmt.order_by(CampaignTarget.call_back_on, CampaignTarget.id).limit(limit)).all()


def no_lead_count(session: Session, campaign_id: int) -> int:
    return session.execute(
        sa.select(sa.func.count()).select_from(CampaignTarget).where(
            CampaignTarget.campaign_id == campaign_id, in_view("active"), CampaignTarget.lead_centre_id.is_(None)
        )
    ).scalar_one()


@dataclass
class CentreProgress:
    centre: JobCentre | None
    counts: dict[TargetStatus, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def worked(self) -> int:
        """Targets the centre has done something with."""
        return self.total - self.counts.get(TargetStatus.not_contacted, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.worked / self.total) if self.total else 0


def progress_by_centre(session: Session, campaign_id: int, *, centre_id: int | None = None) -> list[CentreProgress]:
    """Targets on the list per lead centre and status; a ``None`` centre is the no-lead group."""
    stmt = (
        sa.select(CampaignTarget.lead_centre_id, CampaignTarget.status, sa.func.count())
        .where(CampaignTarget.campaign_id == campaign_id, in_view("active"))
        .group_by(CampaignTarget.lead_centre_id, CampaignTarget.status)
    )
    if centre_id is not None:
        stmt = stmt.where(CampaignTarget.lead_centre_id == centre_id)
    by_centre: dict[int | None, CentreProgress] = {}
    centres = {c.id: c for c in refcache.centres(session)}
    for lead, status, n in session.execute(stmt):
        row = by_centre.setdefault(lead, CentreProgress(centres.get(lead)))
        row.counts[TargetStatus(status)] = n
    return sorted(by_centre.values(), key=lambda p: (p.centre is None, p.centre.name if p.centre else ""))


def centre_progress_in_running(session: Session, centre_id: int) -> list[tuple[Campaign, CentreProgress]]:
    """One centre's progress in every running campaign, in two statements (the front page)."""
    campaigns = running_campaigns(session)
    if not campaigns:
        return []
    counts = session.execute(
        sa.select(CampaignTarget.campaign_id, CampaignTarget.status, sa.func.count())
        .where(CampaignTarget.campaign_id.in_([c.id for c in campaigns]), in_view("active"),
               CampaignTarget.lead_centre_id == centre_id)
        .group_by(CampaignTarget.campaign_id, CampaignTarget.status)
    ).all()
    progress = {c.id: CentreProgress(None) for c in campaigns}
    for campaign_id, status, n in counts:
        progress[campaign_id].counts[TargetStatus(status)] = n
    return [(c, progress[c.id]) for c in campaigns]


def running_campaigns(session: Session) -> list[Campaign]:
    return list(session.exec(
        select(Campaign).where(Campaign.status == CampaignStatus.running).order_by(Campaign.id)
    ))


EXPORT_HEADERS = [
    "CVR-nummer", "Navn", "Adresse", "Postnr", "By", "Kommune", "Branchekode", "Branche", "Ansatte",
    "Telefon", "E-mail", "Jobcenter (kontakt)", "NRS-kontaktperson", "Reklamebeskyttet", "Status",
    "Statusdato", "Note", "Ring igen den",
    # Left blank for the consultant to fill in; read back by ``nrs.campaigns.importer``.
    "Udfald", "Udfaldsdato", "Ring igen / mødedato", "Udfaldsnote",
]


def export_rows(session: Session, campaign_id: int, *, centre_id: int | None = None,
                status: TargetStatus | None = None, due_on: date | None = None) -> list[list]:
    """One row per target on the list, in the order of ``EXPORT_HEADERS``."""
    names = dict(session.execute(sa.select(Municipality.code, Municipality.name)).all())
    rows = []
    for target, company, centre, contact in session.execute(
        targets(campaign_id, centre_id=centre_id, status=status, due_on=due_on)
    ):
        rows.append([
            company.cvr, company.name, company.address, company.postal_code, company.city,
            names.get(company.municipality_code, str(company.municipality_code)),
            company.industry_code, industry_name(company.industry_code),
            employees_text(company.employees_min, company.employees_max),
            company.phone, company.email, centre.name if centre else "",
            contact.name if contact else "", company.advertising_protected,
            str(target.status.label), target.status_on, target.status_note, target.call_back_on,
            "", "", "", "",
        ])
    return rows
