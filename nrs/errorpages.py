"""The error pages: one template, a Danish title per status."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from nrs.api.errors import is_api_request, json_error
from nrs.errors import DomainError, StaleObjectError


def _error(code: int, title, *, explain: bool = True):
    """``explain=False``: the title says it all (Flask-WTF's CSRF reasons are English, for the log)."""

    def handler(exc):
        own = _own_description(exc) if explain else None
        if is_api_request():  # the API answers JSON, an unknown path under /api/ too
            return json_error(code, own or title)
        return render_template("error.html", code=code, title=title, description=own or ""), code

    return handler


def _own_description(exc) -> str | None:
    """What the view said with ``abort(code, description=…)``; not werkzeug's English default."""
    text = getattr(exc, "description", None)
    return text if text and text != getattr(type(exc), "description", None) else None


def _not_allowed(exc):
    """405 keeps werkzeug's answer (with its ``Allow`` header); the API's is JSON."""
    if is_api_request():
        return json_error(405, _l("Metoden er ikke tilladt her"), {"Allow": ", ".join(exc.valid_methods or ())})
    return exc


def _refused(exc: DomainError):
    """A service's refusal that no view caught is still the user's mistake: 400 (409 when someone
    else saved first) with the service's message, never a 500."""
    code = 409 if isinstance(exc, StaleObjectError) else 400
    if is_api_request():
        return json_error(code, exc.message)
    return render_template("error.html", code=code, title=_l("Ændringen blev ikke gemt"), description=exc.message), code


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _refused)
    app.register_error_handler(400, _error(400, _l("Ugyldig forespørgsel")))
    app.register_error_handler(CSRFError, _error(400, _l("Formularen er udløbet. Genindlæs siden og prøv igen."),
                                                    explain=False))
    app.register_error_handler(403, _error(403, _l("Du har ikke adgang til denne side")))
    app.register_error_handler(404, _error(404, _l("Siden findes ikke")))
    app.register_error_handler(405, _not_allowed)
    app.register_error_handler(413, _error(413, _l("Filen er for stor")))
    app.register_error_handler(500, _error(500, _l("Der opstod en fejl")))
