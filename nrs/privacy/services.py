"""Writes for personal data: the access log, and data-subject requests about contact persons."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from nrs.audit.models import AuditEvent
from nrs.audit.services import record
from nrs.clock import utcnow
from nrs.companies.models import Company, Contact
from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.privacy.models import AccessLogEntry
from nrs.privacy.queries import contact_history

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
) -> None:
    """Record one use of referral data: who, when (UTC), what, which order or criterion, why.

    The one way to write the access log. The row goes in its own short transaction, never in the
    caller's: a page that shows a case reference and then refuses the form rolls its work back,
    and the log must keep the read all the same. While ``session`` is inside a transaction the row
    waits for that transaction to end (commit or rollback) and is then committed on a connection
    of its own; that way it never waits for a write lock the caller itself holds on SQLite.
    Outside a transaction it is written at once, before the data is read.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    row = {
        "at": utcnow(),
        "user_id": getattr(user, "id", user),
        "job_centre_id": getattr(user, "job_centre_id", None),
        "action": action,
        "entity_type": entity_type,
        "entity_id": "" if entity_id is None else str(entity_id),
        "criterion": (criterion or "")[:500],
        "purpose": (purpose or "")[:200],
    }
    if session.in_transaction():
        session.info.setdefault(_PENDING, []).append(row)
    else:
        _write(session.get_bind(), [row])


_PENDING = "nrs_access_log_pending"


@sa.event.listens_for(OrmSession, "after_transaction_end")
def _write_pending(session: Session, transaction) -> None:
    """The caller's transaction is over (its connection has committed or rolled back): write the rows."""
    if transaction.parent is not None or not session.info.get(_PENDING):
        return
    rows = session.info.pop(_PENDING)
    _write(session.get_bind(), rows)


def _write(bind, rows: list[dict]) -> None:
    """Commit ``rows`` in a short transaction of their own (on SQLite ``BEGIN IMMEDIATE``: a writer waits)."""
    if isinstance(bind, sa.Connection):
        if bind.in_transaction():
            # A connection whose transaction someone outside the session owns: a second connection
            # would wait for that owner's lock, so the rows join its transaction instead.
            bind.execute(sa.insert(AccessLogEntry), rows)
            return
        bind = bind.engine
    with session_scope(bind, write=True) as s:
        s.execute(sa.insert(AccessLogEntry), rows)


#: Audit rows of these entity types hold referral data (a citizen's case and how it went).
REFERRAL_AUDIT_ENTITIES = frozenset({"referral"})


def log_audit_read(session: Session, *, user, events, entity: str = "", entity_id: str = "") -> None:
    """The audit log page is a read of referral data when it is filtered to referrals or shows any.

    One entry per page: the filter and the ids of the referrals whose history was on it.
    """
    shown = sorted({e.entity_id for e in events if e.entity_type in REFERRAL_AUDIT_ENTITIES}, key=str)
    if entity not in REFERRAL_AUDIT_ENTITIES and not shown:
        return
    criterion = "; ".join(p for p in (f"entity={entity}" if entity else "", f"id={entity_id}" if entity_id else "",
                                      f"viste={','.join(shown)}" if shown else "") if p)
    log_access(session, user=user, action="read" if shown else "search", entity_type="referral_audit",
               entity_id=entity_id if entity in REFERRAL_AUDIT_ENTITIES else None, criterion=criterion,
               purpose="revisionslog")


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
    return contact_history(contact.id, contact.company_id)


def pseudonymise(events, fields) -> int:
    """Overwrite the personal values in these audit events' before/after with ``REDACTED``.

    Who, when, which row and what kind of change stay, so the history still answers "who changed
    this when"; the values themselves go with the data they were about. Returns the events changed.
    """
    changed = 0
    for event in events:
        changes = {
            key: ([REDACTED for _v in value] if isinstance(value, list) else REDACTED) if key in fields else value
            for key, value in (event.changes or {}).items()
        }
        if changes != event.changes:
            event.changes = changes
            changed += 1
    return changed


def forget_contact(session: Session, contact) -> None:
    """A contact person's row is going: its values leave the audit history too (deleted or erased)."""
    session.flush()  # the caller's own event about the deletion is pseudonymised as well
    pseudonymise(session.exec(_history(contact)), CONTACT_FIELDS)


#: Referral fields that are personal data about the citizen; retention removes them.
REFERRAL_FIELDS = ("case_reference", "note")


def forget_referrals(session: Session, referral_ids) -> None:
    """The referrals' case references and notes are gone: so are their values in the audit history."""
    ids = [str(i) for i in referral_ids]
    for start in range(0, len(ids), 500):
        pseudonymise(session.exec(select(AuditEvent).where(AuditEvent.entity_type == "referral",
                                                           AuditEvent.entity_id.in_(ids[start:start + 500]))),
                     REFERRAL_FIELDS)


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
    forget_contact(session, contact)
    session.delete(contact)
    log_access(session, user=by, action="delete", entity_type="contact", entity_id=contact_id,
               purpose="sletning (GDPR art. 17)")
    record(session, by=by, entity="contact", entity_id=contact_id, action="erase",
           changes={"company_id": company_id}, note=reason)
    session.flush()
