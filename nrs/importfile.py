"""Reading the spreadsheets staff import (companies, job orders), by one set of rules.

``docs/import-formats/companies-csv.md`` states them: a header row is required; column names are
matched case-insensitively in English or Danish; ``;`` or ``,`` detected from the header; UTF-8
with or without BOM, else Windows-1252 (Danish Excel); blank lines skipped; line numbers count
the header as line 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zipfile import BadZipFile

from openpyxl import load_workbook

from nrs import storedtext


class ImportFileError(Exception):
    """The file as a whole cannot be read (no header, a required column missing)."""


@dataclass
class ImportReport:
    """What every import reports: the counts, each bad row, and the columns it did not know."""

    rows_read: int = 0
    new: int = 0
    unchanged: int = 0
    invalid: int = 0
    problems: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.invalid == 0

    def unknown_text(self) -> str:
        return ", ".join(self.unknown_columns) if self.unknown_columns else "none"


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); otherwise Windows-1252, as Danish Excel saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv_rows(
    text: str, columns: Mapping[str, Sequence[str]], required: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """``(line number, {column: raw cell})`` per non-blank row, and the unknown header names.

    ``columns`` maps each column to its accepted header names (lower case).
    """
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise ImportFileError("the file is empty (a header row is required)")
    header_line = lines[header_index]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)

    def numbered():
        last_line = 0
        for cells in reader:
            start, last_line = last_line + 1, reader.line_num
            yield start, cells

    return _table_rows(numbered(), columns, required)


def _table_rows(numbered, columns: Mapping[str, Sequence[str]], required: Sequence[str]):
    """The header rule shared by CSV and XLSX: ``numbered`` yields ``(line, [cell text])``."""
    aliases = {alias: column for column, names in columns.items() for alias in names}
    header: list[str] | None = None
    positions: dict[str, int] = {}
    unknown: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for start, cells in numbered:
        if not cells or all(not cell.strip() for cell in cells):
            continue
        if header is None:
            header = cells
            for index, name in enumerate(cells):
                column = aliases.get(name.strip().lower())
                if column is None:
                    if name.strip():
                        unknown.append(name.strip())
                elif column not in positions:
                    positions[column] = index
            missing = [c for c in required if c not in positions]
            if missing:
                names = ", ".join(f"{c} ({'/'.join(columns[c][1:]) or c})" for c in missing)
                raise ImportFileError(f"line {start}: the header has no column for {names}")
            continue
        rows.append((start, {column: cells[i] if i < len(cells) else "" for column, i in positions.items()}))
    if header is None:
        raise ImportFileError("the file is empty (a header row is required)")
    return rows, unknown


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold: dates as YYYY-MM-DD, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_xlsx(data: bytes) -> bool:
    """An XLSX workbook is a ZIP file."""
    return data[:4] == b"PK\x03\x04"


def read_xlsx_rows(data: bytes, columns: Mapping[str, Sequence[str]], required: Sequence[str]
                   ) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """The first sheet of a workbook, by the same rules as ``read_csv_rows`` (line = the sheet's row number)."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"the file is not a workbook that can be read ({exc.__class__.__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        numbered = ((n, [_cell_text(v) for v in values])
                    for n, values in enumerate(sheet.iter_rows(values_only=True), start=1))
        return _table_rows(numbered, columns, required)
    finally:
        workbook.close()


def text_cell_problem(value: str, *, free_text: bool = True) -> str | None:
    """Why one cell's text may not be stored (CPR number, control character), or None.

    The stored-text rule of every form and flush (``nrs.storedtext``), with its English reason.
    """
    found = storedtext.problem(value, cpr=free_text)
    return found[0] if found else None


def check_file_text(filename: str, unknown_columns: Sequence[str]) -> None:
    """The file's name and unknown header names go into the audit log: the same rule applies."""
    for what, value in (("the file name", filename), *(("a column name", name) for name in unknown_columns)):
        reason = text_cell_problem(value)
        if reason:
            raise ImportFileError(f"{what} {value[:40]!r} {reason}; nothing was read")


def row_date(text: str) -> date:
    """A date cell as the import formats allow it: ``YYYY-MM-DD`` or ``dd-mm-åååå``; ValueError otherwise."""
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def shown(value: str) -> str:
    """A cell as an error line quotes it: its visible text, or "(blank)"."""
    return storedtext.visible(value) if value else "(blank)"
