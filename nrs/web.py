"""What every page shares: the navigation and locale in every template, and the error pages.

The parts live beside it: ``nav`` (the navigation bar), ``paging`` (offset paging), ``keyset``
(the keyset paging engine) and ``errorpages``.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from nrs import a11y, errorpages
from nrs.nav import nav_items


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": nav_items, "get_locale": get_locale})
    app.jinja_env.globals.update(a11y.TEMPLATE_GLOBALS)
    errorpages.init_app(app)
