"""Every write about users and logins."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.audit.services import apply_changes, record
from nrs.auth import throttle, totp
from nrs.auth.models import Role, User
from nrs.auth.passwords import hash_password, password_problem, verify_password
from nrs.clock import utcnow
from nrs.errors import DomainError
from nrs.municipalities.models import JobCentre

log = logging.getLogger(__name__)


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
    """A new password; every session of the user ends. Set by someone else (an admin), it must be
    changed by the user at the next login."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(password)
    user.must_change_password = getattr(by, "id", by) not in (None, user.id)
    user.session_version += 1
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    record(session, by=by, entity="user", entity_id=user.id, action="password_change")


def sso_provider_for_email(settings, email: str):
    """The OIDC provider whose domains include ``email``'s, or None."""
    domain = normalise_email(email).rpartition("@")[2]
    return next((p for p in settings.oidc_providers if domain and domain in p.domains), None)


def password_login_allowed(session: Session, settings, user: User) -> bool:
    """False for a user whose centre (or e-mail domain) has switched local passwords off."""
    for provider in settings.oidc_providers:
        if provider.password_login:
            continue
        if normalise_email(user.email).rpartition("@")[2] in provider.domains:
            return False
        centre = session.get(JobCentre, user.job_centre_id)
        if centre is not None and centre.municipality_code == provider.centre:
            return False
    return True


def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session cookie the user holds (logout everywhere)."""
    user.session_version += 1
    session.add(user)
    session.flush()
    record(session, by=user, entity="user", entity_id=user.id, action="logout")


class Throttled(Exception):
    """Too many failed guesses for this account from this address: wait ``wait``."""

    def __init__(self, wait: timedelta):
        super().__init__(wait)
        self.wait = wait

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.wait.total_seconds() / 60))


def _guess(session: Session, *, email: str, address: str, limits: throttle.Limits, check, audit,
           claim=None) -> bool:
    """Run one guess (``check()``: True when right) for ``email`` under the throttle.

    Raises Throttled without calling ``check`` when this address must wait. Commits the session
    (the throttle's counters must outlive a 4xx answer); ``audit(session, ok)`` writes the record
    of the outcome in the same transaction as the counters, and ``claim`` (see ``throttle.settle``)
    spends a one-time code there.
    """
    wait = throttle.reserve(session, email=email, address=address, limits=limits)
    if wait is not None:
        raise Throttled(wait)
    ok = throttle.settle(session, email=email, address=address, ok=check(), audit=audit, claim=claim)
    if not ok:
        log.warning("failed check for %r from %s", email, address)
    return ok


def _password_check(user: User | None, password: str):
    return lambda: verify_password(user.password_hash if user else None, password) and user is not None \
        and user.active


def authenticate(session: Session, *, email: str, password: str, address: str,
                 limits: throttle.Limits) -> User | None:
    """The user for these credentials, or None; raises Throttled. Unknown e-mail and wrong password
    look alike, and both are counted and written to the audit log. A right password of a user with
    TOTP is audited as ``password_ok``: the login happens at the second step."""
    email = normalise_email(email)
    user = session.exec(select(User).where(User.email == email)).first()

    def audit(s: Session, ok: bool) -> None:
        if ok:
            record(s, by=user, entity="user", entity_id=user.id,
                   action="password_ok" if user.has_totp else "login", note=address)
        else:
            record(s, by=None, entity="login", entity_id=email[:40], action="login_failed", note=address)

    ok = _guess(session, email=email, address=address, limits=limits, check=_password_check(user, password),
                audit=audit)
    return user if ok else None


def check_current_password(session: Session, user: User, *, password: str, address: str,
                           limits: throttle.Limits) -> bool:
    """The change-password form's check, throttled and logged like a login (same counters):
    a stolen session must not become a way to guess the password."""

    def audit(s: Session, ok: bool) -> None:
        if not ok:
            record(s, by=user.id, entity="user", entity_id=user.id, action="password_check_failed",
                   note=address)

    return _guess(session, email=user.email, address=address, limits=limits,
                  check=_password_check(user, password), audit=audit)


def check_second_factor(session: Session, user: User, *, code: str, address: str,
                        limits: throttle.Limits) -> str | None:
    """The login's second step: ``"totp"`` or ``"recovery"`` for the kind of code that was right,
    or None; raises Throttled. Counted like a password guess, on counters of its own
    (``totp:<email>``), so a stolen password cannot be used to try all million codes. The code is
    spent in the throttle's settling transaction (the check itself only reads)."""
    found: dict = {}

    def check() -> bool:
        if not user.active:
            return False
        step = totp.fresh_step(user, code)
        if step is not None:
            found["totp"] = step
            return True
        row = totp.find_recovery_code(session, user, code)
        if row is not None:
            found["recovery"] = row.id
            return True
        return False

    def claim(s: Session) -> bool:
        if "totp" in found:
            return totp.spend_step(s, user, found["totp"])
        return totp.spend_recovery_code(s, user, found["recovery"], address=address)

    def audit(s: Session, ok: bool) -> None:
        if not ok:
            record(s, by=None, entity="login", entity_id=user.email[:40], action="totp_failed", note=address)
            return
        record(s, by=user, entity="user", entity_id=user.id, action="login", note=f"{address} {next(iter(found))}")

    ok = _guess(session, email=f"totp:{user.email}", address=address, limits=limits, check=check, audit=audit,
                claim=claim)
    return next(iter(found)) if ok else None
