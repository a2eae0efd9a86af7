"""The front page's first panel: today's job-order figures for NRS and per centre."""

from __future__ import annotations

from nrs import refcache
from nrs.clock import today
from nrs.reports.queries import figures_with_statistics


def figures_table(session, as_of, *, star_rates: bool = True):
    """Rows ``(label, code, figures, stats)``: NRS first, then the nine centres by name."""
    figures, stats = figures_with_statistics(session, as_of=as_of, star_rates=star_rates)
    rows = [("NRS", "NRS", figures, stats["NRS"])]
    for centre in refcache.centres(session):
        code = str(centre.municipality_code)
        rows.append((centre.name, code, figures["by_centre"].get(code, {}), stats.get(code, {})))
    return figures, rows


def panel(session, user):
    as_of = today()
    figures, rows = figures_table(session, as_of, star_rates=False)  # STAR's rates: on the reports page
    return "reports/_panel.html", {"as_of": as_of, "figures": figures, "rows": rows,
                                   "own_code": str(getattr(_centre(session, user), "municipality_code", ""))}


def _centre(session, user):
    return refcache.centre(session, getattr(user, "job_centre_id", None))
