"""The period report as files: an XLSX workbook (a sheet per table) and a PDF for the committee.

The workbook keeps numbers as numbers and dates as dates (not the text the list exports write),
so a committee secretary can sum and sort; text cells go through ``neutralise`` like every export.
The PDF is HTML made by a template and laid out by WeasyPrint (HTML/CSS to PDF, maintained,
no browser): the first page in the words of the seed's status item, tables after.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from datetime import date, datetime

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nrs.clock import local, utcnow
from nrs.exports.spreadsheet import CONTENT_TYPES, neutralise
from nrs.reports import charts
from nrs.reports.tables import Table, key_figures, period_text, status_sentence, tables

FORMATS = {"xlsx": CONTENT_TYPES["xlsx"], "pdf": "application/pdf"}
#: Rows above each sheet's table: title, period, time of making, blank.
HEAD_ROWS = 4
#: What a sheet name may not hold (Excel's rule, which openpyxl enforces).
_SHEET_UNSAFE = re.compile(r"[\\/*?:\[\]]")


def render(fmt: str, session, report: dict, *, now: datetime | None = None) -> bytes:
    del session  # the report is complete (enquiries and STAR included); kept for the callers' one signature
    if fmt == "xlsx":
        return to_xlsx(report, now=now)
    if fmt == "pdf":
        return to_pdf(report, now=now)
    raise ValueError(f"unknown report format {fmt!r}")


def _made(now: datetime | None) -> datetime:
    return local(now or utcnow()).replace(tzinfo=None, microsecond=0)


def to_xlsx(report: dict, *, now: datetime | None = None) -> bytes:
    made = _made(now)
    wb = Workbook()
    wb.remove(wb.active)
    summary = Table("summary", _("Nøgletal"), [_("Nøgletal"), _("Antal")],
                    rows=[[label, n] for label, n in key_figures(report)])
    for table in [summary, *tables(report)]:
        ws = wb.create_sheet(_SHEET_UNSAFE.sub(" ", table.sheet or table.title)[:31])
        ws.append([neutralise(f"NRS · {table.title}")])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([_("Periode"), date.fromisoformat(report["from"]), date.fromisoformat(report["to"])])
        ws.append([_("Dannet"), made])
        for cell in (ws["B2"], ws["C2"]):
            cell.number_format = "DD-MM-YYYY"
        ws["B3"].number_format = "DD-MM-YYYY HH:MM"
        ws.append([])
        ws.append([neutralise(h) for h in table.headers])
        for cell in ws[HEAD_ROWS + 1]:
            cell.font = Font(bold=True)
        widths = [max(len(str(h)), 10) for h in table.headers]
        for i, row in enumerate(table.rows):
            ws.append([neutralise(v) if isinstance(v, str) else v for v in row])
            r = HEAD_ROWS + 2 + i
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                if isinstance(value, date):
                    cell.number_format = "MMMM YYYY" if table.key == "months" else "DD-MM-YYYY"
                if i in table.total_rows:
                    cell.font = Font(bold=True)
                widths[c - 1] = max(widths[c - 1], len(str(value)) if value is not None else 0)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(width + 2, 50)
        ws.freeze_panes = ws.cell(row=HEAD_ROWS + 2, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def data_uri(svg: str) -> str:
    """An SVG as an ``<img>`` source: its own styles apply inside the image, which the page's CSP allows."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def to_html(report: dict, *, now: datetime | None = None) -> str:
    """The PDF's HTML (also what a test can read when no PDF library is at hand)."""
    return render_template(
        "reports/period_pdf.html", report=report, tables=tables(report), sentence=status_sentence(report),
        key_figures=key_figures(report), period_text=period_text(report), made=_made(now),
        chart=data_uri(charts.orders_per_month(report) if report.get("by_month") else charts.per_centre(report)),
        centre_chart=data_uri(charts.per_centre(report)),
    )


def to_pdf(report: dict, *, now: datetime | None = None) -> bytes:
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):  # its progress lines are not the product's log
        logging.getLogger(name).setLevel(logging.WARNING)
    from weasyprint import HTML  # noqa: PLC0415 - loads pango and fonts (~1 s): only when a PDF is made

    return HTML(string=to_html(report, now=now)).write_pdf()
