"""Who may reach which route, and the HTTP headers every response carries.

Every view declares its rule with ``@access(...)``; a route without one answers 403, and the
route × role test fails, so a new page cannot be forgotten open.
"""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from nrs import inputs
from nrs.auth.models import Role
from nrs.errors import Forbidden

log = logging.getLogger(__name__)
csrf = CSRFProtect()

#: Roles by rank: each role may do what the roles below it may.
RANKS = {Role.staff: 1, Role.coordinator: 2, Role.admin: 3}
#: Route levels and the lowest role each admits (``public``: anyone, logged in or not; ``token``:
#: the API, which answers an API key only and never a session: nrs.api.guard checks the key).
LEVELS = {"public": None, "token": None, "user": Role.staff, "coordinator": Role.coordinator, "admin": Role.admin}
PUBLIC_ENDPOINTS = {"static"}


def has_role(user, role: Role) -> bool:
    """``user`` holds ``role`` or a higher one: ``has_role(u, Role.coordinator)`` is coordinator or admin."""
    return user is not None and RANKS.get(Role(user.role), 0) >= RANKS[role]


def access(level: str):
    """Declare who may reach a view: ``public``, ``user``, ``coordinator`` or ``admin``."""
    if level not in LEVELS:
        raise ValueError(level)

    def decorate(view):
        view._nrs_access = level
        return view

    return decorate


def rule_of(app: Flask, endpoint: str) -> str | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return "public"
    view = app.view_functions.get(endpoint)
    return getattr(view, "_nrs_access", None)


def _enforce():
    if request.endpoint is None:
        return None  # 404 follows
    level = rule_of(current_app, request.endpoint)
    if level is None:
        log.error("route %s has no access rule; refused", request.endpoint)
        abort(403)
    if level in ("public", "token"):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not has_role(current_user, LEVELS[level]):
        abort(403)
    return None


def can_change_centre(user, centre_id: int | None) -> bool:
    """Staff change only their own centre's records; the steering group may change any."""
    if has_role(user, Role.admin):
        return True
    return centre_id is not None and user.job_centre_id == centre_id


def ensure_can_change_centre(user, centre_id: int | None) -> None:
    if not can_change_centre(user, centre_id):
        abort(403)


#: Headers every response carries, the last-resort error page too.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
def _forbidden(exc: Forbidden):
    """The one place a policy's refusal becomes a response: 403, with the policy's reason."""
    return render_template("error.html", code=403, title=_("Du har ikke adgang til denne side"),
                           reason=exc.message), 403


def _headers(response):
    h = response.headers
    for name, value in SECURITY_HEADERS.items():
        h.setdefault(name, value)
    if current_app.config["NRS"].https:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    try:
        logged_in = current_user.is_authenticated
    except Exception:  # the database that loads the user is what failed: assume the worst
        log.exception("could not tell who is logged in while sending the headers")
        logged_in = True
    if logged_in and request.endpoint != "static":
        # Pages behind the login may show referral data; never keep them in a cache.
        h.setdefault("Cache-Control", "no-store")
    return response


LAST_RESORT_PAGE = (
    '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Der opstod en fejl</title></head>'
    "<body><h1>Der opstod en fejl</h1><p>Prøv igen om lidt. Fejlen er skrevet i loggen.</p>"
    "<p lang=\"en\">An error occurred. Please try again shortly.</p></body></html>"
).encode()


class LastResort:
    """WSGI wrapper: if the app fails even to show its error page, answer a plain 500 with the headers.

    Without it the server's own bare page goes out, without any of ``SECURITY_HEADERS``. With
    ``PROPAGATE_EXCEPTIONS`` (tests) the error is raised as Flask raises it.
    """

    def __init__(self, wsgi_app, flask_app: Flask):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app

    def __call__(self, environ, start_response):
        started = []

        def tracking(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, tracking)
        except Exception:
            if started or self.flask_app.config.get("PROPAGATE_EXCEPTIONS") or self.flask_app.testing:
                raise
            log.exception("the error page failed; sent the last-resort page")
            headers = [("Content-Type", "text/html; charset=utf-8"),
                       ("Content-Length", str(len(LAST_RESORT_PAGE))), ("Cache-Control", "no-store"),
                       *SECURITY_HEADERS.items()]
            start_response("500 INTERNAL SERVER ERROR", headers)
            return [LAST_RESORT_PAGE]


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a plain path on this site, else None (the caller goes to the front page).

    Checked as a browser will read it: browsers drop tabs and newlines anywhere, trim control
    characters and spaces at the ends, read ``\\`` as ``/`` and decode nothing before finding the
    host, so ``/\t/evil``, ``/\\evil``, `` //evil`` and ``/%09/evil`` (decoded by the query
    parser) all mean ``//evil``. Any control, format or space character is refused outright
    (it also keeps CR/LF out of the Location header), and so is anything with a scheme or a host.
    """
    if not target or len(target) > 2000:
        return None
    if any(unicodedata.category(ch)[0] in "CZ" for ch in target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def init_app(app: Flask) -> None:
    inputs.init_app(app)  # before any route is added: it replaces the int converter
    app.wsgi_app = LastResort(app.wsgi_app, app)
    csrf.init_app(app)
    app.before_request(_enforce)
    app.after_request(_headers)
    app.register_error_handler(Forbidden, _forbidden)
