"""Two-factor login for local accounts: TOTP (RFC 6238, pyotp) and ten single-use recovery codes.

Who must have it is decided here (``required``); the request hook in ``nrs.auth.login`` sends a
user who must and has not to the enrolment page. A code is accepted once: the time step of the
last accepted code is kept, and a code of the same or an earlier step is refused (a code read over
someone's shoulder cannot be replayed within its 30 seconds). The secret is stored sealed with a key
derived from NRS_SECRET_KEY (``seal``), so a copy of the database does not make anyone's codes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.auth.models import RecoveryCode, Role, User
from nrs.clock import utcnow
from nrs.municipalities.models import JobCentre

log = logging.getLogger(__name__)

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


#: A base32 secret as ``new_secret`` makes it; a stored secret of this length was enrolled before
#: secrets were sealed (a sealed one is 64 characters: nonce, the 20 secret bytes and the tag).
PLAIN_LENGTH = 32
NONCE_BYTES = 12


def is_sealed(stored: str) -> bool:
    return len(stored) > PLAIN_LENGTH


def _key() -> AESGCM:
    """The key TOTP secrets are sealed with, derived from the app's secret key (which comes from
    the environment): a copy of the database, or of a backup, does not give anyone a user's codes."""
    secret = current_app.secret_key
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"nrs totp secret").derive(raw))


def seal(user_id: int, secret: str) -> str:
    """``secret`` sealed for the user (their id is bound in: a sealed secret copied to another
    user's row does not open); 64 characters, so it fits the column the plain secret had."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + _key().encrypt(nonce, base64.b32decode(secret), str(user_id).encode())
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal(user_id: int, stored: str) -> str | None:
    """The secret of a stored value; None (and an error in the log) when it does not open with
    this secret key: the user is then told the code is wrong, and an admin resets the factor."""
    if not is_sealed(stored):
        return stored  # enrolled before sealing: sealed when it is next used (``spend_step``)
    try:
        raw = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        return base64.b32encode(_key().decrypt(nonce, sealed, str(user_id).encode())).decode()
    except (InvalidTag, ValueError):
        log.error("the TOTP secret of user %s does not open with this NRS_SECRET_KEY; was the key changed?",
                  user_id)
        return None


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
    secret = unseal(user.id, user.totp_secret) if user.totp_secret else None
    if not secret:
        return None
    step = _matching_step(secret, code, now or utcnow())
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return None
    return step


def spend_step(session: Session, user: User, step: int) -> bool:
    """Record ``step`` as the user's last accepted one; False when that step, or a later one, was
    accepted meanwhile (the same code sent twice at once): the update matches only a lower one."""
    values = {"totp_last_step": step}
    if user.totp_secret and not is_sealed(user.totp_secret):
        values["totp_secret"] = seal(user.id, user.totp_secret)
    taken = session.execute(sa.update(User).where(
        User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
    ).values(**values)).rowcount == 1
    if taken:
        for name, value in values.items():
            set_committed_value(user, name, value)
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
    user.totp_secret = seal(user.id, secret)
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
