"""Figures as of a chosen date."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from nrs.clock import parse_date, today
from nrs.db import db_session
from nrs.reports.panels import figures_table
from nrs.security import access

bp = Blueprint("reports", __name__, url_prefix="/rapporter")


@bp.get("/")
@access("user")
def index():
    error = None
    as_of = today()
    if request.args.get("as_of"):
        try:
            as_of = parse_date(request.args["as_of"])
        except ValueError:
            error = True
    figures, rows = figures_table(db_session(), as_of)
    return render_template("reports/index.html", as_of=as_of, figures=figures, rows=rows, error=error), (
        400 if error else 200)
