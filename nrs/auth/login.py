"""Flask-Login wiring with server-side invalidation and idle/absolute timeouts.

Flask's signed cookie cannot be revoked by itself, so the cookie carries the user's
``session_version``; logout, a password change or deactivation bump it and every copy of the
old cookie stops working.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user

from nrs.auth import totp
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


def start_session(user, *, via: str = "password") -> None:
    """A fresh session at login: nothing from before the login survives. ``via`` is ``password``
    or ``sso``: a single sign-on session owes NRS no second factor (the provider asks for it)."""
    # ``current_user`` is a proxy; stored as the logged-in user it would resolve to itself forever.
    user = getattr(user, "_get_current_object", lambda: user)()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    now = int(utcnow().timestamp())
    session["auth_at"] = now
    session["seen"] = now
    session["via"] = via
    session.permanent = True
    login_user(user)


#: Pages a logged-in user may reach while a forced password change or TOTP enrolment is due.
ALWAYS_OPEN = frozenset({"static", "auth.logout", "auth.language", "auth.password", "auth.totp_enrol"})


def _due_first():
    """Send a user who must change the admin-set password, or must enrol TOTP, there first.

    One place for both rules, checked on every request: a session started before the rule applied
    (an admin promoted meanwhile) is held to it as well.
    """
    if request.endpoint is None or request.endpoint in ALWAYS_OPEN or not current_user.is_authenticated:
        return None
    if session.get("via") == "sso":
        return None
    user = current_user._get_current_object()
    if user.must_change_password:
        flash(_("Din adgangskode er sat af en administrator. Vælg din egen adgangskode."), "info")
        return redirect(url_for("auth.password"))
    if not user.has_totp and totp.required(db_session(), current_app.config["NRS"], user):
        flash(_("Du skal opsætte totrinslogin, før du kan bruge NRS."), "info")
        return redirect(url_for("auth.totp_enrol"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_due_first)
    settings = app.config["NRS"]
    app.permanent_session_lifetime = timedelta(hours=settings.session_max_hours)
