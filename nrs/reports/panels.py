"""The front page's first panel: today's job-order figures for NRS and per centre."""

from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

from nrs import refcache
from nrs.clock import today
from nrs.joborders import tally
from nrs.reports.queries import (
    ORDER_KEYS,
    POSITION_KEYS,
    agreements_active,
    figures_with_statistics,
)

_FIGURE_KEYS = (*ORDER_KEYS, *POSITION_KEYS, "referral_rate", "star_fill_rate")
_STAT_KEYS = ("fill_rate", "median_days_to_fill")
#: The figures table as rendered, by language and by what it shows: the front page shows everyone
#: the same table until an order changes, so it is rendered once per change, not per visit.
_rendered: dict[tuple, Markup] = {}


def figures_table(session, as_of, *, star_rates: bool = True, snapshot=None):
    """Rows ``(label, code, figures, stats)``: NRS first, then the nine centres by name."""
    figures, stats = figures_with_statistics(session, as_of=as_of, star_rates=star_rates, snapshot=snapshot)
    rows = [("NRS", "NRS", figures, stats["NRS"])]
    for centre in refcache.centres(session):
        code = str(centre.municipality_code)
        rows.append((centre.name, code, figures["by_centre"].get(code, {}), stats.get(code, {})))
    return figures, rows


def figures_html(rows, *, show_star: bool = True) -> Markup:
    """``reports/_figures.html`` for ``rows`` (98 centres: the front page's largest part to render)."""
    key = (str(get_locale()), show_star,
           tuple((label, code, *(f.get(k) for k in _FIGURE_KEYS), *(s.get(k) for k in _STAT_KEYS))
                 for label, code, f, s in rows))
    html = _rendered.get(key)
    if html is None:
        if len(_rendered) >= 32:
            _rendered.clear()
        html = _rendered[key] = Markup(render_template("reports/_figures.html", rows=rows, show_star=show_star))
    return html


#: The panel as last made, per (day, language): ``(tally snapshot, centres, figures, table)``. The
#: tally hands out the same snapshot object until one of its rows changes, so the same object with
#: the same centres gives the same order figures: they are not worked out again on every visit.
#: The agreements are not in the tally: their count is read on every visit.
_panels: dict[tuple, tuple] = {}


def panel(session, user):
    as_of = today()
    snapshot, centres = tally.snapshot(session), refcache.centres(session)
    key = (as_of, str(get_locale()))
    made = _panels.get(key)
    if made is None or made[0] is not snapshot or made[1] != centres:
        # STAR's rates are left out (on the reports page): they do not come from the tally.
        figures, rows = figures_table(session, as_of, star_rates=False, snapshot=snapshot)
        if len(_panels) >= 8:
            _panels.clear()
        made = _panels[key] = (snapshot, centres, figures, figures_html(rows, show_star=False))
    figures = {**made[2], "agreements_active": agreements_active(session, on=as_of)}
    return "reports/_panel.html", {"as_of": as_of, "figures": figures, "table": made[3]}
