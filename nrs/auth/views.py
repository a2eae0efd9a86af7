from __future__ import annotations

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

from nrs.auth import services
from nrs.auth.forms import LoginForm, PasswordChangeForm
from nrs.auth.login import start_session
from nrs.auth.passwords import verify_password
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
        s = db_session()
        address = request.remote_addr or "?"
        wait = services.blocked_for(s, email=form.email.data, address=address)
        if wait is not None:
            minutes = max(1, round(wait.total_seconds() / 60))
            form.password.errors.append(
                _("For mange mislykkede forsøg. Prøv igen om %(m)d minut(ter).", m=minutes)
            )
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(
            s, email=form.email.data, password=form.password.data, address=address,
            limit=current_app.config["NRS"].login_max_failures,
        )
        if user is None:
            # The failure must be counted and logged although the answer is an error page.
            s.commit()
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
        if not verify_password(current_user.password_hash, form.current.data):
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


@bp.post("/language/<lang>")
@access("public")
def language(lang: str):
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
