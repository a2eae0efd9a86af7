"""Writes for campaigns: create, refresh the target list, work and remove targets.

The target list is built with set-based SQL (INSERT … SELECT, UPDATE … WHERE) over the one
sector-matching query, so a refresh over a million companies is a handful of statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, SQLModel, select

from nrs.activities import services as activity_services
from nrs.activities.models import Activity, ActivityKind
from nrs.agreements.models import Agreement
from nrs.audit.services import apply_changes, record
from nrs.campaigns import policy
from nrs.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    CampaignTargetEvent,
    MismatchReason,
    TargetStatus,
)
from nrs.clock import local, utcnow
from nrs.companies.models import Company
from nrs.errors import DomainError
from nrs.locking import check, saving
from nrs.municipalities.models import NRS_MUNICIPALITIES, JobCentre
from nrs.sectors.models import FocusSector
from nrs.sectors.queries import OFFERED, sector_rule


def _csv(values: Iterable) -> str:
    return ",".join(str(v) for v in values)


def create_campaign(
    session: Session,
    *,
    by,
    name: str,
    year: int,
    starts_on: date | None = None,
    ends_on: date | None = None,
    sector_ids: Iterable[int] | None = None,
    extra_prefixes: Iterable[str] = (),
    min_employees: int = 5,
    municipality_codes: Iterable[int] | None = None,
    exclude_active_agreements: bool = False,
    exclude_advertising_protected: bool = True,
) -> Campaign:
    """A new draft campaign; without sectors or prefixes it targets the year's focus sectors."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Kampagnen skal have et navn."), field="name")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_("Slutdatoen ligger før startdatoen."), field="ends_on")
    if min_employees < 0:
        raise DomainError(_("Mindste antal ansatte kan ikke være negativt."), field="min_employees")
    prefixes = sorted({p.strip() for p in extra_prefixes if p and p.strip()})
    for p in prefixes:
        if not (p.isdigit() and 1 <= len(p) <= 6):
            raise DomainError(_("%(p)s er ikke en branchekode eller et præfiks (1-6 cifre).", p=p),
                              field="extra_prefixes")
    ids = sorted(set(sector_ids or ()))
    if ids:
        found = set(session.exec(select(FocusSector.id).where(FocusSector.id.in_(ids))).all())
        if found != set(ids):
            raise DomainError(_("Ukendt fokusbranche."), field="sectors")
    elif not prefixes:
        ids = list(session.exec(select(FocusSector.id).where(FocusSector.year == year, OFFERED).order_by(FocusSector.id)))
        if not ids:
            raise DomainError(_("Der er ingen fokusbrancher for %(y)s. Vælg brancher eller branchekoder.", y=year),
                              field="sectors")
    codes = sorted(set(municipality_codes or NRS_MUNICIPALITIES))
    campaign = Campaign(
        name=name, year=year, starts_on=starts_on, ends_on=ends_on, sector_ids=_csv(ids),
        extra_prefixes=_csv(prefixes), min_employees=min_employees, municipality_codes=_csv(codes),
        exclude_active_agreements=exclude_active_agreements,
        exclude_advertising_protected=exclude_advertising_protected,
        created_by_id=getattr(by, "id", by),
    )
    session.add(campaign)
    session.flush()
    record(session, by=by, entity="campaign", entity_id=campaign.id, action="create",
           changes={k: [None, getattr(campaign, k)] for k in (
               "name", "year", "sector_ids", "extra_prefixes", "min_employees", "municipality_codes",
               "exclude_active_agreements", "exclude_advertising_protected")})
    return campaign


def set_campaign_status(session: Session, campaign: Campaign, *, by, status: CampaignStatus) -> Campaign:
    """Start, pause back to draft or end a campaign; only running campaigns are refreshed nightly."""
    changes = apply_changes(campaign, {"status": CampaignStatus(status)})
    if changes:
        campaign.updated_at = utcnow()
        session.flush()
        record(session, by=by, entity="campaign", entity_id=campaign.id, action="status", changes=changes)
    return campaign


def campaign_prefixes(session: Session, campaign: Campaign) -> list[str]:
    """The campaign's DB07 prefixes: its sectors' current codes plus its own extra prefixes."""
    prefixes = set(campaign.prefix_list)
    ids = campaign.sector_id_list
    if ids:
        for sector in session.exec(select(FocusSector).where(FocusSector.id.in_(ids))):
            prefixes.update(sector.prefixes)
    return sorted(prefixes)


@dataclass
class Criteria:
    """The pieces of a campaign's rule as SQL, built once per refresh."""

    prefixes: list[str]
    matching: sa.Select  # select(Company) of the sector-matching companies
    keep: list  # extra conditions on Company that a target must also meet
    #: Every condition a target must meet, by name: the sector rule's and the campaign's own.
    named: dict

    def eligible_ids(self):
        return self.matching.with_only_columns(Company.id, maintain_column_froms=True).where(*self.keep)


def criteria(session: Session, campaign: Campaign, *, on: date) -> Criteria:
    prefixes = campaign_prefixes(session, campaign)
    named = sector_rule(
        prefixes=prefixes,
        min_employees=campaign.min_employees,
        municipality_codes=campaign.municipality_list,
    )
    matching = select(Company).where(*named.values())
    own = {}
    if campaign.exclude_advertising_protected:
        own["not_protected"] = Company.advertising_protected.is_(False)
    if campaign.exclude_active_agreements:
        own["no_active_agreement"] = ~_has_active_agreement(on)
    return Criteria(prefixes=prefixes, matching=matching, keep=list(own.values()), named=named | own)


def _has_active_agreement(on: date):
    return sa.exists().where(Agreement.company_id == Company.id, Agreement.active_on(on))


@dataclass
class RefreshResult:
    added: int
    removed: int
    excluded_protected: int
    excluded_agreements: int
    targets: int


def build_campaign(session: Session, campaign: Campaign, *, now: datetime, by=None) -> RefreshResult:
    """Build or refresh the target list now.

    New matching companies are added with their lead centre; targets whose company no longer
    matches are flagged with a reason and kept with their outcome; a target that matches again is
    back on the list. Targets removed by hand stay removed. Building a draft starts it.
    """
    if campaign.status == CampaignStatus.ended:
        raise DomainError(_("Kampagnen er afsluttet og kan ikke opdateres."))
    # Lock the campaign row first: on PostgreSQL a second refresh of the same campaign (the
    # nightly job and a coordinator's click) waits here instead of inserting twice; on SQLite
    # the caller holds the write lock. Reloaded, so the version is the one now saved.
    session.refresh(campaign, with_for_update=True)
    on = local(now).date()
    crit = criteria(session, campaign, on=on)
    excluded_protected, excluded_agreements = _excluded_counts(session, campaign, crit, on)
    removed, back = _flag_mismatches(session, campaign, crit, on, now)
    added = _add_new_targets(session, campaign.id, crit, now)
    _follow_leads(session, campaign.id)
    t = CampaignTarget.__table__
    total = session.execute(
        sa.select(sa.func.count()).select_from(t).where(_own_targets(campaign.id), t.c.matching.is_(True))
    ).scalar_one()
    campaign.last_refresh_at = now
    campaign.last_refresh_added = added + back
    campaign.last_refresh_removed = removed
    campaign.last_refresh_excluded_protected = excluded_protected
    campaign.last_refresh_excluded_agreements = excluded_agreements
    if campaign.status == CampaignStatus.draft:
        campaign.status = CampaignStatus.running
    campaign.updated_at = now
    session.add(campaign)
    session.flush()
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CampaignTarget):  # stale after the bulk statements
            session.expire(obj)
    result = RefreshResult(added=added + back, removed=removed, excluded_protected=excluded_protected,
                           excluded_agreements=excluded_agreements, targets=total)
    record(session, by=by, entity="campaign", entity_id=campaign.id, action="refresh",
           note=f"added={result.added} removed={removed} excluded_protected={excluded_protected} "
                f"excluded_agreements={excluded_agreements} targets={total}")
    return result


def _own_targets(campaign_id: int):
    """The campaign's targets that were not removed by hand (a refresh leaves those alone)."""
    t = CampaignTarget.__table__
    return sa.and_(t.c.campaign_id == campaign_id, t.c.removed_by_hand.is_(False))


def _excluded_counts(session: Session, campaign: Campaign, crit: Criteria, on: date) -> tuple[int, int]:
    """Left out on purpose: counted so the campaign page can say how many."""
    counted = crit.matching.with_only_columns(sa.func.count(Company.id), maintain_column_froms=True)
    excluded_protected = 0
    if campaign.exclude_advertising_protected:
        excluded_protected = session.execute(
            counted.where(Company.advertising_protected.is_(True))
        ).scalar_one()
    excluded_agreements = 0
    if campaign.exclude_active_agreements:
        q = counted.where(_has_active_agreement(on))
        if campaign.exclude_advertising_protected:
            q = q.where(Company.advertising_protected.is_(False))
        excluded_agreements = session.execute(q).scalar_one()
    return excluded_protected, excluded_agreements


def _flag_mismatches(session: Session, campaign: Campaign, crit: Criteria, on: date, now: datetime
                     ) -> tuple[int, int]:
    """Flag targets whose company no longer qualifies; those that qualify again are back (their
    outcome was never lost). Returns (flagged, back)."""
    t = CampaignTarget.__table__
    own = _own_targets(campaign.id)
    still = crit.eligible_ids().where(Company.id == t.c.company_id).exists()
    reason = _mismatch_reason(campaign, crit, on)
    removed = session.execute(
        t.update()
        .where(own, t.c.matching.is_(True), ~still)
        .values(matching=False, mismatch_reason=reason, mismatch_at=now)
    ).rowcount
    back = session.execute(
        t.update()
        .where(own, t.c.matching.is_(False), still)
        .values(matching=True, mismatch_reason=None, mismatch_at=None)
    ).rowcount
    return removed, back


def _add_new_targets(session: Session, cid: int, crit: Criteria, now: datetime) -> int:
    """New companies join with their current lead centre. (Counted, not from rowcount: psycopg
    reports -1 for INSERT … SELECT through SQLAlchemy.)"""
    t = CampaignTarget.__table__
    rows_for = sa.select(sa.func.count()).select_from(t).where(t.c.campaign_id == cid)
    before = session.execute(rows_for).scalar_one()
    already = sa.select(t.c.id).where(t.c.campaign_id == cid, t.c.company_id == Company.id).exists()
    new_rows = crit.matching.with_only_columns(
        sa.literal(cid, sa.Integer),
        Company.id,
        Company.lead_centre_id,
        sa.literal(now, t.c.added_at.type),
        sa.literal(TargetStatus.not_contacted.value, sa.String),
        sa.true(),
        sa.false(),
        sa.literal("", sa.String),
        sa.literal("", sa.String),
        sa.literal(now, t.c.updated_at.type),
        sa.literal(1, sa.Integer),
        maintain_column_froms=True,
    ).where(*crit.keep, ~already)
    session.execute(
        t.insert().from_select(
            ["campaign_id", "company_id", "lead_centre_id", "added_at", "status", "matching",
             "removed_by_hand", "status_note", "removed_reason", "updated_at", "version"],
            new_rows,
        )
    )
    return session.execute(rows_for).scalar_one() - before


def _follow_leads(session: Session, cid: int) -> None:
    """A target waiting for a lead takes the company's lead once it has one; an untouched target
    follows its company to a new lead centre. A worked target stays with the centre that holds
    the conversation."""
    t = CampaignTarget.__table__
    company_lead = sa.select(Company.lead_centre_id).where(Company.id == t.c.company_id).scalar_subquery()
    session.execute(
        t.update()
        .where(
            t.c.campaign_id == cid,
            company_lead.is_not(None),
            sa.or_(
                t.c.lead_centre_id.is_(None),
                sa.and_(t.c.status == TargetStatus.not_contacted.value, t.c.lead_centre_id != company_lead),
            ),
        )
        .values(lead_centre_id=company_lead)
    )


#: The reason a target left the list, for each condition it no longer meets, in the order a
#: consultant would name them (a company that ceased is not also said to have moved).
REASON_FOR = {
    "active": MismatchReason.ceased,
    "in_municipalities": MismatchReason.moved_away,
    "big_enough": MismatchReason.shrunk,
    "in_sector_codes": MismatchReason.sector_changed,
    "not_protected": MismatchReason.advertising_protected,
    "no_active_agreement": MismatchReason.active_agreement,
}


def _mismatch_reason(campaign: Campaign, crit: Criteria, on: date):
    """The first condition the company fails, named, as a correlated SQL CASE."""
    t = CampaignTarget.__table__
    whens = [(~crit.named[name], reason.value) for name, reason in REASON_FOR.items() if name in crit.named]
    case = sa.case(*whens, else_=MismatchReason.sector_changed.value)
    return sa.select(case).where(Company.id == t.c.company_id).scalar_subquery()


def set_target_status(
    session: Session, target: CampaignTarget, *, by, status: TargetStatus, status_on: date, note: str = "",
    version: int | None, call_back_on: date | None = None,
) -> CampaignTarget:
    """Record how the contact went: the status, its date, who and a note; keeps the history.

    ``version`` is the target's version the user saw: missing or older means someone saved first.
    The call-back date is kept only while the status is ``call_back``.
    """
    policy.ensure_may_work_target(by, target)
    check(session, target, version)
    status = TargetStatus(status)
    before = target.status
    with saving(session, target):
        changes = apply_changes(target, {"status": status, "status_on": status_on,
                                         "status_by_id": getattr(by, "id", None),
                                         "status_note": (note or "").strip(),
                                         "call_back_on": call_back_on if status == TargetStatus.call_back else None})
        if not changes:
            return target
        target.updated_at = utcnow()
        session.add(CampaignTargetEvent(target_id=target.id, user_id=getattr(by, "id", None), from_status=before,
                                        to_status=status,
                                        status_on=status_on, note=target.status_note))
    record(session, by=by, entity="campaign_target", entity_id=target.id, action="status", changes=changes)
    return target


#: How far along each status is; a lower rank is a step back, which the user confirms first.
RANK = {
    TargetStatus.not_contacted: 0, TargetStatus.call_back: 1, TargetStatus.contacted: 2,
    TargetStatus.not_interested: 2, TargetStatus.meeting_booked: 3, TargetStatus.agreement_signed: 4,
    TargetStatus.job_order_received: 5,
}
#: The titles of the tasks a call makes (stored data: Danish, like the activities' own).
CALL_BACK_TITLE = "Ring igen: %(company)s"
MEETING_TITLE = "Møde: %(company)s"


def is_backwards(before: TargetStatus, after: TargetStatus) -> bool:
    return RANK[TargetStatus(after)] < RANK[TargetStatus(before)]


class BackwardsStatus(DomainError):
    """The status would move back (e.g. from "Møde aftalt" to "Kontaktet"): asked before it is saved."""


@dataclass
class CallPlan:
    """A checked outcome: the status, the day of the contact and the date of the task it makes, if any."""

    status: TargetStatus
    status_on: date
    note: str
    follow_up: date | None
    follow_up_title: str | None


def plan_call(target: CampaignTarget, company: Company, *, status, status_on: date | None, note: str = "",
              call_back_on: date | None = None, meeting_on: date | None = None, today: date,
              confirmed_backwards: bool = False) -> CallPlan:
    """Check one outcome without writing: the rule the target page and the import share."""
    try:
        status = TargetStatus(status)
    except ValueError:
        raise DomainError(_("Ukendt udfald."), field="status") from None
    if status == TargetStatus.not_contacted:
        raise DomainError(_("Vælg, hvordan kontakten gik."), field="status")
    status_on = status_on or today
    if status_on > today:
        raise DomainError(_("Kontakten registreres, når den har fundet sted: datoen ligger i fremtiden."),
                          field="status_on")
    follow_up, title = None, None
    if status == TargetStatus.call_back:
        if call_back_on is None:
            raise DomainError(_("Skriv, hvornår der skal ringes igen."), field="call_back_on")
        follow_up, title, field = call_back_on, CALL_BACK_TITLE, "call_back_on"
    elif status == TargetStatus.meeting_booked:
        if meeting_on is None:
            raise DomainError(_("Skriv datoen for mødet."), field="meeting_on")
        follow_up, title, field = meeting_on, MEETING_TITLE, "meeting_on"
    if follow_up is not None and follow_up < status_on:
        raise DomainError(_("Datoen ligger før kontakten."), field=field)
    if is_backwards(target.status, status) and not confirmed_backwards:
        raise BackwardsStatus(_("Status flyttes tilbage fra %(a)s til %(b)s. Er du sikker?",
                                a=target.status.label, b=status.label), field="status")
    return CallPlan(status=status, status_on=status_on, note=(note or "").strip(), follow_up=follow_up,
                    follow_up_title=(title % {"company": company.name})[:200] if title else None)


def record_call(
    session: Session, target: CampaignTarget, *, by, status, status_on: date | None, note: str = "",
    call_back_on: date | None = None, meeting_on: date | None = None, assignee=None,
    kind: ActivityKind | str = ActivityKind.call, version: int | None, confirmed_backwards: bool = False,
    now: datetime | None = None,
) -> Activity:
    """A contact on a campaign target: its status, an activity with that outcome on the company, and
    for a call-back or a booked meeting a task on that date (for ``assignee``, default the caller)."""
    now = now or utcnow()
    policy.ensure_may_work_target(by, target)
    company = session.get(Company, target.company_id)
    plan = plan_call(target, company, status=status, status_on=status_on, note=note, call_back_on=call_back_on,
                     meeting_on=meeting_on, today=local(now).date(), confirmed_backwards=confirmed_backwards)
    return apply_call(session, target, company, plan, by=by, assignee=assignee, kind=kind, version=version,
                      now=now)


def apply_call(session: Session, target: CampaignTarget, company: Company, plan: CallPlan, *, by, assignee=None,
               kind: ActivityKind | str = ActivityKind.call, version: int | None, now: datetime) -> Activity:
    """Write a checked outcome (``plan_call``)."""
    set_target_status(session, target, by=by, status=plan.status, status_on=plan.status_on, note=plan.note,
                      version=version, call_back_on=plan.follow_up if plan.status == TargetStatus.call_back else None)
    with force_locale("da"):  # stored text, like the summary
        outcome = str(plan.status.label)
    clock = local(now).time() if plan.status_on == local(now).date() else None
    centre = getattr(by, "job_centre_id", None) or target.lead_centre_id
    if plan.follow_up is not None and assignee is None and by is None:
        assignee = company.contact_user_id
    return activity_services.record_activity(
        session, company=company, kind=kind, author=by, at=activity_services.at_from(plan.status_on, clock),
        summary=plan.note or outcome, centre=centre, target=target, outcome=outcome, follow_up=plan.follow_up,
        assignee=assignee, follow_up_title=plan.follow_up_title, now=now)


def remove_target(session: Session, target: CampaignTarget, *, by, reason: str) -> CampaignTarget:
    """Take a target off the list by hand, with a reason; later refreshes leave it off."""
    policy.ensure_may_remove_target(by, target)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Skriv hvorfor virksomheden fjernes fra listen."), field="reason")
    if target.removed_by_hand:
        return target
    changes = apply_changes(target, {"removed_by_hand": True, "removed_reason": reason[:500],
                                     "removed_by_id": by.id, "removed_at": utcnow()})
    target.updated_at = utcnow()
    session.flush()
    record(session, by=by, entity="campaign_target", entity_id=target.id, action="remove", changes=changes,
           note=reason)
    return target


def restore_target(session: Session, target: CampaignTarget, *, by) -> CampaignTarget:
    """Put a target removed by hand back on the list (the next refresh checks it still matches)."""
    policy.ensure_may_remove_target(by, target)
    changes = apply_changes(target, {"removed_by_hand": False, "removed_reason": "", "removed_by_id": None,
                                     "removed_at": None})
    if changes:
        target.updated_at = utcnow()
        session.flush()
        record(session, by=by, entity="campaign_target", entity_id=target.id, action="restore", changes=changes)
    return target


def assign_target_lead(session: Session, target: CampaignTarget, *, by, centre_id: int) -> CampaignTarget:
    """A coordinator gives a target without a lead centre to one of the nine centres."""
    policy.ensure_may_assign_lead(by, target)
    if session.get(JobCentre, centre_id) is None:
        raise DomainError(_("Ukendt jobcenter."), field="centre")
    changes = apply_changes(target, {"lead_centre_id": centre_id})
    if changes:
        target.updated_at = utcnow()
        session.flush()
        record(session, by=by, entity="campaign_target", entity_id=target.id, action="assign_lead",
               changes=changes)
    return target


def link_target(
    session: Session, target: CampaignTarget, *, by, job_order_id: int | None = None,
    agreement_id: int | None = None,
) -> CampaignTarget:
    """Link the job order or agreement that came out of this target; moves its status along.

    Called by the job-order and agreement services when they create one "from a target", and by
    the link form on the target page.
    """
    policy.ensure_may_work_target(by, target)
    values: dict = {}
    if job_order_id is not None:
        _ensure_record_of_company(session, "job_orders", job_order_id, target.company_id)
        values["job_order_id"] = job_order_id
    if agreement_id is not None:
        _ensure_record_of_company(session, "agreements", agreement_id, target.company_id)
        values["agreement_id"] = agreement_id
    if not values:
        raise DomainError(_("Angiv en jobordre eller en aftale."), field="job_order_id")
    changes = apply_changes(target, values)
    if not changes:
        return target
    target.updated_at = utcnow()
    session.flush()
    record(session, by=by, entity="campaign_target", entity_id=target.id, action="link", changes=changes)
    if job_order_id is not None and target.status != TargetStatus.job_order_received:
        set_target_status(session, target, by=by, status=TargetStatus.job_order_received,
                          status_on=local(utcnow()).date(), note=target.status_note, version=target.version)
    elif agreement_id is not None and target.status in (TargetStatus.not_contacted, TargetStatus.contacted,
                                                         TargetStatus.meeting_booked):
        set_target_status(session, target, by=by, status=TargetStatus.agreement_signed,
                          status_on=local(utcnow()).date(), note=target.status_note, version=target.version)
    return target


def _ensure_record_of_company(session: Session, table: str, ident: int, company_id: int) -> None:
    """The linked job order or agreement exists and belongs to the target's company."""
    tbl = SQLModel.metadata.tables.get(table)
    if tbl is None:  # that domain is not installed yet
        raise DomainError(_("Kan ikke linke endnu."))
    owner = session.execute(sa.select(tbl.c.company_id).where(tbl.c.id == ident)).scalar_one_or_none()
    field = "job_order_id" if table == "job_orders" else "agreement_id"
    if owner is None:
        raise DomainError(_("Nummer %(n)s findes ikke.", n=ident), field=field)
    if owner != company_id:
        raise DomainError(_("Nummer %(n)s hører til en anden virksomhed.", n=ident), field=field)


def record_export(session: Session, campaign: Campaign, *, by, fmt: str, centre_code: str,
                  status: str | None, rows: int) -> None:
    """Every export is logged: who (by), when (the event's time), which list, which filters."""
    record(session, by=by, entity="campaign", entity_id=campaign.id, action="export",
           changes={"format": [None, fmt], "centre": [None, centre_code], "status": [None, status],
                    "rows": [None, rows]},
           note=f"Eksport af målliste for {campaign.name}")
