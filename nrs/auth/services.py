"""Every write about users and logins."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.audit.services import apply_changes, record
from nrs.auth.models import LoginThrottle, Role, User
from nrs.auth.passwords import hash_password, password_problem, verify_password
from nrs.clock import utcnow
from nrs.errors import DomainError
from nrs.municipalities.models import JobCentre

log = logging.getLogger(__name__)

#: Failures within this window count towards a block.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_BLOCK = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def centre_by_code(session: Session, code: int | str) -> JobCentre:
    try:
        code = int(code)
    except (TypeError, ValueError):
        raise DomainError(_("Ukendt jobcenter: %(code)s", code=code), field="centre") from None
    centre = session.exec(select(JobCentre).where(JobCentre.municipality_code == code)).first()
    if centre is None:
        raise DomainError(_("Ukendt jobcenter: %(code)s", code=code), field="centre")
    return centre


def create_user(
    session: Session,
    *,
    by,
    email: str,
    name: str,
    job_centre_id: int,
    role: Role | str,
    password: str,
    weekly_email: bool = True,
) -> User:
    email = normalise_email(email)
    if not email or "@" not in email:
        raise DomainError(_("Ugyldig e-mailadresse."), field="email")
    if not name.strip():
        raise DomainError(_("Navn skal udfyldes."), field="name")
    if session.exec(select(User).where(User.email == email)).first():
        raise DomainError(_("Der findes allerede en bruger med e-mail %(e)s.", e=email), field="email")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise DomainError(problem, field="password")
    user = User(
        email=email,
        name=name.strip(),
        job_centre_id=job_centre_id,
        role=Role(role),
        password_hash=hash_password(password),
        weekly_email=weekly_email,
    )
    session.add(user)
    session.flush()
    record(
        session,
        by=by,
        entity="user",
        entity_id=user.id,
        action="create",
        changes={"email": email, "name": user.name, "role": user.role, "job_centre_id": job_centre_id,
                 "weekly_email": weekly_email},
    )
    return user


def update_user(session: Session, user: User, *, by, **values) -> dict:
    """Change profile fields; deactivating kills the user's sessions at once."""
    if "email" in values:
        values["email"] = normalise_email(values["email"])
        other = session.exec(select(User).where(User.email == values["email"], User.id != user.id)).first()
        if other:
            raise DomainError(_("Der findes allerede en bruger med e-mail %(e)s.", e=values["email"]), field="email")
    if "role" in values:
        values["role"] = Role(values["role"])
    changes = apply_changes(user, values)
    if not changes:
        return changes
    if "active" in changes and not user.active:
        user.session_version += 1
    user.updated_at = utcnow()
    user.version += 1
    session.add(user)
    session.flush()
    record(session, by=by, entity="user", entity_id=user.id, action="update", changes=changes)
    return changes


def set_password(session: Session, user: User, *, by, password: str) -> None:
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    record(session, by=by, entity="user", entity_id=user.id, action="password_change")


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session cookie the user holds (logout everywhere)."""
    user.session_version += 1
    session.add(user)
    session.flush()
    record(session, by=user, entity="user", entity_id=user.id, action="logout")


def _throttle_rows(session: Session, keys: list[str]) -> list[LoginThrottle]:
    return list(session.exec(select(LoginThrottle).where(LoginThrottle.key.in_(keys))))


def blocked_for(session: Session, *, email: str, address: str) -> timedelta | None:
    """How long the account or the address must wait, or None."""
    now = utcnow()
    waits = [
        row.blocked_until - now
        for row in _throttle_rows(session, [f"account:{normalise_email(email)}", f"address:{address}"])
        if row.blocked_until and row.blocked_until > now
    ]
    return max(waits) if waits else None


def _register_failure(session: Session, key: str, limit: int) -> None:
    now = utcnow()
    row = session.get(LoginThrottle, key)
    if row is None or now - row.first_failure_at > THROTTLE_WINDOW:
        if row is None:
            row = LoginThrottle(key=key)
        row.failures, row.first_failure_at, row.blocked_until = 0, now, None
    row.failures += 1
    if row.failures >= limit:
        # Doubling delay from 30 seconds, capped: slows guessing, never locks a user out for long.
        delay = min(timedelta(seconds=30 * 2 ** (row.failures - limit)), MAX_BLOCK)
        row.blocked_until = now + delay
    session.add(row)


def authenticate(session: Session, *, email: str, password: str, address: str, limit: int = 5) -> User | None:
    """The user for these credentials, or None. Unknown e-mail and wrong password look alike.

    Failures are counted per account and per address in the database and written to the
    audit log.
    """
    email = normalise_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if ok and user.active:
        session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == f"account:{email}"))
        record(session, by=user, entity="user", entity_id=user.id, action="login", note=address)
        return user
    # Address limit is wider: several colleagues share one municipal NAT address.
    _register_failure(session, f"account:{email}", limit)
    _register_failure(session, f"address:{address}", limit * 4)
    record(session, by=None, entity="login", entity_id=email[:40], action="login_failed", note=address)
    log.warning("failed login for %r from %s", email, address)
    session.flush()
    return None
