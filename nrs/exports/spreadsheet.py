"""CSV and XLSX from rows, the way Danish Excel and LibreOffice open them safely.

Domains build rows (a header list and a list of value lists); this module owns formatting:
UTF-8 with BOM and ``;`` for CSV, a real table for XLSX, dates as dd-mm-åååå, and every cell
that a spreadsheet would evaluate (leading ``= + - @``, tab, CR) neutralised with a leading
apostrophe instead of being stripped, so that ``+45 48 10 00 00`` survives as text.

Stored text is never a reason for an export to fail: a character a workbook (XML) or a UTF-8
file cannot hold (controls such as U+0001 or NUL, lone surrogates) is replaced with U+FFFD, in
cells, headers and the sheet name. Forms and imports refuse such characters (``nrs.storedtext``);
this covers rows stored before that rule or written around it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nrs.clock import format_date, format_datetime
from nrs.storedtext import CONTROL

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"


def printable(value: str) -> str:
    """``value`` with every character a spreadsheet cannot hold replaced by U+FFFD."""
    return CONTROL.sub(REPLACEMENT, value)


def neutralise(value: str) -> str:
    """Prefix text a spreadsheet would treat as a formula with ``'``."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int | float):
        return str(value)
    return neutralise(printable(str(value)))


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with BOM, semicolon-separated, CRLF: what Danish Excel opens without an import wizard."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(printable(str(h))) for h in headers])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "NRS") -> bytes:
    """A workbook with a bold, frozen header row, an autofilter and sensible column widths.

    Every text cell is written as a string (``data_type = "s"``): openpyxl would otherwise store
    a value starting with ``=`` as a formula.
    """
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = printable(sheet)[:31]
    widths = [len(str(h)) for h in headers]
    ws.append([printable(str(h)) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    r = 1
    for row in rows:
        r += 1
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, bool) or value is None or isinstance(value, date):
                text = _text(value)
            elif isinstance(value, int | float):
                cell.value = value
                widths[c - 1] = max(widths[c - 1], len(str(value)))
                continue
            else:
                text = _text(value)
            cell.value = text
            cell.data_type = "s"
            widths[c - 1] = max(widths[c - 1], len(text))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{max(r, 1)}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(fmt: str, headers: Sequence[str], rows: Iterable[Sequence], *, sheet: str = "NRS") -> bytes:
    if fmt == "csv":
        return to_csv(headers, rows)
    if fmt == "xlsx":
        return to_xlsx(headers, rows, sheet=sheet)
    raise ValueError(f"unknown export format {fmt!r}")


def download(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence]):
    """A Flask response with the file as an attachment."""
    body = render(fmt, headers, rows)
    return Response(
        body,
        content_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )
