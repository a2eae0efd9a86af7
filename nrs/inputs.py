"""What the app accepts from a request before any view sees it: whole numbers, text, form bodies.

Bad input is the sender's mistake and answers 4xx; these are the few rules every view shares, so
no view can forget them:

- whole numbers (``request.args.get(..., type=int)``, ``<int:...>`` in a URL, ``whole_number``)
  fit the database's ids: PostgreSQL's INTEGER is 32-bit, SQLite's 64-bit; a larger number is 400
  (a query parameter) or 404 (a URL part), never an overflow in the driver;
- no text holds NUL (PostgreSQL cannot store it): 400;
- a form body the parser cannot read (a multipart field name without its closing quote) is 400.
"""

from __future__ import annotations

from flask import Flask, request
from flask.wrappers import Request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: The largest id or count either database takes in an INTEGER column (PostgreSQL's int4).
MAX_INT = 2**31 - 1


class NumberTooLarge(BadRequest):
    """A whole number in a query or form value outside what the database holds."""


def whole_number(value) -> int:
    """``int(value)`` within ±``MAX_INT``; ValueError (a field error in a form) otherwise."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(_("Skriv et helt tal.")) from None  # not Python's "invalid literal for int()"
    if not -MAX_INT <= number <= MAX_INT:
        raise ValueError(_("Tallet er for stort."))
    return number


def _query_int(value) -> int:
    number = int(value)  # not a number: ValueError, and ``get`` gives the default as before
    if not -MAX_INT <= number <= MAX_INT:
        raise NumberTooLarge(_("Tallet %(v)s er for stort.", v=str(value)[:30]))
    return number


class BoundedArgs(ImmutableMultiDict):
    """Query and form values whose ``get(..., type=int)`` refuses a number the database cannot hold (400)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        return super().get(key, default, _query_int if type is int else type)


class NrsRequest(Request):
    parameter_storage_class = BoundedArgs

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if None in self.form or None in self.files:  # werkzeug reads an unterminated name as None
            self.__dict__["form"] = self.parameter_storage_class()
            self.__dict__["files"] = ImmutableMultiDict()
            raise BadRequest(_("Formularen kunne ikke læses."))


class BoundedInt(IntegerConverter):
    """``<int:id>`` that matches only ids the database can hold; a larger one is 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def _refuse_nul():
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest(_("Teksten indeholder et tegn, der ikke kan gemmes (NUL)."))
    return None


def init_app(app: Flask) -> None:
    """Before any route is added: the converter is read when a rule is."""
    app.request_class = NrsRequest
    app.url_map.converters["int"] = BoundedInt
    app.before_request(_refuse_nul)
