"""The daily retention job: personal data is kept only as long as its purpose needs it."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.config import Settings
from nrs.enquiries.services import forget_closed as forget_closed_enquiries
from nrs.joborders.models import JobOrder, Referral
from nrs.joborders.states import CLOSED
from nrs.privacy.models import AccessLogEntry, AnonymisedReferral
from nrs.privacy.services import forget_referrals, log_access

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionResult:
    access_log_purged: int
    referrals_anonymised: int
    access_log_cutoff: datetime
    referral_cutoff: date
    enquiry_texts_deleted: int = 0


def months_before(day, months: int):
    """The same day ``months`` earlier (the 31st becomes the month's last day)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _referral_candidates(session: Session, cutoff: date):
    """Referrals whose retention period ended on or before ``cutoff`` and that are not yet anonymised.

    The period runs from the day the order closed; on an order that is not closed (open, paused,
    or reopened) it runs from the referral date, so an order nobody closes keeps no case for ever.
    """
    done = select(AnonymisedReferral.referral_id).where(AnonymisedReferral.referral_id == Referral.id)
    closed = sa.and_(JobOrder.state.in_(sorted(CLOSED)), JobOrder.closed_on.is_not(None))
    since = sa.case((closed, JobOrder.closed_on), else_=Referral.referred_on)
    stmt = (
        select(Referral)
        .join(JobOrder, JobOrder.id == Referral.job_order_id)
        .where(since <= cutoff, ~sa.exists(done))
        .order_by(Referral.id)
    )
    return list(session.exec(stmt))


def run_retention(session: Session, *, now: datetime, settings: Settings, dry_run: bool = False) -> RetentionResult:
    """Purge old access-log entries and anonymise old referrals; running it twice changes nothing.

    (a) access-log entries older than ``access_log_retention_months`` are deleted;
    (b) ``referral_retention_months`` after an order closed, its referrals lose their case
        reference and note; on an order still open (or paused) the months run from each
        referral's date. The row, its centre, outcome and dates stay for the reports; the
        referral's audit history keeps who changed what when, with the values "[slettet]".
    """
    log_cutoff = months_before(now, settings.access_log_retention_months)
    referral_cutoff = months_before(now.date(), settings.referral_retention_months)

    old_entries = sa.select(sa.func.count()).select_from(AccessLogEntry).where(AccessLogEntry.at < log_cutoff)
    purged = session.execute(old_entries).scalar_one()
    referrals = _referral_candidates(session, referral_cutoff)
    if dry_run:
        return RetentionResult(purged, len(referrals), log_cutoff, referral_cutoff)

    if purged:
        session.execute(sa.delete(AccessLogEntry).where(AccessLogEntry.at < log_cutoff))
    for referral in referrals:
        referral.case_reference = ""
        referral.note = ""
        session.add(referral)
        session.add(AnonymisedReferral(referral_id=referral.id, at=now))
        log_access(session, user=None, action="delete", entity_type="referral", entity_id=referral.id,
                   criterion=f"job_order={referral.job_order_id}", purpose="sletning efter opbevaringsperiode")
    forget_referrals(session, [referral.id for referral in referrals])
    enquiries = forget_closed_enquiries(session, now=now, months=settings.enquiry_retention_months,
                                        instance_path=settings.instance_path,
                                        cutoff=months_before(now, settings.enquiry_retention_months))
    if purged or referrals:
        record(session, by=None, entity="retention", entity_id=now.date().isoformat(), action="run",
               changes={"access_log_purged": purged, "referrals_anonymised": len(referrals)})
    session.flush()
    log.info("retention: %d access-log entries purged, %d referrals anonymised", purged, len(referrals))
    return RetentionResult(purged, len(referrals), log_cutoff, referral_cutoff, enquiries)
