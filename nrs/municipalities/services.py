"""Reference data and lead assignment."""

from __future__ import annotations

from sqlmodel import Session, select

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
