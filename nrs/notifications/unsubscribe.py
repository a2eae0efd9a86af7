"""One-click unsubscribe (RFC 8058): a signed token in every e-mail, no login needed.

The token names the user and what to stop: ``weekly`` (the Monday mail), ``kind:<kind>`` (one
kind of notification) or ``digest`` (every kind that goes in the daily digest). It is signed with
the app's secret key (itsdangerous), so it cannot be made for another user or another scope; it
does not expire, since an old mail's link should still work.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from nrs.auth.models import User
from nrs.clock import utcnow
from nrs.notifications.models import Delivery, NotificationKind, NotificationSetting

SALT = "nrs-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token(user: User, scope: str) -> str:
    return _serializer().dumps({"u": user.id, "s": scope})


def link(user: User, scope: str) -> str:
    """The absolute unsubscribe address for ``user`` and ``scope`` (for the mail and its header)."""
    base = current_app.config["NRS"].base_url.rstrip("/")
    return f"{base}/afmeld/{token(user, scope)}"


def read(text: str) -> tuple[int, str] | None:
    """``(user id, scope)`` from a token, or None if it is forged, damaged or names no known scope."""
    try:
        data = _serializer().loads(text)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not valid_scope(data.get("s")):
        return None
    return data["u"], data["s"]


def valid_scope(scope) -> bool:
    if scope in ("weekly", "digest"):
        return True
    return isinstance(scope, str) and scope.startswith("kind:") and \
        scope.removeprefix("kind:") in NotificationKind.__members__


def describe(scope: str) -> str:
    """What the user is unsubscribing from, in words."""
    from_kind = scope.removeprefix("kind:")
    if scope == "weekly":
        return _("NRS’ ugestatus (mandagsmailen)")
    if scope == "digest":
        return _("NRS’ daglige oversigt over notifikationer")
    return str(NotificationKind(from_kind).label)


def apply(session: Session, user: User, scope: str, *, now: datetime | None = None,
          current: dict | None = None) -> None:
    """Stop what ``scope`` names for ``user``; doing it twice changes nothing more."""
    now = now or utcnow()
    if scope == "weekly":
        user.weekly_email = False
        user.updated_at = now
        session.add(user)
        session.flush()
        return
    if scope == "digest":
        kinds = [k for k, d in (current or {}).items() if d == Delivery.digest]
    else:
        kinds = [NotificationKind(scope.removeprefix("kind:"))]
    for kind in kinds:
        row = session.get(NotificationSetting, (user.id, kind)) or NotificationSetting(
            user_id=user.id, kind=kind, delivery=Delivery.off)
        row.delivery = Delivery.off
        row.updated_at = now
        session.add(row)
    session.flush()
