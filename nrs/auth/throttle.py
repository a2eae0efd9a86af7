"""Slowing down password guessing without letting anyone lock a real user out (OWASP ASVS 5.0 §6.3).

A hard per-account lock-out is a weapon: whoever knows an e-mail address can keep its owner out.
So nothing here counts only the account. Three counters, one row each in ``login_throttles``:

``pair:<email>|<address>`` — the hard limit. After ``pair`` failures (5) for one account from one
    address, that address is refused for the account for 30 s, then 1, 2, 4, 8, 15 min after each
    further failure. The right password is refused too while the window lasts (no oracle), but
    only for the address the guesses came from.
``account:<email>`` — the slowdown. Never refuses by itself. Once an account has ``account``
    failures (5) from anywhere, every address gets *one* guess before the stepped windows start
    (instead of five). An attacker with many addresses gets one guess per address per window; an
    address with no failures for the account is always let through, so the real user at their own
    desk gets in with the right password however hard the account is hammered from elsewhere.
``address:<address>`` — password spraying (one address, many accounts). After ``address``
    failures (20) from one address across all accounts, that address is refused for every account
    it has not logged in to successfully in the last 90 days (``last_success_at`` on the pair), so
    colleagues behind the same municipal NAT keep logging in while the sprayer, and anyone trying a
    new account from there, waits. IPv6 addresses count per /64, the smallest network a client
    usually controls.

Every counter forgets its failures an hour after the last one. Unknown e-mail addresses are
counted exactly like known ones, so no answer tells whether an account exists.

Concurrency: an attempt first *reserves* its place in its own short write transaction — the
address row and then the pair row are locked by an ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
(PostgreSQL row locks, in that order everywhere so they cannot deadlock; SQLite's ``BEGIN
IMMEDIATE`` write lock), the decision is taken on the locked values and the attempt is counted as
a failure before the password is checked. Twenty parallel guesses therefore get places 1…20 and
only the first five are checked. A success then clears the pair and gives the address its place
back; a failure adds one to the account with the same atomic upsert. Throttle rows live in their
transactions of their own, committed whatever the response (a refused or failed login answers
4xx, and a 4xx request's transaction is rolled back). They run on the request's session, committing
it, rather than on a second connection: on SQLite a second connection would wait for a request that
already holds the write lock.

The same functions guard the change-password form's current-password check: a stolen session
cannot be used to guess the password it would need to keep the account.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from nrs.auth.models import LoginThrottle
from nrs.clock import utcnow
from nrs.db import begin_write

log = logging.getLogger("nrs.security")

#: A counter forgets its failures this long after the last one.
RESET_AFTER = timedelta(hours=1)
FIRST_STEP = timedelta(seconds=30)
MAX_STEP = timedelta(minutes=15)
#: A successful login from an address keeps that (account, address) pair trusted this long.
TRUSTED_FOR = timedelta(days=90)
#: Stale rows removed after each failure: the table stays as small as the last hour's attacks.
PRUNE_BATCH = 50

_table = LoginThrottle.__table__


@dataclass(frozen=True)
class Limits:
    pair: int = 5
    account: int = 5
    address: int = 20

    @classmethod
    def from_settings(cls, settings) -> Limits:
        n = settings.login_max_failures
        return cls(pair=n, account=n, address=4 * n)


def client_address(raw: str | None) -> str:
    """The address a counter is kept for: canonical, IPv6 per /64, anything else ``invalid``.

    ``raw`` is ``request.remote_addr`` — behind nginx (``NRS_PROXY_HOPS=1``) the address nginx saw.
    """
    try:
        ip = ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return "invalid"
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keys(email: str, address: str) -> tuple[str, str, str]:
    return f"address:{address}", f"pair:{email}|{address}", f"account:{email}"


def _step(n: int) -> timedelta:
    """30 s, 1, 2, 4, 8, then 15 min: the wait after the n-th failure beyond the allowance."""
    return min(FIRST_STEP * 2 ** min(max(n, 0), 10), MAX_STEP)


@dataclass(frozen=True)
class _Row:
    failures: int = 0
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None

    def live(self, now: datetime) -> int:
        """Failures that still count: none once the last is older than ``RESET_AFTER``."""
        if self.last_failure_at is None or now - _aware(self.last_failure_at) > RESET_AFTER:
            return 0
        return self.failures


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def refusal(now: datetime, *, pair: _Row, account: _Row, address: _Row, limits: Limits) -> timedelta | None:
    """How long this (account, address) must wait before its next guess, or None."""
    until: list[datetime] = []
    p, a, x = pair.live(now), account.live(now), address.live(now)
    if p >= limits.pair:
        until.append(_aware(pair.last_failure_at) + _step(p - limits.pair))
    elif a >= limits.account and p >= 1:
        until.append(_aware(pair.last_failure_at) + _step(p - 1))
    trusted = pair.last_success_at is not None and now - _aware(pair.last_success_at) <= TRUSTED_FOR
    if x >= limits.address and not trusted:
        until.append(_aware(address.last_failure_at) + _step(x - limits.address))
    wait = max(until, default=now) - now
    return wait if wait > timedelta(0) else None


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(_table)


def _lock(session: Session, key: str) -> _Row:
    """The row for ``key`` (created empty if new), locked until this transaction ends."""
    stmt = _insert(session).values(key=key, failures=0)
    stmt = stmt.on_conflict_do_update(index_elements=[_table.c.key], set_={"failures": _table.c.failures})
    row = session.execute(
        stmt.returning(_table.c.failures, _table.c.last_failure_at, _table.c.last_success_at)
    ).one()
    return _Row(*row)


def _counted(now: datetime):
    """``failures + 1``, or 1 when the last failure is old enough to be forgotten."""
    fresh = sa.and_(_table.c.last_failure_at.is_not(None), _table.c.last_failure_at >= now - RESET_AFTER)
    return sa.case((fresh, _table.c.failures + 1), else_=1)


def _add_failure(session: Session, key: str, now: datetime) -> int:
    stmt = _insert(session).values(key=key, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_table.c.key], set_={"failures": _counted(now), "last_failure_at": now}
    )
    return session.execute(stmt.returning(_table.c.failures)).scalar_one()


def reserve(session: Session, *, email: str, address: str, limits: Limits) -> timedelta | None:
    """Take this attempt's place, or say how long to wait. Call before checking the password.

    Commits ``session`` (see the module docstring): the place must be visible to every other
    attempt before this one's password is checked.
    """
    now = utcnow()
    address_key, pair_key, account_key = _keys(email, address)
    begin_write(session)
    addr = _lock(session, address_key)  # always the address first, then the pair: no deadlock
    pair = _lock(session, pair_key)
    acct = session.exec(select(LoginThrottle).where(LoginThrottle.key == account_key)).first()
    account = _Row(acct.failures, acct.last_failure_at) if acct else _Row()
    wait = refusal(now, pair=pair, account=account, address=addr, limits=limits)
    if wait is None:
        _add_failure(session, address_key, now)
        _add_failure(session, pair_key, now)
    session.commit()
    if wait is not None:
        log.warning("guessing refused for %r from %s for %ds", email, address, wait.total_seconds())
    return wait


def settle(session: Session, *, email: str, address: str, ok: bool, audit: Callable[[Session, bool], None],
           claim: Callable[[Session], bool] | None = None) -> bool:
    """Record the outcome of a reserved attempt together with ``audit(session, ok)``'s record;
    commits and returns the outcome.

    ``claim(session)``, for a right guess, takes what the guess used up (a TOTP code's time step, a
    recovery code) in this transaction; False (a concurrent attempt took it first) makes the guess
    wrong, so one code lets in one login however many requests carry it at once.
    Right: the address is trusted for the account from now on and gets its place back. Wrong: one
    more failure for the account (the pair and the address were counted by ``reserve``).
    """
    now = utcnow()
    address_key, pair_key, account_key = _keys(email, address)
    begin_write(session)
    if ok and claim is not None:
        ok = claim(session)
    if ok:
        session.execute(sa.update(_table).where(_table.c.key == address_key, _table.c.failures > 0)
                        .values(failures=_table.c.failures - 1))
        session.execute(sa.update(_table).where(_table.c.key == pair_key)
                        .values(failures=0, last_failure_at=None, last_success_at=now))
    else:
        _add_failure(session, account_key, now)
        _prune(session, now)
    audit(session, ok)
    session.commit()
    return ok


def _prune(session: Session, now: datetime) -> None:
    """Delete a batch of rows that no longer count for anything (forgotten and not trusted)."""
    stale = sa.and_(
        sa.or_(_table.c.last_failure_at.is_(None), _table.c.last_failure_at < now - RESET_AFTER),
        sa.or_(_table.c.last_success_at.is_(None), _table.c.last_success_at < now - TRUSTED_FOR),
    )
    # SKIP LOCKED: never wait for (or deadlock with) an attempt holding one of these rows; and
    # ``stale`` again on the outer statement, so a row refreshed meanwhile is kept.
    batch = sa.select(_table.c.key).where(stale).limit(PRUNE_BATCH).with_for_update(skip_locked=True)
    session.execute(sa.delete(_table).where(_table.c.key.in_(batch.scalar_subquery()), stale))


def count(session: Session, key: str, *, limit: int) -> bool:
    """Count one more request under ``key`` (the password-reset limits, /kontakt per address); False
    once there have been more than ``limit`` within ``RESET_AFTER``. Commits, like ``reserve``: a
    refusal must count, and fifty requests at once get places 1…50 of which only ``limit`` pass."""
    now = utcnow()
    begin_write(session)
    n = _add_failure(session, key, now)
    session.commit()
    return n <= limit
