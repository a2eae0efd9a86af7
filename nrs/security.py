"""Who may reach which route, and the HTTP headers every response carries.

Every view declares its rule with ``@access(...)``; a route without one answers 403, and the
route × role test fails, so a new page cannot be forgotten open.
"""

from __future__ import annotations

import logging

from flask import Flask, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from nrs.auth.models import Role
from nrs.errors import Forbidden

log = logging.getLogger(__name__)
csrf = CSRFProtect()

#: Roles by rank: each role may do what the roles below it may.
RANKS = {Role.staff: 1, Role.coordinator: 2, Role.admin: 3}
#: Route levels and the lowest role each admits (``public``: anyone, logged in or not).
LEVELS = {"public": None, "user": Role.staff, "coordinator": Role.coordinator, "admin": Role.admin}
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
    if level == "public":
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


def _forbidden(exc: Forbidden):
    """The one place a policy's refusal becomes a response: 403, with the policy's reason."""
    return render_template("error.html", code=403, title=_("Du har ikke adgang til denne side"),
                           reason=exc.message), 403


def _headers(response):
    h = response.headers
    h.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["NRS"].https:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated and request.endpoint != "static":
        # Pages behind the login may show referral data; never keep them in a cache.
        h.setdefault("Cache-Control", "no-store")
    return response


def safe_next(target: str | None) -> str | None:
    """Only our own paths: ``/x`` yes, ``//evil`` or ``https://evil`` no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_enforce)
    app.after_request(_headers)
    app.register_error_handler(Forbidden, _forbidden)
