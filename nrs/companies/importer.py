"""Reading a company file (CSV or the CVR register's JSON Lines) and checking every row first.

The formats are described in ``docs/import-formats/companies-csv.md`` and ``cvr-json.md``. Nothing is
written until every row has been checked; the writing itself is ``services.import_companies``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlmodel import Session, select

from nrs import importfile
from nrs.audit.services import record
from nrs.companies import fields as f
from nrs.companies.models import CompanySource
from nrs.companies.services import import_companies
from nrs.importfile import check_file_text, decode, text_cell_problem
from nrs.municipalities.models import Municipality
from nrs.storedtext import visible

#: Column → accepted header names (matched case-insensitively, surrounding spaces ignored).
COLUMNS = {
    "cvr": ("cvr", "cvr-nummer", "cvrnr"),
    "name": ("name", "navn"),
    "address": ("address", "adresse"),
    "postal_code": ("postal_code", "postnr"),
    "city": ("city", "by"),
    "municipality_code": ("municipality_code", "kommunekode"),
    "industry_code": ("industry_code", "branchekode"),
    "employees": ("employees", "ansatte"),
    "status": ("status",),
    "phone": ("phone", "telefon"),
    "email": ("email",),
    "advertising_protected": ("advertising_protected", "reklamebeskyttet"),
}
REQUIRED = ("cvr", "name", "municipality_code", "industry_code")


@dataclass
class ImportReport(importfile.ImportReport):
    format: str = "csv"
    changed: int = 0
    moved: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.rows_read} rows read, {self.new} new, {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.invalid} invalid; unknown columns: {self.unknown_text()}")


# --- reading ------------------------------------------------------------------------------------

def is_json_lines(text: str, filename: str = "") -> bool:
    if filename.lower().endswith((".jsonl", ".json", ".ndjson")):
        return True
    return text.lstrip()[:1] in ("{", "[")


def read_csv_rows(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    return importfile.read_csv_rows(text, COLUMNS, REQUIRED)


def _first_open(items) -> dict | None:
    for item in items or []:
        if not item.get("hemmelig"):
            return item
    return None


def cvr_document_row(doc: dict) -> dict:
    """One CVR register document as the raw columns of a CSV row (see cvr-json.md)."""
    unit = doc.get("_source", doc)
    unit = unit.get("Vrvirksomhed", unit)
    meta = unit.get("virksomhedMetadata") or {}
    address = meta.get("nyesteBeliggenhedsadresse") or {}
    street = " ".join(str(p) for p in (address.get("vejnavn"), address.get("husnummerFra")) if p)
    if address.get("bogstavFra"):
        street += str(address["bogstavFra"])
    floor = ", ".join(str(p) for p in (address.get("etage"), address.get("sidedoer")) if p)
    if floor:
        street = f"{street}, {floor}"
    employees = ""
    for key in ("nyesteErstMaanedsbeskaeftigelse", "nyesteKvartalsbeskaeftigelse", "nyesteAarsbeskaeftigelse"):
        period = meta.get(key)
        if period:
            if period.get("antalAnsatte") is not None:
                employees = str(period["antalAnsatte"])
            else:
                employees = period.get("intervalKodeAntalAnsatte") or ""
            break
    lifetime = unit.get("livsforloeb") or []
    ceased = bool(lifetime) and (lifetime[-1].get("periode") or {}).get("gyldigTil") is not None
    status = str(meta.get("sammensatStatus") or "")
    active = status.upper() in ("NORMAL", "AKTIV") and not ceased
    phone = _first_open(unit.get("telefonNummer"))
    email = _first_open(unit.get("elektroniskPost"))
    kommune = (address.get("kommune") or {}).get("kommuneKode")
    return {
        "cvr": "" if unit.get("cvrNummer") is None else str(unit["cvrNummer"]),
        "name": (meta.get("nyesteNavn") or {}).get("navn") or "",
        "address": street,
        "postal_code": "" if address.get("postnummer") is None else str(address["postnummer"]),
        "city": address.get("postdistrikt") or "",
        "municipality_code": "" if kommune is None else f"{int(kommune):03d}",
        "industry_code": (meta.get("nyesteHovedbranche") or {}).get("branchekode") or "",
        "employees": employees,
        "status": "NORMAL" if active else (status if status.upper() not in ("NORMAL", "AKTIV") else "OPHØRT"),
        "phone": phone["kontaktoplysning"] if phone else "",
        "email": email["kontaktoplysning"] if email else "",
        "advertising_protected": bool(unit.get("reklamebeskyttet")),
    }


def _documents(data) -> list:
    """A document, a list of them, or an Elasticsearch response (``hits.hits``)."""
    if isinstance(data, list):
        return data
    hits = data.get("hits") if isinstance(data, dict) else None
    if isinstance(hits, dict) and isinstance(hits.get("hits"), list):
        return hits["hits"]
    return [data]


def read_json_rows(text: str) -> tuple[list[tuple[int, dict]], list[str], list[str]]:
    """Rows, (no unknown columns), and the lines that are not CVR documents.

    JSON Lines first (one document per line, numbered by line); a file that is one JSON value
    (a pretty-printed document, a list, a search response) is read whole, numbered by document.
    """
    rows, problems = [], []
    try:
        whole = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the reader goes
        whole = None
    if whole is not None:
        for number, doc in enumerate(_documents(whole), start=1):
            try:
                rows.append((number, cvr_document_row(doc)))
            except (TypeError, AttributeError, ValueError):
                problems.append(f"line {number}: document {str(doc)[:40]!r} is not a CVR JSON document")
        return rows, [], problems
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise ValueError
            rows.append((number, cvr_document_row(doc)))
        except (ValueError, TypeError, AttributeError, RecursionError):
            problems.append(f"line {number}: document {line.strip()[:40]!r} is not a CVR JSON document")
    return rows, [], problems


# --- checking ------------------------------------------------------------------------------------

def _shown(value) -> str:
    text = str(value).strip() if value is not None else ""
    return visible(text) if text else "(blank)"


#: Column → how its cell is read (``fields.parse_*`` and its extra arguments). ``KNOWN`` stands
#: for the set of known municipality codes, which is the import's, not the module's.
KNOWN = object()
PARSERS = {
    "cvr": (f.parse_cvr,),
    "name": (f.parse_name,),
    "address": (f.parse_text, 300),
    "postal_code": (f.parse_postal_code,),
    "city": (f.parse_text, 100),
    "municipality_code": (f.parse_municipality, KNOWN),
    "industry_code": (f.parse_industry,),
    "employees": (f.parse_employees,),
    "phone": (f.parse_text, 40),
    "email": (f.parse_email,),
    "advertising_protected": (f.parse_flag,),
}
#: Columns read into two stored values.
TARGETS = {"employees": ("employees_min", "employees_max")}
#: Columns stored as free text: the CPR rule applies to their stored value.
FREE_TEXT = ("name", "address", "city", "phone")


def _text_problem(column: str, raw_value, stored) -> str | None:
    """The stored-text rule: control characters in any cell, a CPR number in the stored free text."""
    if isinstance(raw_value, str):
        reason = text_cell_problem(raw_value, free_text=False)
        if reason:
            return reason
    if column in FREE_TEXT and isinstance(stored, str):
        return text_cell_problem(stored)
    return None


def _parse(column: str, value, known_municipalities: set[int]):
    parse, *args = PARSERS[column]
    return parse(value, *(known_municipalities if a is KNOWN else a for a in args))


def check_row(raw: dict, known_municipalities: set[int]) -> tuple[dict | None, list[tuple[str, object, str]]]:
    """The row's stored values, or the problems as ``(field, value, reason)``."""
    values: dict = {}
    problems = []
    for column in PARSERS:
        if column not in raw:
            continue
        try:
            result = _parse(column, raw[column], known_municipalities)
        except f.Invalid as exc:
            problems.append((column, raw[column], exc.reason))
            continue
        reason = _text_problem(column, raw[column], result)
        if reason:
            problems.append((column, raw[column], reason))
        elif column in TARGETS:
            values.update(zip(TARGETS[column], result, strict=True))
        else:
            values[column] = result
    if "status" in raw:
        values["active"] = f.parse_status(raw["status"])
    return (None if problems else values), problems


def known_municipalities(session: Session) -> set[int]:
    return set(session.exec(select(Municipality.code)))


def run_import(session: Session, data: bytes, *, filename: str = "", by=None, skip_invalid: bool = False
               ) -> ImportReport:
    """Read, check every row, then write all of them, the valid ones (``skip_invalid``), or none.

    Raises ``ImportFileError`` when the file as a whole is unreadable.
    """
    text = decode(data)
    report = ImportReport()
    if is_json_lines(text, filename):
        report.format = "cvr"
        rows, report.unknown_columns, report.problems = read_json_rows(text)
        report.invalid = len(report.problems)
    else:
        rows, report.unknown_columns = read_csv_rows(text)
    check_file_text(filename, report.unknown_columns)
    report.rows_read = len(rows) + report.invalid
    known = known_municipalities(session)
    by_cvr: dict[str, dict] = {}
    for line, raw in rows:
        values, problems = check_row(raw, known)
        if problems:
            report.invalid += 1
            report.problems.extend(f"line {line}: {name} {_shown(value)} {reason}"
                                   for name, value, reason in problems)
            continue
        by_cvr[values["cvr"]] = values  # within one file, a later row for the same CVR wins
    if report.invalid and not skip_invalid:
        return report
    source = CompanySource.cvr if report.format == "cvr" else CompanySource.csv
    outcome = import_companies(session, by_cvr.values(), by=by, source=source)
    report.new, report.changed, report.unchanged = outcome.new, outcome.changed, outcome.unchanged
    report.moved = outcome.moved
    report.written = True
    record(session, by=by, entity="company_import", entity_id=(filename or "-")[-40:], action="import",
           changes={"rows_read": report.rows_read, "new": report.new, "changed": report.changed,
                    "unchanged": report.unchanged, "invalid": report.invalid},
           note=", ".join(report.unknown_columns))
    return report
