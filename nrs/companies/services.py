"""Every write about companies, their contacts, their lead centre and their NRS contact person."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select

from nrs.audit.models import AuditEvent
from nrs.audit.services import apply_changes, record
from nrs.auth.models import Role, User
from nrs.clock import utcnow
from nrs.collation import danish
from nrs.companies import policy
from nrs.companies.fields import fold
from nrs.companies.models import Company, CompanySource, Contact
from nrs.db import is_sqlite
from nrs.errors import DomainError
from nrs.locking import check, saving
from nrs.municipalities.models import JobCentre
from nrs.municipalities.services import centre_for_municipality
from nrs.notifications import events as notifications
from nrs.privacy.services import forget_contact

#: The fields an import or a manual edit sets; the rest (lead, contact person) are NRS's own.
DATA_FIELDS = ("name", "address", "postal_code", "city", "municipality_code", "industry_code",
               "employees_min", "employees_max", "active", "advertising_protected", "phone", "email")


# --- lead assignment -----------------------------------------------------------------------

class CentreCache:
    """``centre_for_municipality`` remembered per municipality, for an import of many rows."""

    def __init__(self, session: Session):
        self.session = session
        self._ids: dict[int, int | None] = {}

    def centre_id(self, municipality_code: int | None) -> int | None:
        if municipality_code not in self._ids:
            centre = centre_for_municipality(self.session, municipality_code)
            self._ids[municipality_code] = centre.id if centre else None
        return self._ids[municipality_code]


def assign_lead(session: Session, company: Company, *, by, centres: CentreCache | None = None,
                override_centre_id: int | None = None, reason: str = "") -> dict:
    """THE lead rule: the centre of the company's municipality, unless a coordinator overrode it.

    With ``override_centre_id`` (a coordinator's decision, with a reason) the lead is fixed and
    later imports leave it alone. A company outside the nine gets no lead from the rule. When the
    lead changes, the contact person is kept only if they work at the new lead centre; otherwise
    the new centre's coordinator is asked to pick one (``lead_changed_at``). Returns the changes.
    """
    if override_centre_id is not None:
        new_lead = override_centre_id
        changes = apply_changes(company, {
            "lead_override": True, "lead_override_reason": reason.strip(),
            "lead_override_by_id": getattr(by, "id", by),
        })
        company.lead_override_at = utcnow()
    elif company.lead_override:
        return {}
    else:
        centres = centres or CentreCache(session)
        new_lead = centres.centre_id(company.municipality_code)
        changes = {}
    if new_lead != company.lead_centre_id:
        changes["lead_centre_id"] = [company.lead_centre_id, new_lead]
        old_lead, company.lead_centre_id = company.lead_centre_id, new_lead
        company.lead_changed_at = utcnow()
        notifications.company_moved(session, company, old_lead=old_lead, now=company.lead_changed_at)
        if company.contact_user_id is not None:
            contact = session.get(User, company.contact_user_id)
            if contact is None or contact.job_centre_id != new_lead:
                changes["contact_user_id"] = [company.contact_user_id, None]
                company.contact_user_id = None
    return changes


def override_lead(session: Session, company: Company, *, by, centre_id: int, reason: str) -> None:
    """A coordinator fixes the lead centre (agreed between the centres), with a reason."""
    policy.ensure_may_override(by, company)
    if not reason.strip():
        raise DomainError(_("Skriv hvorfor det ledende jobcenter ændres."), field="reason")
    if session.get(JobCentre, centre_id) is None:
        raise DomainError(_("Ukendt jobcenter."), field="centre")
    changes = assign_lead(session, company, by=by, override_centre_id=centre_id, reason=reason)
    _touch(company)
    session.flush()
    record(session, by=by, entity="company", entity_id=company.id, action="lead_override",
           changes=changes, note=reason.strip())


def clear_lead_override(session: Session, company: Company, *, by) -> None:
    """Back to the municipality rule."""
    policy.ensure_may_override(by, company)
    if not company.lead_override:
        return
    changes = apply_changes(company, {"lead_override": False, "lead_override_reason": "",
                                      "lead_override_by_id": None})
    company.lead_override_at = None
    changes.update(assign_lead(session, company, by=by))
    _touch(company)
    session.flush()
    record(session, by=by, entity="company", entity_id=company.id, action="lead_rule", changes=changes)


def set_contact_person(session: Session, company: Company, *, by, user_id: int | None) -> None:
    """The one NRS contact: a member of staff at the company's lead centre."""
    policy.ensure_may_change(by, company)
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or not user.active or user.job_centre_id != company.lead_centre_id:
            raise DomainError(_("Kontaktpersonen skal være medarbejder i det ledende jobcenter."),
                              field="user")
    changes = apply_changes(company, {"contact_user_id": user_id})
    if changes:
        _touch(company)
        session.flush()
        record(session, by=by, entity="company", entity_id=company.id, action="contact_person",
               changes=changes)


def lead_centre_staff(session: Session, company: Company) -> list[User]:
    if company.lead_centre_id is None:
        return []
    return list(session.exec(
        select(User).where(User.job_centre_id == company.lead_centre_id, User.active.is_(True),
                           User.role != Role.admin).order_by(danish(User.name))
    ))


# --- create and edit --------------------------------------------------------------------------

def _touch(company: Company) -> None:
    """Mark the company changed; the flush bumps its version (``nrs.locking``)."""
    company.updated_at = utcnow()


def create_company(session: Session, *, by, values: dict, source: CompanySource = CompanySource.manual
                   ) -> Company:
    """A company added by hand (or by a factory); the same rules as the import."""
    if session.exec(select(Company.id).where(Company.cvr == values["cvr"])).first() is not None:
        raise DomainError(_("Der findes allerede en virksomhed med CVR-nummer %(cvr)s.", cvr=values["cvr"]),
                          field="cvr")
    company = Company(cvr=values["cvr"], source=source, **{k: values[k] for k in DATA_FIELDS if k in values})
    company.name_search = fold(company.name)
    session.add(company)
    assign_lead(session, company, by=by)
    session.flush()
    record(session, by=by, entity="company", entity_id=company.id, action="create",
           changes={"cvr": company.cvr, **{k: getattr(company, k) for k in DATA_FIELDS},
                    "lead_centre_id": company.lead_centre_id})
    return company


def update_company(session: Session, company: Company, *, by, values: dict, version: int | None) -> dict:
    """A manual edit. ``version`` is what the editor saw: missing or older means someone saved first."""
    policy.ensure_may_change(by, company)
    check(session, company, version)
    with saving(session, company):
        changes = apply_changes(company, {k: values[k] for k in DATA_FIELDS if k in values})
        if not changes:
            return {}
        company.name_search = fold(company.name)
        if "municipality_code" in changes:
            changes.update(assign_lead(session, company, by=by))
        _touch(company)
    record(session, by=by, entity="company", entity_id=company.id,
           action="move" if "municipality_code" in changes else "update", changes=changes)
    return changes


# --- contacts ------------------------------------------------------------------------------------

CONTACT_FIELDS = ("name", "role", "phone", "email")


def add_contact(session: Session, company: Company, *, by, values: dict) -> Contact:
    policy.ensure_may_change(by, company)
    contact = Contact(company_id=company.id, **{k: values.get(k, "") for k in CONTACT_FIELDS})
    session.add(contact)
    session.flush()
    record(session, by=by, entity="company", entity_id=company.id, action="contact_added",
           changes={k: getattr(contact, k) for k in CONTACT_FIELDS}, note=f"contact {contact.id}")
    return contact


def update_contact(session: Session, contact: Contact, *, by, values: dict, version: int | None) -> None:
    """Edit a contact; ``version`` is what the editor saw: missing or older means someone saved first."""
    policy.ensure_may_change(by, session.get(Company, contact.company_id))
    check(session, contact, version)
    with saving(session, contact):
        changes = apply_changes(contact, {k: values.get(k, "") for k in CONTACT_FIELDS})
        if changes:
            contact.updated_at = utcnow()
    if changes:
        record(session, by=by, entity="company", entity_id=contact.company_id, action="contact_updated",
               changes=changes, note=f"contact {contact.id}")


def delete_contact(session: Session, contact: Contact, *, by) -> None:
    policy.ensure_may_change(by, session.get(Company, contact.company_id))
    record(session, by=by, entity="company", entity_id=contact.company_id, action="contact_deleted",
           changes={k: [getattr(contact, k), None] for k in CONTACT_FIELDS}, note=f"contact {contact.id}")
    forget_contact(session, contact)
    session.delete(contact)
    session.flush()


# --- import --------------------------------------------------------------------------------------

@dataclass
class ImportOutcome:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    moved: list[str] = field(default_factory=list)


CHUNK = 900  # below SQLite's 999 bound parameters in an IN list on old builds
#: PostgreSQL looks a chunk up with one array parameter: bigger chunks, fewer round trips.
PG_CHUNK = 10_000


def _new_company_row(session: Session, row: dict, *, source: CompanySource, centres: CentreCache,
                     now) -> dict:
    """A new company as a plain row for a bulk INSERT (building ORM objects is the slow part)."""
    values = {"address": "", "postal_code": "", "city": "", "employees_min": None, "employees_max": None,
              "active": True, "advertising_protected": False, "phone": "", "email": ""}
    values.update({k: row[k] for k in DATA_FIELDS if k in row})
    lead = SimpleNamespace(municipality_code=values["municipality_code"], lead_override=False,
                           lead_centre_id=None, contact_user_id=None, lead_changed_at=None)
    assign_lead(session, lead, by=None, centres=centres)
    return {**values, "cvr": row["cvr"], "name_search": fold(values["name"]), "source": source,
            "lead_centre_id": lead.lead_centre_id, "lead_override": False, "lead_override_reason": "",
            "contact_user_id": None, "created_at": now, "updated_at": now, "version": 1}


def _insert(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """Many rows into ``table``; on PostgreSQL with ``COPY``, its own bulk path.

    Through SQLAlchemy, psycopg gets 1,000-row ``VALUES`` statements with a placeholder per value
    and spends longer rewriting their placeholders than PostgreSQL spends inserting the rows.
    ``COPY`` runs on the session's own connection, so it is part of the same transaction.
    """
    if is_sqlite(session):
        session.execute(table.insert(), rows)
        return
    bind = session.get_bind()
    columns = list(rows[0])
    processors = [(i, proc) for i, c in enumerate(columns)
                  if (proc := table.c[c].type.dialect_impl(bind.dialect).bind_processor(bind.dialect))]
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            values = [row[c] for c in columns]
            for i, proc in processors:
                if values[i] is not None:
                    values[i] = proc(values[i])
            copy.write_row(values)


def _cvr_in(session: Session, cvrs: list[str]):
    """``cvr IN (...)``; on PostgreSQL one array parameter instead of a placeholder per number."""
    if not is_sqlite(session):
        return Company.cvr == sa.any_(sa.bindparam("cvrs", cvrs, type_=ARRAY(sa.String)))
    return Company.cvr.in_(cvrs)


def _insert_companies(session: Session, rows: list[dict], make) -> list[dict]:
    """New companies, ``make(row)`` each, into the table; returns what was inserted, with ids."""
    if not is_sqlite(session):
        # Numbers from the sequence up front: COPY cannot return the ids it made.
        ids = session.execute(sa.text(
            "SELECT nextval(pg_get_serial_sequence('companies', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)}).scalars().all()
        # Made before COPY starts: nothing else may use the connection while it streams.
        made = [{**make(row), "id": new_id} for row, new_id in zip(rows, ids, strict=True)]
        _insert(session, Company.__table__, made)
        return made
    made = [make(row) for row in rows]
    # Core, not ORM bulk insert: the ORM splits the batch wherever a value is None.
    inserted = session.execute(
        Company.__table__.insert().returning(Company.id, sort_by_parameter_order=True), made)
    for row, new_id in zip(made, inserted.scalars().all(), strict=True):
        row["id"] = new_id
    return made


def _by_keys(updates: list[dict]) -> list[tuple[list[str], list[dict]]]:
    """Update rows grouped by the columns they set (one executemany needs the same columns)."""
    groups: dict[tuple, list[dict]] = {}
    for row in updates:
        groups.setdefault(tuple(sorted(k for k in row if k != "b_id")), []).append(row)
    return [(list(keys), rows) for keys, rows in groups.items()]


def import_companies(session: Session, rows: Iterable[dict], *, by, source: CompanySource) -> ImportOutcome:
    """Upsert validated rows by CVR number, in chunks: one SELECT per chunk, never one per row.

    A later file is a newer truth: data fields are overwritten; the lead follows a changed
    municipality through ``assign_lead`` (an override stays); each new, changed or moved company
    gets an audit event (written in bulk, same shape as ``audit.services.record``).
    """
    outcome = ImportOutcome()
    postgresql = not is_sqlite(session)
    if postgresql:
        # psycopg prepares a statement once it has run 5 times, and PostgreSQL may then keep one
        # generic plan for it, made while ``companies`` was still (nearly) empty: a sequential
        # scan with a 900-item IN list, per chunk, on an ever bigger table (100,000 new rows:
        # 234 rows/s). Plan each chunk's look-up for its own values instead.
        session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
    centres = CentreCache(session)
    by_id = getattr(by, "id", by)
    note = f"import ({source.value})"
    columns = [Company.id, Company.cvr, Company.version, *(getattr(Company, k) for k in DATA_FIELDS)]
    rows = list(rows)
    size = PG_CHUNK if postgresql else CHUNK
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        now = utcnow()
        # Plain tuples to compare against: loading ORM objects for unchanged rows is the slow part.
        existing = {r.cvr: r for r in session.execute(
            sa.select(*columns).where(_cvr_in(session, [r["cvr"] for r in chunk])))}
        events, new_rows, updates = [], [], []
        for row in chunk:
            current = existing.get(row["cvr"])
            if current is None:
                new_rows.append(row)
                continue
            values = {k: row[k] for k in DATA_FIELDS if k in row}
            if all(getattr(current, k) == v for k, v in values.items()):
                outcome.unchanged += 1
                continue
            outcome.changed += 1
            if values.get("municipality_code", current.municipality_code) != current.municipality_code:
                # A move: the lead follows through the one lead rule (unless overridden).
                company = session.get(Company, current.id)
                changes = apply_changes(company, values)
                company.name_search = fold(company.name)
                company.source = source
                changes.update(assign_lead(session, company, by=by, centres=centres))
                _touch(company)
                outcome.moved.append(company.cvr)
                events.append((company.id, "move", changes))
                continue
            changes = {k: [getattr(current, k), v] for k, v in values.items() if getattr(current, k) != v}
            updates.append({"b_id": current.id, **values, "name_search": fold(values.get("name", current.name)),
                            "source": source, "updated_at": now})
            events.append((current.id, "import_update", changes))
        session.flush()
        for keys, group in _by_keys(updates):
            # Core executemany: the ORM would send versioned rows one statement each. The
            # version is bumped, so a form opened before the import is refused as stale.
            table = Company.__table__
            session.execute(table.update().where(table.c.id == sa.bindparam("b_id"))
                            .values({**{k: sa.bindparam(k) for k in keys}, "version": table.c.version + 1}), group)
        if new_rows:
            outcome.new += len(new_rows)
            new_rows = _insert_companies(session, new_rows, functools.partial(
                _new_company_row, session, source=source, centres=centres, now=now))
            events.extend((r["id"], "create", {"cvr": r["cvr"], "name": r["name"],
                                               "municipality_code": r["municipality_code"],
                                               "lead_centre_id": r["lead_centre_id"]})
                          for r in new_rows)
        if events:
            _insert(session, AuditEvent.__table__, [
                {"at": now, "user_id": by_id, "entity_type": "company", "entity_id": str(company_id),
                 "action": action, "changes": changes, "note": note}
                for company_id, action, changes in events])
    if postgresql:
        session.execute(sa.text("SET LOCAL plan_cache_mode TO DEFAULT"))  # the rest of the transaction
    return outcome
