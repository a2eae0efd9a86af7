from __future__ import annotations

import logging
import math

import requests
from authlib.integrations.base_client.errors import OAuthError
from flask import (
    Blueprint,
    abort,
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
from joserfc.errors import JoseError
from markupsafe import Markup

from nrs import confirm
from nrs.audit.services import record
from nrs.auth import reset, services, sso, throttle, totp
from nrs.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    ResetForm,
    ResetRequestForm,
    SecondFactorForm,
    SsoForm,
    TotpEnrolForm,
)
from nrs.auth.login import start_session
from nrs.auth.models import User
from nrs.clock import utcnow
from nrs.db import db_session, get_or_404, write_apart
from nrs.errors import DomainError
from nrs.i18n import LANGUAGES
from nrs.security import access, safe_next

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)


#: How long the second step of a login may wait after the password.
SECOND_STEP_SECONDS = 300


def _settings():
    return current_app.config["NRS"]


def _address() -> str:
    return throttle.client_address(request.remote_addr)


def _limits() -> throttle.Limits:
    return throttle.Limits.from_settings(_settings())


def _login_page(form, status: int = 200, headers: dict | None = None):
    return render_template("auth/login.html", form=form, sso_form=SsoForm(formdata=None),
                           providers=_settings().oidc_providers), status, headers or {}


def _sso_only(provider) -> str:
    return _("%(p)s logger ind med single sign-on: brug knappen “Log ind med %(p)s”.", p=provider.label)


@bp.route("/login", methods=["GET", "POST"])
@access("public")
def login():
    form = LoginForm()
    if request.method == "POST" and form.validate():
        # Decided by the domain alone, before any look-up: it says nothing about the account.
        provider = services.sso_provider_for_email(_settings(), form.email.data)
        if provider is not None and not provider.password_login:
            form.email.errors.append(_sso_only(provider))
            return _login_page(form, 400)
        try:
            user = services.authenticate(db_session(), email=form.email.data, password=form.password.data,
                                         address=_address(), limits=_limits())
        except services.Throttled as exc:
            form.password.errors.append(_too_many(exc))
            return _login_page(form, 429, _retry_after(exc))
        if user is None:
            form.password.errors.append(_("Forkert e-mail eller adgangskode."))
            return _login_page(form, 401)
        if not services.password_login_allowed(db_session(), _settings(), user):
            form.password.errors.append(_("Dit jobcenter logger ind med single sign-on, ikke med adgangskode."))
            return _login_page(form, 403)
        next_url = safe_next(request.args.get("next"))
        if user.has_totp:
            session["pending_login"] = {"u": user.id, "v": user.session_version, "next": next_url,
                                        "at": int(utcnow().timestamp())}
            return redirect(url_for(".login_second_factor"))
        start_session(user)
        return redirect(next_url or url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return _login_page(form, status)


def _pending_user():
    """The user who gave the right password and now owes the second factor, or None."""
    pending = session.get("pending_login")
    if not isinstance(pending, dict):
        return None
    if utcnow().timestamp() - pending.get("at", 0) > SECOND_STEP_SECONDS:
        session.pop("pending_login", None)
        return None
    user = db_session().get(User, pending.get("u"))
    if user is None or not user.active or user.session_version != pending.get("v") or not user.has_totp:
        session.pop("pending_login", None)
        return None
    return user


@bp.route("/login/kode", methods=["GET", "POST"])
@access("public")
def login_second_factor():
    user = _pending_user()
    if user is None:
        flash(_("Log ind med e-mail og adgangskode først."), "info")
        return redirect(url_for(".login"))
    form = SecondFactorForm()
    if request.method == "POST" and form.validate():
        try:
            kind = services.check_second_factor(db_session(), user, code=form.code.data, address=_address(),
                                                limits=_limits())
        except services.Throttled as exc:
            form.code.errors.append(_too_many(exc))
            return render_template("auth/second_factor.html", form=form), 429, _retry_after(exc)
        if kind is None:
            form.code.errors.append(_("Forkert eller allerede brugt kode."))
            return render_template("auth/second_factor.html", form=form), 401
        next_url = session["pending_login"].get("next")
        start_session(user)
        if kind == "recovery":
            flash(_("Du har brugt en gendannelseskode; der er %(n)d tilbage. Kan du ikke finde din "
                    "autentificeringsapp, så bed en administrator om at nulstille totrinslogin.",
                    n=totp.unused_codes(db_session(), user)), "warning")
        return redirect(next_url or url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/konto/totrin", methods=["GET", "POST"])
@access("user")
def totp_enrol():
    """Enrol an authenticator app: the secret waits in the session until a code proves it."""
    user = current_user._get_current_object()
    if user.has_totp:
        return render_template("auth/totp_status.html", codes_left=totp.unused_codes(db_session(), user))
    secret = session.get("totp_secret") or totp.new_secret()
    session["totp_secret"] = secret
    form = TotpEnrolForm()
    if request.method == "POST" and form.validate():
        codes = totp.enrol(db_session(), user, secret=secret, code=form.code.data)
        if codes is not None:
            session.pop("totp_secret", None)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append(_("Koden passer ikke. Tjek at telefonens ur går rigtigt, og prøv igen."))
    uri = totp.provisioning_uri(user, secret)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/totp_enrol.html", form=form, secret=secret, qr=Markup(totp.qr_svg(uri)),
                           required=totp.required(db_session(), _settings(), user)), status


@bp.post("/admin/brugere/<int:user_id>/totrin/nulstil")
@access("admin")
def totp_reset(user_id: int):
    user = get_or_404(User, user_id)
    if not user.has_totp:
        abort(400)
    confirm.ask(_("Totrinslogin for %(e)s nulstilles; brugeren skal opsætte det igen ved næste login.",
                  e=user.email), yes=_("Ja, nulstil totrinslogin"), back=url_for("admin.user_edit", user_id=user.id))
    totp.reset(db_session(), user, by=current_user)
    flash(_("Totrinslogin for %(e)s er nulstillet; brugeren opsætter det igen ved næste login.", e=user.email),
          "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# --- password reset ---------------------------------------------------------------------------------

@bp.route("/login/glemt", methods=["GET", "POST"])
@access("public")
def forgot_password():
    form = ResetRequestForm()
    if request.method == "POST" and form.validate():
        try:
            reset.request_reset(db_session(), _settings(), email=form.email.data, address=_address())
        except reset.ResetRefused:
            form.email.errors.append(_("For mange forsøg fra din adresse. Prøv igen om en time."))
            return render_template("auth/forgot.html", form=form), 429, {"Retry-After": "3600"}
        return render_template("auth/forgot_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/login/nulstil/<token>", methods=["GET", "POST"])
@access("public")
def reset_password(token: str):
    user = reset.user_for_token(db_session(), _settings().secret_key, token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetForm()
    if request.method == "POST" and form.validate():
        try:
            reset.complete_reset(db_session(), user, password=form.new.data, address=_address())
        except DomainError as exc:
            form.new.errors.append(exc.message)
        else:
            session.clear()
            flash(_("Din adgangskode er ændret. Log ind med den nye adgangskode."), "success")
            return redirect(url_for(".login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form), status


# --- single sign-on ---------------------------------------------------------------------------------

def _redirect_uri(name: str) -> str:
    return f"{_settings().base_url}{url_for('.sso_callback', name=name)}"


@bp.post("/login/sso")
@access("public")
def sso_by_email():
    """The login page's "work e-mail" box: the provider is chosen by the address's domain."""
    sso_form = SsoForm()
    if sso_form.validate():
        provider = services.sso_provider_for_email(_settings(), sso_form.email.data)
        if provider is not None:
            return redirect(url_for(".sso_start", name=provider.name, next=safe_next(request.args.get("next"))))
        sso_form.email.errors.append(_("Der er ikke single sign-on for dette e-maildomæne. Log ind med "
                                       "adgangskode."))
    return render_template("auth/login.html", form=LoginForm(formdata=None), sso_form=sso_form,
                           providers=_settings().oidc_providers), 400


@bp.get("/login/sso/<name>")
@access("public")
def sso_start(name: str):
    if sso.provider(name) is None:
        abort(404)
    session["sso_next"] = safe_next(request.args.get("next"))
    try:
        return sso.client(name).authorize_redirect(_redirect_uri(name))
    except requests.RequestException:
        log.exception("OIDC provider %s unreachable", name)
        return _sso_refused(_("Login-tjenesten svarer ikke lige nu. Prøv igen om lidt."), 502)


@bp.get("/login/sso/<name>/callback")
@access("public")
def sso_callback(name: str):
    provider = sso.provider(name)
    if provider is None:
        abort(404)
    try:
        token = sso.client(name).authorize_access_token(leeway=sso.LEEWAY_SECONDS)
    except (OAuthError, JoseError, requests.RequestException, ValueError) as exc:
        log.warning("OIDC login via %s refused: %r", name, exc)
        return _sso_refused(_("Login via %(p)s blev afvist (ugyldigt eller udløbet svar). Prøv igen.",
                              p=provider.label), 400)
    claims = token.get("userinfo") or {}
    try:
        user = sso.user_for_identity(db_session(), provider, dict(claims))
    except DomainError as exc:
        # The refusal is audited, and must survive the 403's rollback.
        reason = exc.message
        write_apart(lambda s: record(s, by=None, entity="login", entity_id=str(claims.get("sub", ""))[:40],
                                     action="sso_refused", note=f"{name}: {reason}"[:500]))
        return _sso_refused(reason, 403)
    next_url = session.get("sso_next")
    start_session(user, via="sso")
    return redirect(next_url or url_for("home.index"))


def _sso_refused(message: str, status: int):
    return render_template("auth/sso_refused.html", message=message), status


@bp.post("/log-ud")
@access("user")
def logout():
    services.end_sessions(db_session(), current_user)
    logout_user()
    session.clear()
    flash(_("Du er logget ud."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/adgangskode", methods=["GET", "POST"])
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


@bp.post("/sprog/<lang>")
@access("public")
def language(lang: str):
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
