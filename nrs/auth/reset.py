"""Password reset by e-mail ("Glemt adgangskode").

The token is signed (itsdangerous, with the app's secret key) and lives 30 minutes. It carries a
fingerprint of the user's current password hash, so it is single-use: the reset changes the hash
and every earlier token of that user stops working with it. Nothing is stored for a token.

No enumeration: the request answers the same whether or not the address is known, and does the
same work either way (a token and the message are made for an unknown address too; only the
queueing differs). Throttled per address (a visible 429: it says nothing about the account) and
per account (silently: no more mails for that account this hour, the same answer).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from nrs.audit.services import record
from nrs.auth import services, throttle
from nrs.auth.models import User
from nrs.mail.services import enqueue

SALT = "nrs-password-reset"
MAX_AGE_SECONDS = 30 * 60
#: Reset mails per account, and reset requests per address, within the throttle's hour.
PER_ACCOUNT = 3
PER_ADDRESS = 10


class ResetRefused(Exception):
    """Too many reset requests from this address."""


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user_id: int, password_hash: str, email: str) -> str:
    return hashlib.sha256(f"{user_id}:{email}:{password_hash}".encode()).hexdigest()[:24]


def make_token(secret_key: str, user: User) -> str:
    return _serializer(secret_key).dumps({"u": user.id, "f": _fingerprint(user.id, user.password_hash, user.email)})


def user_for_token(session: Session, secret_key: str, token: str) -> User | None:
    """The active user the token was made for, while it is fresh and unused; else None."""
    try:
        data = _serializer(secret_key).loads(token, max_age=MAX_AGE_SECONDS)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(User, data["u"])
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(data.get("f", "")), _fingerprint(user.id, user.password_hash, user.email)):
        return None
    return user


def _mail(settings, user: User, token: str) -> Mail:
    link = f"{settings.base_url}/login/nulstil/{token}"
    text = render_template("email/password_reset.txt", user=user, link=link, minutes=MAX_AGE_SECONDS // 60)
    return Mail(subject=_("Nulstil din adgangskode til NRS"), text=text)


def request_reset(session: Session, settings, *, email: str, address: str) -> None:
    """Queue a reset mail if ``email`` is an active local-password account; raises ResetRefused
    when the address has asked too often. Commits the throttle counts (they outlive the request)."""
    email = services.normalise_email(email)
    if not throttle.count(session, f"reset-address:{address}", limit=PER_ADDRESS):
        raise ResetRefused()
    user = session.exec(select(User).where(User.email == email)).first()
    eligible = (user is not None and user.active and services.password_login_allowed(session, settings, user))
    # The same work for a known and an unknown address: a token and a message either way.
    stand_in = user if eligible else User(id=0, email=email or "x", name="", job_centre_id=0, password_hash="")
    token = make_token(settings.secret_key, stand_in)
    mail = _mail(settings, stand_in, token)
    within_limit = throttle.count(session, f"reset:{email}", limit=PER_ACCOUNT)
    if eligible and within_limit:
        enqueue(session, key=f"password-reset:{user.id}:{secrets.token_hex(8)}", to=user.email,
                subject=mail.subject, text=mail.text)
        record(session, by=None, entity="user", entity_id=user.id, action="password_reset_requested",
               note=address)


def complete_reset(session: Session, user: User, *, password: str, address: str) -> None:
    """Set the new password; every session of the user ends (``set_password`` bumps the version)."""
    services.set_password(session, user, by=user, password=password)
    record(session, by=user, entity="user", entity_id=user.id, action="password_reset", note=address)
