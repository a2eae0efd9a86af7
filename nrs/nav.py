"""The navigation bar: each domain's index page the current user may open."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from nrs.security import LEVELS, has_role, rule_of

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
    items = []
    for endpoint, label in NAV:
        level = rule_of(current_app, endpoint)
        if level != "public" and (
            not current_user.is_authenticated or not has_role(current_user, LEVELS[level])
        ):
            continue
        items.append((endpoint, label, request.blueprint == endpoint.split(".")[0]))
    return items
