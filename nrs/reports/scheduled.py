"""Scheduled period reports: each subscription gets the last whole month or quarter as a PDF, once.

The job may run every day (or twice, or on two servers): the outbox's idempotency key
``period_report:<subscription>:<first day>:<address>`` lets each address get each period once,
like the weekly e-mail. A subscription made mid-quarter gets the last whole quarter at once.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.auth.models import Role, User
from nrs.clock import local
from nrs.config import Settings
from nrs.errors import DomainError, Forbidden
from nrs.mail.models import OutboxMessage
from nrs.mail.services import enqueue
from nrs.reports import documents
from nrs.reports.models import ReportSubscription
from nrs.reports.period import centre_by_code, first_day, period_report, preset
from nrs.reports.tables import period_text, status_sentence
from nrs.security import has_role

KIND = "period_report"
EVERY = {"month": "last_month", "quarter": "last_quarter"}


def subscribe(session: Session, *, name: str, recipients: str, every: str, centre_code: int | None = None,
              by=None) -> ReportSubscription:
    """A new subscription; refuses an unknown cadence, an empty list or an address without ``@``."""

    if every not in EVERY:
        raise DomainError(_("Vælg måned eller kvartal."), field="every")
    sub = ReportSubscription(name=(name or "").strip() or recipients[:200], recipients=recipients, every=every,
                             centre_code=centre_code, created_by_id=getattr(by, "id", by))
    if not sub.addresses or any("@" not in a or " " in a for a in sub.addresses):
        raise DomainError(_("Skriv en eller flere e-mailadresser, adskilt af komma."), field="recipients")
    if centre_code is not None and centre_by_code(session, centre_code) is None:
        raise DomainError(_("Vælg et af de ni jobcentre."), field="centre_code")
    session.add(sub)
    session.flush()
    record(session, by=by, entity="report_subscription", entity_id=sub.id, action="create",
           changes={"recipients": [None, ", ".join(sub.addresses)]})
    return sub


def may_stop(user, creator_centre_id: int | None) -> bool:
    """An admin, or a coordinator of the centre whose coordinator made it (one made from the
    command line has no maker: an admin's)."""
    if has_role(user, Role.admin):
        return True
    return (has_role(user, Role.coordinator) and creator_centre_id is not None
            and user.job_centre_id == creator_centre_id)


def ensure_may_stop(session: Session, user, sub: ReportSubscription) -> None:
    creator = session.get(User, sub.created_by_id) if sub.created_by_id else None
    if not may_stop(user, getattr(creator, "job_centre_id", None)):
        raise Forbidden(_("Kun en koordinator fra det jobcenter, der oprettede abonnementet, kan stoppe det."))


def stop(session: Session, sub: ReportSubscription, *, by) -> None:
    """No more reports to the list; the subscription stays, stopped, with its history."""
    ensure_may_stop(session, by, sub)
    if sub.active:
        sub.active = False
        record(session, by=by, entity="report_subscription", entity_id=sub.id, action="stop",
               changes={"active": [True, False]})
        session.flush()


def subscriptions(session: Session) -> list[tuple[ReportSubscription, User | None]]:
    """Every subscription with its maker, the active ones first, newest first."""
    return list(session.exec(
        select(ReportSubscription, User).outerjoin(User, User.id == ReportSubscription.created_by_id)
        .order_by(ReportSubscription.active.desc(), ReportSubscription.id.desc())).all())


def send_due(session: Session, *, now: datetime, settings: Settings) -> int:
    """Queue the last whole period's PDF for every active subscription's addresses; returns how many."""
    today = local(now).date()
    start = first_day(session)
    queued = 0
    for sub in session.exec(select(ReportSubscription).where(ReportSubscription.active.is_(True))
                            .order_by(ReportSubscription.id)).all():
        period = preset(EVERY[sub.every], today=today, first_day=start)
        keys = {a: f"{KIND}:{sub.id}:{period.start.isoformat()}:{a}" for a in sub.addresses}

        done = set(session.exec(select(OutboxMessage.idempotency_key)
                                .where(OutboxMessage.idempotency_key.in_(list(keys.values())))).all())
        todo = [a for a, k in keys.items() if k not in done]
        if not todo:
            continue
        centre_id = centre_by_code(session, sub.centre_code) if sub.centre_code else None
        report = period_report(session, period, centre_id=centre_id,
                               response_days=settings.enquiry_response_working_days)
        pdf = documents.to_pdf(report, now=now)
        name = f"nrs-rapport-{period.start.isoformat()}-{period.end.isoformat()}.pdf"
        subject = _("NRS: rapport for %(p)s", p=period_text(report))
        text = "\n\n".join([status_sentence(report), _("Rapporten er vedhæftet som PDF."), sub.name])
        for address in todo:
            if enqueue(session, key=keys[address], to=address, subject=subject, text=text, now=now,
                       attachment=(name, pdf)):
                queued += 1
    return queued
