"""Writes for focus sectors: the steering group names each year's sectors."""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nrs.agreements.models import Agreement
from nrs.audit.services import apply_changes, record
from nrs.campaigns.models import Campaign
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


def campaigns_using(session: Session, sector_id: int) -> list[Campaign]:
    """The campaigns whose sector list names ``sector_id`` (a comma-separated column, no foreign key)."""
    sid = str(sector_id)
    col = Campaign.sector_ids
    return list(session.exec(select(Campaign).where(sa.or_(
        col == sid, col.startswith(f"{sid},"), col.endswith(f",{sid}"), col.contains(f",{sid},"),
    )).order_by(Campaign.name)))


def ensure_deletable(session: Session, sector: FocusSector) -> None:
    """Refuse to delete a sector that a campaign or an agreement uses: deleting it would change what
    they target behind the user's back. Retiring it (``set_retired``) is the way out."""
    campaigns = campaigns_using(session, sector.id)
    if campaigns:
        raise DomainError(_(
            "Branchen bruges af kampagnen %(c)s og kan ikke slettes. Træk den tilbage i stedet: så tilbydes "
            "den ikke til nye kampagner og aftaler, men kampagnerne og historikken beholder den.",
            c=", ".join(c.name for c in campaigns)))
    used = session.exec(select(Agreement.id).where(Agreement.focus_sector_id == sector.id)).first()
    if used is not None:
        raise DomainError(_("Branchen bruges af en eller flere aftaler og kan ikke slettes. "
                            "Træk den tilbage i stedet."))


def set_retired(session: Session, sector: FocusSector, *, by, retired: bool) -> None:
    """Retire a sector (kept for history and its campaigns, offered for nothing new), or bring it back."""
    if sector.retired == retired:
        return
    sector.retired_at = utcnow() if retired else None
    sector.updated_at = utcnow()
    session.flush()
    record(session, by=by, entity="focus_sector", entity_id=sector.id, action="retire" if retired else "unretire",
           changes={"retired": [not retired, retired]})


def delete_sector(session: Session, sector: FocusSector, *, by) -> None:
    """Delete a sector that nothing refers to; agreements and campaigns keep theirs."""
    ensure_deletable(session, sector)
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
