from __future__ import annotations

import math

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from nrs.auth import services, throttle
from nrs.auth.forms import LoginForm, PasswordChangeForm
from nrs.auth.login import start_session
from nrs.db import db_session
from nrs.errors import DomainError
from nrs.i18n import LANGUAGES
from nrs.security import access, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@access("public")
def login():
    form = LoginForm()
    if request.method == "POST" and form.validate():
        try:
            user = services.authenticate(
                db_session(), email=form.email.data, password=form.password.data,
                address=throttle.client_address(request.remote_addr),
                limits=throttle.Limits.from_settings(current_app.config["NRS"]),
            )
        except services.Throttled as exc:
            form.password.errors.append(_too_many(exc))
            return render_template("auth/login.html", form=form), 429, _retry_after(exc)
        if user is None:
            form.password.errors.append(_("Forkert e-mail eller adgangskode."))
            return render_template("auth/login.html", form=form), 401
        start_session(user)
        return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@access("user")
def logout():
    services.end_sessions(db_session(), current_user)
    logout_user()
    session.clear()
    flash(_("Du er logget ud."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@access("user")
def password():
    form = PasswordChangeForm()
    if request.method == "POST" and form.validate():
        try:
            right = services.check_current_password(
                db_session(), current_user._get_current_object(), password=form.current.data,
                address=throttle.client_address(request.remote_addr),
                limits=throttle.Limits.from_settings(current_app.config["NRS"]),
            )
        except services.Throttled as exc:
            form.current.errors.append(_too_many(exc))
            return render_template("auth/password.html", form=form), 429, _retry_after(exc)
        if not right:
            form.current.errors.append(_("Forkert adgangskode."))
        else:
            try:
                services.set_password(db_session(), current_user, by=current_user, password=form.new.data)
            except DomainError as exc:
                form.new.errors.append(exc.message)
            else:
                start_session(current_user)
                flash(_("Din adgangskode er ændret."), "success")
                return redirect(url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


def _too_many(exc: services.Throttled) -> str:
    # The same words whether or not the account exists, and whichever counter refused.
    return _("For mange mislykkede forsøg. Prøv igen om %(m)d minut(ter).", m=exc.minutes)


def _retry_after(exc: services.Throttled) -> dict:
    return {"Retry-After": str(max(1, math.ceil(exc.wait.total_seconds())))}


@bp.post("/language/<lang>")
@access("public")
def language(lang: str):
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
