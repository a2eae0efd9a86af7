"""What every page shares: the navigation and locale in every template, and the error pages.

The parts live beside it: ``nav`` (the navigation bar), ``paging`` (offset paging), ``keyset``
(the keyset paging engine) and ``errorpages``.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import get_locale

from nrs import a11y, errorpages
from nrs.nav import nav_items


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_items": nav_items, "get_locale": get_locale})
    app.jinja_env.globals.update(a11y.TEMPLATE_GLOBALS, row_url=row_url)
    errorpages.init_app(app)


_MARK = "987654321"


def row_url(endpoint: str, argument: str):
    """``row_url('joborders.detail', 'order_id')(order.id)``: a list's link per row from one
    ``url_for`` per page (a url_for costs some 6 µs; a list of 50 rows with three links each paid
    it 150 times)."""
    head, _, tail = url_for(endpoint, **{argument: _MARK}).partition(_MARK)
    return lambda value: f"{head}{value}{tail}"
