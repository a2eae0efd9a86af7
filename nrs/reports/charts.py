"""The period report's charts as SVG made on the server with pygal (a maintained, pure-Python SVG library).

Inline SVG needs no JavaScript and prints as it shows; pygal's tooltip script (fetched from a
CDN by default) is switched off, and every chart has its table beside it on the page.
"""

from __future__ import annotations

import re
from datetime import date

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from nrs.i18n import format_number
from nrs.reports.period import OTHER
from nrs.reports.tables import month_name

STYLE = Style(
    background="white", plot_background="white", foreground="#1d2b36", foreground_strong="#1d2b36",
    foreground_subtle="#c8d1d8", font_family="DejaVu Sans, Arial, sans-serif",
    colors=("#2e7d32", "#c62828", "#1565c0", "#f9a825", "#6a1b9a", "#00838f"),
    label_font_size=11, major_label_font_size=11, legend_font_size=11, title_font_size=13,
)


def _chart(kind, title: str, *, top: int = 0, **config):
    return kind(
        title=title, style=STYLE, js=[], width=720, height=320, explicit_size=True, legend_at_bottom=True,
        print_values=False, show_minor_x_labels=True, x_label_rotation=0, truncate_legend=-1,
        value_formatter=lambda v: format_number(v or 0), range=(0, max(top, 1)), secondary_range=(0, max(top, 1)),
        **config)


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart) -> str:
    """The chart without pygal's configuration script: nothing on the page runs, the SVG is all."""
    return _SCRIPT.sub("", chart.render(disable_xml_declaration=True, is_unicode=True))


def _month(text: str) -> str:
    return month_name(date.fromisoformat(text))[:3] + date.fromisoformat(text).strftime(" %y")


def orders_per_month(report: dict) -> str:
    """Received beside closed, the closed stacked by outcome (filled, unfilled)."""
    months = report.get("by_month", [])
    top = max([max(m["orders_received"], m["orders_filled"] + m["orders_unfilled"]) for m in months] or [0])
    chart = _chart(pygal.StackedBar, _("Jobordrer pr. måned: modtaget og lukket"), top=top)
    chart.x_labels = [_month(m["from"]) for m in months]
    chart.add(_("Lukket: besat"), [m["orders_filled"] for m in months])
    chart.add(_("Lukket: ikke besat"), [m["orders_unfilled"] for m in months])
    chart.add(_("Modtaget"), [m["orders_received"] for m in months], secondary=True)
    return _svg(chart)


def open_stock(report: dict) -> str:
    months = report.get("by_month", [])
    top = max([max(m["orders_open_at_end"], m["orders_open_at_start"]) for m in months] or [0])
    chart = _chart(pygal.Line, _("Åbne jobordrer ved månedens slutning"), top=top, fill=False, dots_size=3)
    chart.x_labels = [_month(m["from"]) for m in months]
    chart.add(_("Åbne"), [m["orders_open_at_end"] for m in months])
    return _svg(chart)


def _by(rows: list[tuple[str, dict]], title: str) -> str:
    top = max([max(f["orders_received"], f["orders_filled"] + f["orders_unfilled"], f["orders_open_at_end"])
               for _label, f in rows] or [0])
    chart = _chart(pygal.Bar, title, top=top)
    chart.x_labels = [label for label, _f in rows]
    chart.add(_("Modtaget"), [f["orders_received"] for _label, f in rows])
    chart.add(_("Besat"), [f["orders_filled"] for _label, f in rows])
    chart.add(_("Ikke besat"), [f["orders_unfilled"] for _label, f in rows])
    chart.add(_("Åbne ved slut"), [f["orders_open_at_end"] for _label, f in rows])
    return _svg(chart)


def per_centre(report: dict) -> str:
    return _by([(f["name"], f) for f in report["by_centre"].values()], _("Jobordrer pr. jobcenter"))


def per_sector(report: dict) -> str:
    return _by([(_("Øvrige") if k == OTHER else k, f) for k, f in report["by_sector"].items()],
               _("Jobordrer pr. fokusbranche"))


def all_charts(report: dict) -> dict[str, str]:
    """Chart SVG keyed by the table it sits beside (``months`` has two: the flow and the open stock)."""
    return {"months": orders_per_month(report), "open_stock": open_stock(report),
            "centres": per_centre(report), "sectors": per_sector(report)}
