"""The error pages: one template, a Danish title per status."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from nrs.errors import DomainError, StaleObjectError


def _error(code: int, title):
    def handler(exc):
        return render_template("error.html", code=code, title=title, description=getattr(exc, "description", "")), code

    return handler


def _refused(exc: DomainError):
    """A service's refusal that no view caught is still the user's mistake: 400 (409 when someone
    else saved first) with the service's message, never a 500."""
    code = 409 if isinstance(exc, StaleObjectError) else 400
    return render_template("error.html", code=code, title=_l("Ændringen blev ikke gemt"), description=exc.message), code


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _refused)
    app.register_error_handler(400, _error(400, _l("Ugyldig forespørgsel")))
    app.register_error_handler(CSRFError, _error(400, _l("Formularen er udløbet. Genindlæs siden og prøv igen.")))
    app.register_error_handler(403, _error(403, _l("Du har ikke adgang til denne side")))
    app.register_error_handler(404, _error(404, _l("Siden findes ikke")))
    app.register_error_handler(413, _error(413, _l("Filen er for stor")))
    app.register_error_handler(500, _error(500, _l("Der opstod en fejl")))
