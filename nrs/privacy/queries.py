"""Reads for the access log (the admin page and its export) and for a contact person's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.auth.models import User
from nrs.clock import COPENHAGEN
from nrs.municipalities.models import JobCentre
from nrs.privacy.models import AccessLogEntry

EXPORT_HEADERS = ("Tid (UTC)", "Bruger", "E-mail", "Jobcenter", "Handling", "Type", "Id", "Kriterium", "Formål")


@dataclass(frozen=True)
class AccessLogFilter:
    """An admin's search of the log; every field optional."""

    user: str = ""
    date_from: date | None = None
    date_to: date | None = None
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""

    def describe(self) -> str:
        """The criterion as one line, for the access log's own entry about the export."""
        parts = [
            f"{name}={value}"
            for name, value in (
                ("user", self.user), ("from", self.date_from), ("to", self.date_to), ("action", self.action),
                ("entity", self.entity_type), ("id", self.entity_id),
            )
            if value
        ]
        return "; ".join(parts) or "alle"


def _start_of(day: date) -> datetime:
    """Dates are the admin's (Copenhagen) days; the log stores UTC."""
    return datetime.combine(day, time.min, tzinfo=COPENHAGEN)


def access_log_stmt(flt: AccessLogFilter):
    """Entries matching ``flt``, newest first, with the user and centre (either may be missing)."""
    stmt = (
        select(AccessLogEntry, User, JobCentre)
        .outerjoin(User, AccessLogEntry.user_id == User.id)
        .outerjoin(JobCentre, AccessLogEntry.job_centre_id == JobCentre.id)
    )
    if flt.user:
        needle = flt.user.strip().lower()
        if needle.isdigit() and len(needle) < 10:  # a user id (ids fit in 32 bits)
            stmt = stmt.where(AccessLogEntry.user_id == int(needle))
        else:
            like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(
                sa.or_(sa.func.lower(User.email).like(like, escape="\\"),
                       sa.func.lower(User.name).like(like, escape="\\"))
            )
    if flt.date_from:
        stmt = stmt.where(AccessLogEntry.at >= _start_of(flt.date_from))
    if flt.date_to:
        stmt = stmt.where(AccessLogEntry.at < _start_of(flt.date_to + timedelta(days=1)))
    if flt.action:
        stmt = stmt.where(AccessLogEntry.action == flt.action)
    if flt.entity_type:
        stmt = stmt.where(AccessLogEntry.entity_type == flt.entity_type)
    if flt.entity_id:
        stmt = stmt.where(AccessLogEntry.entity_id == flt.entity_id)
    return stmt.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())


def _utc(at: datetime | None) -> str:
    if at is None:
        return ""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%d %H:%M:%S")


def export_rows(session, flt: AccessLogFilter):
    for entry, user, centre in session.execute(access_log_stmt(flt)):
        yield (
            _utc(entry.at),
            user.name if user else "system",
            user.email if user else "",
            centre.name if centre else "",
            entry.action,
            entry.entity_type,
            entry.entity_id,
            entry.criterion,
            entry.purpose,
        )


def entity_types(session) -> list[str]:
    return list(session.exec(select(AccessLogEntry.entity_type).distinct().order_by(AccessLogEntry.entity_type)))


def _about_contact(contact_id: int, company_id: int | None = None):
    about = sa.and_(AuditEvent.entity_type == "company", AuditEvent.note == f"contact {contact_id}")
    if company_id is not None:
        about = sa.and_(about, AuditEvent.entity_id == str(company_id))
    return sa.or_(sa.and_(AuditEvent.entity_type == "contact", AuditEvent.entity_id == str(contact_id)), about)


def contact_history(contact_id: int, company_id: int | None = None):
    """The audit events that hold (or held) a contact's values: its own, and its company's about it.

    The company's events name the contact by id (``note = "contact <id>"``), its pseudonym after an
    erasure; ``company_id`` narrows the search to that company's events when it is known.
    """
    return select(AuditEvent).where(_about_contact(contact_id, company_id))


def gone_contact_history(session, contact_id: int) -> list[tuple[AuditEvent, str | None]]:
    """A deleted or erased contact's (pseudonymised) history with who did each step, oldest first."""
    return list(session.execute(
        sa.select(AuditEvent, User.name).outerjoin(User, AuditEvent.user_id == User.id)
        .where(_about_contact(contact_id)).order_by(AuditEvent.id)
    ).all())
