"""What every page shares: navigation, pagination, error pages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from nrs.security import LEVELS, rule_of

NAV = (
    ("home.index", _l("Forside")),
    ("companies.index", _l("Virksomheder")),
    ("joborders.index", _l("Jobordrer")),
    ("agreements.index", _l("Aftaler")),
    ("campaigns.index", _l("Kampagner")),
    ("sectors.index", _l("Fokusbrancher")),
    ("reports.index", _l("Rapporter")),
    ("admin.index", _l("Administration")),
)


def nav_items():
    from flask import current_app

    items = []
    for endpoint, label in NAV:
        if endpoint not in current_app.view_functions:
            continue
        level = rule_of(current_app, endpoint)
        if level != "public" and (
            not current_user.is_authenticated or current_user.role not in LEVELS[level]
        ):
            continue
        items.append((endpoint, label, request.blueprint == endpoint.split(".")[0]))
    return items


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def url(self, page: int) -> str:
        args = dict(request.args)
        args["page"] = page
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def paginate(session, stmt, *, per_page: int = 50, page: int | None = None, scalars: bool = False) -> Page:
    if page is None:
        page = request.args.get("page", 1, type=int) or 1
    page = max(1, page)
    total = session.execute(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    result = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, page=page, per_page=per_page, total=total)


def _error(code: int, title):
    def handler(exc):
        return render_template("error.html", code=code, title=title, description=getattr(exc, "description", "")), code

    return handler


def init_app(app: Flask) -> None:
    from flask_babel import get_locale

    app.context_processor(lambda: {"nav_items": nav_items, "get_locale": get_locale})
    app.register_error_handler(400, _error(400, _l("Ugyldig forespørgsel")))
    app.register_error_handler(CSRFError, _error(400, _l("Formularen er udløbet. Genindlæs siden og prøv igen.")))
    app.register_error_handler(403, _error(403, _l("Du har ikke adgang til denne side")))
    app.register_error_handler(404, _error(404, _l("Siden findes ikke")))
    app.register_error_handler(413, _error(413, _l("Filen er for stor")))
    app.register_error_handler(500, _error(500, _l("Der opstod en fejl")))
