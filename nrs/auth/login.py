"""Flask-Login wiring with server-side invalidation and idle/absolute timeouts.

Flask's signed cookie cannot be revoked by itself, so the cookie carries the user's
``session_version``; logout, a password change or deactivation bump it and every copy of the
old cookie stops working.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user

from nrs.auth.models import User
from nrs.clock import utcnow
from nrs.db import db_session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log ind for at se siden.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(token: str):
    try:
        user_id, version = (int(part) for part in token.split(":"))
    except ValueError:
        return None
    settings = current_app.config["NRS"]
    now = utcnow().timestamp()
    seen = session.get("seen", 0)
    started = session.get("auth_at", 0)
    if now - seen > settings.session_idle_minutes * 60 or now - started > settings.session_max_hours * 3600:
        session.clear()
        return None
    user = db_session().get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        session.clear()
        return None
    session["seen"] = int(now)
    return user


def start_session(user) -> None:
    """A fresh session at login: nothing from before the login survives."""
    # ``current_user`` is a proxy; stored as the logged-in user it would resolve to itself forever.
    user = getattr(user, "_get_current_object", lambda: user)()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    now = int(utcnow().timestamp())
    session["auth_at"] = now
    session["seen"] = now
    session.permanent = True
    login_user(user)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    settings = app.config["NRS"]
    app.permanent_session_lifetime = timedelta(hours=settings.session_max_hours)
