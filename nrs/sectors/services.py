"""Writes for focus sectors: the steering group names each year's sectors."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nrs.agreements.models import Agreement
from nrs.audit.services import apply_changes, record
from nrs.clock import utcnow
from nrs.errors import DomainError
from nrs.locking import check, saving
from nrs.sectors.models import FocusSector
from nrs.sectors.queries import sector_by_name

PREFIX = re.compile(r"\d{2,6}")
RANGE = re.compile(r"(\d{2,6})-(\d{2,6})")


def parse_codes(codes: str | Iterable[str]) -> list[str]:
    """DB07 prefixes from ``41,42,43`` or ``49-53`` (a range of equal-length prefixes).

    Prefixes stay text (``05`` is not ``5``); a prefix already covered by a shorter one is
    dropped, so the stored list says exactly what matches.
    """
    parts = re.split(r"[,;\s]+", codes) if isinstance(codes, str) else list(codes)
    found: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if m := RANGE.fullmatch(part):
            lo, hi = m.groups()
            if len(lo) != len(hi) or int(lo) > int(hi):
                raise DomainError(_("%(p)s er ikke et gyldigt interval (fx 49-53).", p=part), field="codes")
            found += [str(n).zfill(len(lo)) for n in range(int(lo), int(hi) + 1)]
        elif PREFIX.fullmatch(part):
            found.append(part)
        else:
            raise DomainError(
                _("%(p)s er ikke en branchekode: skriv 2 til 6 cifre (fx 41 eller 492000).", p=part),
                field="codes",
            )
    if not found:
        raise DomainError(_("Angiv mindst én branchekode."), field="codes")
    unique = sorted(set(found))
    return [p for p in unique if not any(p != q and p.startswith(q) for q in unique)]


def _check(year: int, name: str) -> str:
    if not 2000 <= year <= 2100:
        raise DomainError(_("Året skal ligge mellem 2000 og 2100."), field="year")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Giv branchen et navn."), field="name")
    if len(name) > 120:
        raise DomainError(_("Navnet må højst være 120 tegn."), field="name")
    return name


def set_sector(session: Session, *, by, year: int, name: str, codes: str | Iterable[str]) -> FocusSector:
    """Create the sector ``name`` of ``year``, or replace its codes if it exists already."""
    name = _check(year, name)
    prefixes = ",".join(parse_codes(codes))
    sector = sector_by_name(session, year=year, name=name)
    if sector is None:
        sector = FocusSector(year=year, name=name, codes=prefixes)
        session.add(sector)
        session.flush()
        record(session, by=by, entity="focus_sector", entity_id=sector.id, action="create",
               changes={"year": year, "name": name, "codes": prefixes})
        return sector
    changes = apply_changes(sector, {"codes": prefixes})
    if changes:
        sector.updated_at = utcnow()
        session.flush()
        record(session, by=by, entity="focus_sector", entity_id=sector.id, action="update", changes=changes)
    return sector


def update_sector(session: Session, sector: FocusSector, *, by, year: int, name: str,
                  codes: str | Iterable[str], version: int | None) -> FocusSector:
    """Change a sector's year, name or codes (the admin page's edit), saved at ``version``."""
    name = _check(year, name)
    prefixes = ",".join(parse_codes(codes))
    other = sector_by_name(session, year=year, name=name)
    if other is not None and other.id != sector.id:
        raise DomainError(_("%(y)d har allerede en branche med navnet %(n)s.", y=year, n=name), field="name")
    check(session, sector, version)
    with saving(session, sector):
        changes = apply_changes(sector, {"year": year, "name": name, "codes": prefixes})
        if changes:
            sector.updated_at = utcnow()
    if changes:
        record(session, by=by, entity="focus_sector", entity_id=sector.id, action="update", changes=changes)
    return sector


def delete_sector(session: Session, sector: FocusSector, *, by) -> None:
    """Delete a sector that nothing refers to; agreements and campaigns keep theirs."""
    used = session.exec(select(Agreement.id).where(Agreement.focus_sector_id == sector.id)).first()
    if used is not None:
        raise DomainError(_("Branchen bruges af en eller flere aftaler og kan ikke slettes."))
    snapshot = {"year": sector.year, "name": sector.name, "codes": sector.codes}
    sector_id = sector.id
    try:
        with session.begin_nested():
            session.delete(sector)
            session.flush()
    except IntegrityError:
        # Another domain (e.g. a campaign) refers to it through a foreign key.
        raise DomainError(_("Branchen bruges andre steder i NRS og kan ikke slettes.")) from None
    record(session, by=by, entity="focus_sector", entity_id=sector_id, action="delete", changes=snapshot)
