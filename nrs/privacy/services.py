"""Writes for personal data: the access log."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.audit.models import AuditEvent
from nrs.audit.services import record
from nrs.companies.models import Company, Contact
from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.privacy.models import AccessLogEntry

ACTIONS = frozenset({"read", "search", "create", "update", "export", "delete"})


def log_access(
    session: Session,
    *,
    user,
    action: str,
    entity_type: str,
    entity_id=None,
    criterion: str = "",
    purpose: str = "",
) -> AccessLogEntry:
    """Record one use of referral data: who, when (UTC), what, which order or criterion, why."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    entry = AccessLogEntry(
        user_id=getattr(user, "id", user),
        job_centre_id=getattr(user, "job_centre_id", None),
        action=action,
        entity_type=entity_type,
        entity_id="" if entity_id is None else str(entity_id),
        criterion=(criterion or "")[:500],
        purpose=(purpose or "")[:200],
    )
    session.add(entry)
    return entry


def log_access_now(bind, **entry) -> None:
    """``log_access`` in its own short transaction, committed before the data is read.

    For read-only pages: the request's own transaction then stays a reader, so on SQLite a busy
    list page never holds the one write lock while it reads. The entry records the attempt even
    if rendering fails afterwards, which errs on the side of the citizen.
    """
    with session_scope(bind) as s:
        log_access(s, **entry)


# --- Data-subject requests about a company's contact person -------------------------------------

#: Contact fields that are personal data; an erasure removes them and never writes them elsewhere.
CONTACT_FIELDS = ("name", "role", "phone", "email")
REDACTED = "[slettet]"


def _contact(session: Session, contact_id: int):
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise DomainError(_("Kontaktpersonen findes ikke (længere)."), field="contact")
    return contact


def _history(contact):
    """The audit events that hold this contact's values: its own, and its company's about it."""
    return select(AuditEvent).where(
        sa.or_(
            sa.and_(AuditEvent.entity_type == "contact", AuditEvent.entity_id == str(contact.id)),
            sa.and_(AuditEvent.entity_type == "company", AuditEvent.entity_id == str(contact.company_id),
                    AuditEvent.note == f"contact {contact.id}"),
        )
    )


def export_contact(session: Session, contact_id: int, *, by) -> dict:
    """Everything NRS holds about one contact person (GDPR art. 15), logged as an export.

    The contact row, the company it belongs to, and the audit history of the row (which holds the
    earlier values).
    """
    contact = _contact(session, contact_id)
    company = session.get(Company, contact.company_id)
    history = session.exec(_history(contact).order_by(AuditEvent.id)).all()
    log_access(session, user=by, action="export", entity_type="contact", entity_id=contact.id,
               purpose="indsigt (GDPR art. 15)")
    session.flush()
    return {
        "contact": {
            "id": contact.id,
            **{f: getattr(contact, f) for f in CONTACT_FIELDS},
            "created_at": contact.created_at.isoformat() if contact.created_at else None,
            "updated_at": contact.updated_at.isoformat() if contact.updated_at else None,
        },
        "company": {"id": company.id, "cvr": company.cvr, "name": company.name} if company else None,
        "history": [
            {"at": e.at.isoformat(), "action": e.action, "changes": e.changes, "note": e.note} for e in history
        ],
    }


def contact_export_rows(data: dict) -> tuple[list[str], list[list]]:
    """The export as one two-column table (field, value) for CSV."""
    rows = [[f"kontaktperson.{k}", v] for k, v in data["contact"].items()]
    if data["company"]:
        rows += [[f"virksomhed.{k}", v] for k, v in data["company"].items()]
    for i, event in enumerate(data["history"], start=1):
        rows.append([f"historik.{i}", f'{event["at"]} {event["action"]} {event["changes"]} {event["note"]}'.strip()])
    return ["Felt", "Værdi"], rows


def erase_contact(session: Session, contact_id: int, *, by, reason: str) -> None:
    """Erase a contact person on request (GDPR art. 17).

    The row goes, and the personal values in its audit history are overwritten; the new audit
    event says who erased which row and why, without the values themselves.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Angiv hvorfor kontaktpersonen slettes."), field="reason")
    contact = _contact(session, contact_id)
    company_id = contact.company_id
    for event in session.exec(_history(contact)):
        event.changes = {
            key: ([REDACTED for _v in value] if isinstance(value, list) else REDACTED)
            if key in CONTACT_FIELDS else value
            for key, value in (event.changes or {}).items()
        }
        session.add(event)
    session.delete(contact)
    log_access(session, user=by, action="delete", entity_type="contact", entity_id=contact_id,
               purpose="sletning (GDPR art. 17)")
    record(session, by=by, entity="contact", entity_id=contact_id, action="erase",
           changes={"company_id": company_id}, note=reason)
    session.flush()
