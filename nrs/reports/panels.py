"""The front page's first panel: today's job-order figures for NRS and per centre."""

from __future__ import annotations

from sqlmodel import select

from nrs.clock import today
from nrs.collation import danish
from nrs.municipalities.models import JobCentre
from nrs.reports.queries import figures_with_statistics


def figures_table(session, as_of):
    """Rows ``(label, code, figures, stats)``: NRS first, then the nine centres by name."""
    figures, stats = figures_with_statistics(session, as_of=as_of)
    rows = [("NRS", "NRS", figures, stats["NRS"])]
    for centre in session.exec(select(JobCentre).order_by(danish(JobCentre.name))).all():
        code = str(centre.municipality_code)
        rows.append((centre.name, code, figures["by_centre"].get(code, {}), stats.get(code, {})))
    return figures, rows


def panel(session, user):
    as_of = today()
    figures, rows = figures_table(session, as_of)
    return "reports/_panel.html", {"as_of": as_of, "figures": figures, "rows": rows,
                                   "own_code": str(getattr(_centre(session, user), "municipality_code", ""))}


def _centre(session, user):
    return session.get(JobCentre, user.job_centre_id) if getattr(user, "job_centre_id", None) else None
