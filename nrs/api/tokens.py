"""API keys: made, checked, counted and revoked here only.

A key is ``nrs_`` and 43 URL-safe characters (32 random bytes). Only its SHA-256 is stored (see
``ApiToken``); the key itself is shown once, when it is made. A key is refused once revoked or
past its expiry, and each key may make ``Settings.api_calls_per_minute`` calls in a fixed
one-minute window; the count lives on the key's row, raised by one atomic UPDATE, so every worker
of every server sees the same count.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.api.models import ApiToken
from nrs.audit.services import record
from nrs.clock import utcnow
from nrs.errors import DomainError

PREFIX = "nrs_"
WINDOW_SECONDS = 60
MAX_DAYS = 3650


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create(session: Session, *, name: str, centre_id: int | None = None, days: int | None = None,
           referrals: bool = False, by=None) -> tuple[ApiToken, str]:
    """A new key for an integration: the row (flushed) and the key, which is never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Giv nøglen et navn på højst 100 tegn."), field="name")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise DomainError(_("Gyldighed i dage skal være mellem 1 og %(n)s.", n=MAX_DAYS), field="days")
    if session.exec(select(ApiToken.id).where(ApiToken.name == name)).first() is not None:
        raise DomainError(_("Der findes allerede en nøgle med navnet %(name)s.", name=name), field="name")
    key = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(name=name, token_hash=hash_key(key), prefix=key[:12], job_centre_id=centre_id,
                     referrals=referrals, created_by_id=getattr(by, "id", None), created_at=now,
                     expires_at=now + timedelta(days=days) if days else None)
    session.add(token)
    session.flush()
    record(session, by=by, entity="api_token", entity_id=token.id, action="create",
           changes={"name": name, "job_centre_id": centre_id, "referrals": referrals, "days": days})
    return token, key


def revoke(session: Session, name: str, *, by=None) -> ApiToken:
    """Stop a key now; its row stays (the access log names it)."""
    token = session.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if token is None:
        raise DomainError(_("Der findes ingen nøgle med navnet %(name)s.", name=name), field="name")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        record(session, by=by, entity="api_token", entity_id=token.id, action="revoke", note=name)
        session.flush()
    return token


def usable(token: ApiToken | None, now: datetime) -> bool:
    return (token is not None and token.revoked_at is None
            and (token.expires_at is None or token.expires_at > now))


def find(session: Session, key: str, now: datetime) -> ApiToken | None:
    """The usable token whose key this is, or None (unknown, revoked or expired alike)."""
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_key(key))).first()
    return token if usable(token, now) else None


@dataclass(frozen=True)
class Call:
    """A counted call: how many the key has made in this window, and when the window ends."""

    calls: int
    retry_after: int


def count_call(session: Session, token: ApiToken, now: datetime) -> Call:
    """Count one call in the key's current window (one atomic UPDATE; the caller commits)."""
    window = int(now.timestamp()) // WINDOW_SECONDS
    t = ApiToken.__table__
    calls = session.execute(
        sa.update(t).where(t.c.id == token.id)
        .values(rate_calls=sa.case((t.c.rate_window == window, t.c.rate_calls + 1), else_=1),
                rate_window=window, last_used_at=now)
        .returning(t.c.rate_calls)
    ).scalar_one()
    return Call(calls=calls, retry_after=(window + 1) * WINDOW_SECONDS - int(now.timestamp()))
