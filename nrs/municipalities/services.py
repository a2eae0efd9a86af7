"""Reference data, lead assignment, and a centre's joining date."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.clock import today
from nrs.errors import DomainError
from nrs.joborders.models import JobOrder
from nrs.locking import check, saving
from nrs.municipalities.models import NRS_MUNICIPALITIES, JobCentre, Municipality
from nrs.refdata import read_csv


def load_reference_data(session: Session) -> int:
    """Upsert all municipalities and one job centre per NRS member; safe to run again."""
    existing = {m.code: m for m in session.exec(select(Municipality))}
    for row in read_csv("municipalities.csv"):
        code = int(row["kommunekode"])
        values = dict(
            name=row["kommunenavn"],
            region_code=int(row["regionskode"]),
            nrs_member=int(row["kommunekode"]) in NRS_MUNICIPALITIES,
        )
        m = existing.get(code)
        if m is None:
            session.add(Municipality(code=code, **values))
        else:
            for key, value in values.items():
                setattr(m, key, value)
    session.flush()
    centres = {c.municipality_code for c in session.exec(select(JobCentre))}
    for m in session.exec(select(Municipality).where(Municipality.nrs_member.is_(True))):
        if m.code not in centres:
            session.add(JobCentre(municipality_code=m.code, name=f"Jobcenter {m.name}"))
    session.flush()
    return len(existing)


def centre_for_municipality(session: Session, municipality_code: int | None) -> JobCentre | None:
    """Lead assignment: the job centre of the municipality the company is located in.

    A municipality outside the nine has no centre (None): such a company waits for a
    coordinator to assign one. Overrides are applied by the caller (companies.services).
    """
    if municipality_code is None:
        return None
    return session.exec(select(JobCentre).where(JobCentre.municipality_code == municipality_code)).first()


def set_joined_on(session: Session, centre: JobCentre, *, by, joined_on: date,
                  expected_version: int | None = None) -> bool:
    """Set the day the centre began registering in NRS (orders received earlier are refused, see
    ``nrs.joborders.dates``); audited. Not in the future, and not after an order the centre already
    leads was received (that order would no longer make sense). ``expected_version``: the version
    the admin page showed (the CLI passes none). Returns whether anything changed."""
    if expected_version is not None:
        check(session, centre, expected_version)
    if joined_on is None:
        raise DomainError(_("Datoen skal udfyldes."), field="joined_on")
    if joined_on > today():
        raise DomainError(_("Datoen kan ikke ligge i fremtiden."), field="joined_on")
    first = session.execute(sa.select(sa.func.min(JobOrder.received_on))
                            .where(JobOrder.lead_centre_id == centre.id)).scalar_one_or_none()
    if first is not None and joined_on > first:
        raise DomainError(_("Jobcentret har jobordrer modtaget før denne dato (den første %(d)s).",
                            d=first.strftime("%d-%m-%Y")), field="joined_on")
    old = centre.joined_on
    if old == joined_on:
        return False
    with saving(session, centre):
        centre.joined_on = joined_on
    record(session, by=by, entity="job_centre", entity_id=centre.id, action="update",
           changes={"joined_on": [old.isoformat(), joined_on.isoformat()]})
    session.flush()
    return True
