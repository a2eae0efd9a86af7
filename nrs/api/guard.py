"""Who is calling the API: a key in ``Authorization: Bearer``, and nothing else.

No browser session is read here (the API's routes are level ``token``, and the request's user is
anonymous whatever cookie came along), so a page in a browser cannot be made to call the API for
its user, and the API needs no CSRF token. A key in the query string or a cookie is not looked
at: it would end up in proxies' and browsers' logs. Every call made with a usable key is counted
against the key's rate limit and written to the access log, whatever its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from flask_babel import gettext as _

from nrs.api import tokens
from nrs.api.errors import json_error, unauthorized
from nrs.auth.login import login_manager
from nrs.clock import utcnow
from nrs.db import begin_write, db_session
from nrs.privacy.services import log_access
from nrs.security import rule_of


@dataclass(frozen=True)
class Caller:
    """The access log's "who" for a key: no user (the key's name is the purpose), the key's centre."""

    job_centre_id: int | None
    id: None = None


def authenticate():
    """``before_request`` of the API: 401 without a usable key, 429 past its rate limit."""
    g._login_user = login_manager.anonymous_user()  # Flask-Login's slot: the session cookie is never read
    if rule_of(current_app, request.endpoint) != "token":
        return None  # the document and its page describe the API; they show no data
    scheme, _sep, key = request.headers.get("Authorization", "").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        return unauthorized(_("Kaldet kræver en API-nøgle: Authorization: Bearer <nøgle>."), invalid=False)
    session = db_session()
    begin_write(session)  # the count is a write: take SQLite's lock first, so a writer waits
    now = utcnow()
    token = tokens.find(session, key, now)
    if token is None:
        session.rollback()
        return unauthorized(_("API-nøglen er ugyldig, udløbet eller tilbagekaldt."), invalid=True)
    call = tokens.count_call(session, token, now)
    session.commit()
    g.api_token = token
    limit = current_app.config["NRS"].api_calls_per_minute
    if call.calls > limit:
        return json_error(429, _("For mange kald: højst %(n)s i minuttet for denne nøgle.", n=limit),
                          {"Retry-After": str(max(call.retry_after, 1))})
    return None


def note(action: str, entity_type: str, entity_id=None) -> None:
    """What this call read, for its access-log row (a view that says nothing is logged as a search)."""
    g.api_read = (action, entity_type, entity_id)


def log_call(response):
    """``after_request`` of the API: one access-log row per call made with a key; never cached."""
    token = g.get("api_token")
    if token is not None:
        action, entity_type, entity_id = g.get("api_read", ("search", request.endpoint.removeprefix("api."), None))
        query = request.query_string.decode("latin-1")
        log_access(db_session(), user=Caller(token.job_centre_id), action=action, entity_type=entity_type,
                   entity_id=entity_id, criterion=f"{request.path}?{query}" if query else request.path,
                   purpose=f"API {response.status_code}: {token.name}")
    response.headers["Cache-Control"] = "no-store"
    return response
