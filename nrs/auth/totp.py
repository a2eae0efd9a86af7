"""Two-factor login for local accounts: TOTP (RFC 6238, pyotp) and ten single-use recovery codes.

Who must have it is decided here (``required``); the request hook in ``nrs.auth.login`` sends a
user who must and has not to the enrolment page. A code is accepted once: the time step of the
last accepted code is kept, and a code of the same or an earlier step is refused (a code read over
someone's shoulder cannot be replayed within its 30 seconds).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.auth.models import RecoveryCode, Role, User
from nrs.clock import utcnow
from nrs.municipalities.models import JobCentre

ISSUER = "NRS"
RECOVERY_CODES = 10
#: Codes of the step before and after the current one are accepted (clock drift of a phone).
DRIFT_STEPS = 1
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper


def required(session: Session, settings, user: User) -> bool:
    """Must ``user`` have a second factor for a local-password login?"""
    if Role(user.role) == Role.admin and settings.admin_totp_required:
        return True
    if not settings.totp_required_centres:
        return False
    centre = session.get(JobCentre, user.job_centre_id)
    return centre is not None and centre.municipality_code in settings.totp_required_centres


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, made on the server (nothing leaves for a QR service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title="QR")


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def fresh_step(user: User, code: str, *, now: datetime | None = None) -> int | None:
    """The time step of ``code`` when it is the user's current TOTP code and newer than the last
    one accepted, else None. Reads only: ``spend_step`` records it."""
    if not user.totp_secret:
        return None
    step = _matching_step(user.totp_secret, code, now or utcnow())
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return None
    return step


def spend_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as the user's last accepted one; False when that step, or a later one, was
    accepted meanwhile (the same code sent twice at once): the update matches only a lower one."""
    taken = session.execute(sa.update(User).where(
        User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
    ).values(totp_last_step=step)).rowcount == 1
    if taken:
        set_committed_value(user, "totp_last_step", step)
    return taken


def _hash(code: str) -> str:
    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))  # 80 bits
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def find_recovery_code(session: Session, user: User, code: str) -> RecoveryCode | None:
    """The unused recovery code ``code`` of ``user``, or None. Reads only."""
    if not code.strip():
        return None
    return session.exec(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None),
    )).first()


def spend_recovery_code(session: Session, user: User, code_id: int, *, address: str = "") -> bool:
    """Mark the code used and audit it; False when it was used meanwhile (the update matches only
    while it is unused)."""
    taken = session.execute(sa.update(RecoveryCode).where(
        RecoveryCode.id == code_id, RecoveryCode.used_at.is_(None)).values(used_at=utcnow())).rowcount == 1
    if taken:
        record(session, by=user, entity="user", entity_id=user.id, action="totp_recovery_code_used",
               changes={"codes_left": unused_codes(session, user)}, note=address)
        session.flush()
    return taken


def unused_codes(session: Session, user: User) -> int:
    return session.exec(select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).one()


def enrol(session: Session, user: User, *, secret: str, code: str, now: datetime | None = None) -> list[str] | None:
    """Turn TOTP on when ``code`` proves the authenticator holds ``secret``; the recovery codes
    (shown once), or None when the code is wrong."""
    now = now or utcnow()
    step = _matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    session.add(user)
    codes = _replace_codes(session, user)
    record(session, by=user, entity="user", entity_id=user.id, action="totp_enrol")
    session.flush()
    return codes


def _replace_codes(session: Session, user: User) -> list[str]:
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code)))
    return codes


def reset(session: Session, user: User, *, by) -> None:
    """An admin removes a user's second factor (a lost phone); the user enrols again next login."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_version += 1
    session.add(user)
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(session, by=by, entity="user", entity_id=user.id, action="totp_reset")
    session.flush()
