"""Reference data read once per process, not per request: job centres, municipalities, focus sectors,
and how many active users each centre has.

Every page used to read the 98 centres (and often the municipalities or the sectors) into ORM
objects, some twice; at national scale that was a fixed few milliseconds of every request. Here
each table is read once per database and kept as immutable rows (never ORM objects, so nothing
cached can be attached to a session or changed by mistake).

When it changes:
- in this process, at once: a flush that adds, changes or deletes a ``JobCentre``,
  ``Municipality``, ``FocusSector`` or ``User`` empties the cache, and so does the end (commit or rollback)
  of that session's transaction, so neither the uncommitted nor the rolled-back rows stay;
- in other processes (the other gunicorn workers, the CLI, the scheduler) after at most
  ``TTL`` seconds. A short TTL, not a version row: these tables change a few times a year, by an
  administrator; a counter row would need a migration and triggers for writes outside the ORM,
  and a per-request ``max(updated_at)`` check costs the very round trip the cache saves (the
  centres and municipalities have no such column either). A renamed centre shows under its new
  name on every worker within ``TTL`` seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from nrs.auth.models import User
from nrs.collation import danish
from nrs.municipalities.models import JobCentre, Municipality
from nrs.sectors.models import FocusSector

#: Seconds another process may show reference data changed elsewhere.
TTL = 30.0


@dataclass(frozen=True, slots=True)
class Centre:
    id: int
    municipality_code: int
    name: str
    phone: str
    email: str
    joined_on: date


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality."""

    code: int
    name: str
    region_code: int
    nrs_member: bool


@dataclass(frozen=True, slots=True)
class Sector:
    id: int
    year: int
    name: str
    codes: str

    @property
    def prefixes(self) -> list[str]:
        return [c for c in self.codes.split(",") if c]


#: A change to any of these empties the cache (users: for the staff counts, ``staff_counts``).
_CACHED = (JobCentre, Municipality, FocusSector, User)
_lock = threading.Lock()
_store: dict[tuple[str, str], tuple[float, tuple]] = {}


def _key(session) -> str:
    bind = session.get_bind()
    return str(getattr(bind, "engine", bind).url)


def _read(session, name: str, load) -> tuple:
    key = (_key(session), name)
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    rows = tuple(load(session))
    with _lock:
        _store[key] = (now, rows)
    return rows


def clear() -> None:
    """Forget everything (a test that writes reference data with raw SQL calls it)."""
    with _lock:
        _store.clear()


def centres(session) -> tuple[Centre, ...]:
    """The job centres by name."""
    t = JobCentre.__table__.c
    return _read(session, "centres", lambda s: (Centre(*r) for r in s.execute(
        sa.select(t.id, t.municipality_code, t.name, t.phone, t.email, t.joined_on).order_by(danish(t.name)))))


def centre(session, centre_id: int | None) -> Centre | None:
    return next((c for c in centres(session) if c.id == centre_id), None)


def centre_choices(session) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in centres(session)]


def centre_names(session) -> dict[int, str]:
    return {c.id: c.name for c in centres(session)}


def municipalities(session) -> tuple[Place, ...]:
    """Every municipality by name."""
    t = Municipality.__table__.c
    return _read(session, "municipalities", lambda s: (Place(*r) for r in s.execute(
        sa.select(t.code, t.name, t.region_code, t.nrs_member).order_by(danish(t.name)))))


def municipality_names(session) -> dict[int, str]:
    return {m.code: m.name for m in municipalities(session)}


def sectors(session) -> tuple[Sector, ...]:
    """Every year's focus sectors, newest year first, by name."""
    t = FocusSector.__table__.c
    return _read(session, "sectors", lambda s: (Sector(*r) for r in s.execute(
        sa.select(t.id, t.year, t.name, t.codes).order_by(t.year.desc(), danish(t.name)))))


def staff_counts(session) -> dict[int | None, int]:
    """Active users per job centre (the front page's list of centres): a user added, moved or
    deactivated here shows at once, in another process within ``TTL`` seconds."""
    t = User.__table__.c
    return dict(_read(session, "staff", lambda s: s.execute(
        sa.select(t.job_centre_id, sa.func.count()).where(t.active.is_(True)).group_by(t.job_centre_id)).all()))


_TOUCHED = "nrs_refcache_touched"


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session, _flush_context) -> None:
    if any(isinstance(o, _CACHED) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_TOUCHED] = True
        clear()


@event.listens_for(OrmSession, "after_transaction_end")
def _after_end(session, transaction) -> None:
    if transaction.parent is None and session.info.pop(_TOUCHED, False):
        clear()


@event.listens_for(OrmSession, "do_orm_execute")
def _bulk_write(state) -> None:
    """``session.execute(update(JobCentre)…)`` and the like bypass the flush."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in {m.__tablename__ for m in _CACHED}:
        state.session.info[_TOUCHED] = True
        clear()
