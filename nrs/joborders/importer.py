"""Reading the job-order spreadsheet used before NRS (``docs/import-formats/job-orders-csv.md``).

Reading rules are the company file's: header required, names in English or Danish matched
case-insensitively, ``;`` or ``,``, UTF-8 or Windows-1252, blank lines skipped, line numbers
counting the header as line 1. Every row is checked before anything is written; by default one
invalid row means nothing is written. An order is known again by its reference and CVR number,
so importing the same file twice creates nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from nrs import importfile
from nrs.audit.services import record
from nrs.clock import today
from nrs.companies.models import Company
from nrs.forms import contains_cpr
from nrs.importfile import decode, read_csv_rows
from nrs.joborders import services, tally
from nrs.joborders.models import JobOrder, UnfilledReason
from nrs.joborders.states import JobOrderState
from nrs.municipalities.models import JobCentre

COLUMNS = {
    "reference": ("reference", "nr"),
    "cvr": ("cvr", "cvr-nummer", "cvrnr"),
    "title": ("title", "stilling", "titel"),
    "positions": ("positions", "antal", "stillinger"),
    "received": ("received", "modtaget"),
    "lead_centre": ("lead_centre", "ansvarligt jobcenter"),
    "status": ("status",),
    "closed": ("closed", "lukket"),
    "hired_from": ("hired_from", "ansat fra"),
    "close_reason": ("close_reason", "årsag", "aarsag"),
}
REQUIRED = ("cvr", "title", "received", "status")
STATUSES = {
    "open": JobOrderState.open, "åben": JobOrderState.open, "aaben": JobOrderState.open,
    "filled": JobOrderState.filled, "besat": JobOrderState.filled,
    "unfilled": JobOrderState.unfilled, "ikke besat": JobOrderState.unfilled,
}
NO_REASON = "Ingen årsag angivet i regnearket"


class ImportReport(importfile.ImportReport):
    """Orders are never changed by a re-import, so there is no "changed" count."""

    def summary(self) -> str:
        return (f"{self.rows_read} rows read, {self.new} new, {self.unchanged} unchanged, "
                f"{self.invalid} invalid; unknown columns: {self.unknown_text()}")


@dataclass
class OrderRow:
    line: int
    reference: str | None
    company: Company
    title: str
    positions: int
    received: date
    lead_centre_id: int
    state: JobOrderState
    closed: date | None
    hired_from_id: int | None
    close_reason: str


def read_rows(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    """``(line number, {column: trimmed text})`` per non-blank row, and the unknown header names."""
    rows, unknown = read_csv_rows(text, COLUMNS, REQUIRED)
    return [(line, {c: v.strip() for c, v in values.items()}) for line, values in rows], unknown


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def _shown(value: str) -> str:
    return value if value else "(blank)"


class _Checker:
    def __init__(self, session: Session):
        self.session = session
        self.centres = {c.municipality_code: c.id for c in session.exec(select(JobCentre))}
        self.companies: dict[str, Company | None] = {}
        self.references: dict[tuple[str, str], int] = {}

    def company(self, cvr: str) -> Company | None:
        if cvr not in self.companies:
            self.companies[cvr] = self.session.exec(select(Company).where(Company.cvr == cvr)).first()
        return self.companies[cvr]

    def centre(self, text: str) -> int | None:
        try:
            return self.centres.get(int(text))
        except ValueError:
            return None

    def check(self, line: int, raw: dict) -> tuple[OrderRow | None, list[str]]:
        problems: list[str] = []

        def bad(column: str, reason: str) -> None:
            problems.append(f"line {line}: {column} {_shown(raw.get(column, ''))} {reason}")

        for column in ("title", "close_reason", "reference"):
            if contains_cpr(raw.get(column)):
                bad(column, "looks like a CPR number (NRS must never store one)")
        reference = raw.get("reference") or None
        cvr = raw.get("cvr", "")
        company = None
        if not cvr:
            bad("cvr", "is required")
        else:
            company = self.company(cvr)
            if company is None:
                bad("cvr", "is not a company known to NRS (import the company first)")
        if reference:
            key = reference
            if key in self.references:
                bad("reference", f"appears twice in the file (also line {self.references[key]})")
            else:
                self.references[key] = line
        title = " ".join(raw.get("title", "").split())
        if not title:
            bad("title", "is required")
        elif len(title) > 200:
            bad("title", "is longer than 200 characters")
        positions = 1
        if raw.get("positions"):
            try:
                positions = int(raw["positions"])
                if positions < 1:
                    raise ValueError
            except ValueError:
                bad("positions", "is not a whole number of at least 1")
        received = closed = None
        try:
            received = _date(raw.get("received", ""))
            if received > today():
                bad("received", "is in the future")
        except ValueError:
            bad("received", "is not a date (YYYY-MM-DD or DD-MM-YYYY)")
        lead = company.lead_centre_id if company else None
        if raw.get("lead_centre"):
            lead = self.centre(raw["lead_centre"])
            if lead is None:
                bad("lead_centre", "is not the municipality code of one of the nine centres")
        state = STATUSES.get(raw.get("status", "").lower())
        if state is None:
            bad("status", "is not open/åben, filled/besat or unfilled/ikke besat")
        if state in (JobOrderState.filled, JobOrderState.unfilled):
            if not raw.get("closed"):
                bad("closed", "is required when the status is filled or unfilled")
            else:
                try:
                    closed = _date(raw["closed"])
                    if received and closed < received:
                        bad("closed", "is before the received date")
                    elif closed > today():
                        bad("closed", "is in the future")
                except ValueError:
                    bad("closed", "is not a date (YYYY-MM-DD or DD-MM-YYYY)")
        elif state == JobOrderState.open and raw.get("closed"):
            bad("closed", "must be blank for an open order")
        hired_from = None
        if state == JobOrderState.filled:
            if not raw.get("hired_from"):
                bad("hired_from", "is required when the status is filled")
            else:
                hired_from = self.centre(raw["hired_from"])
                if hired_from is None:
                    bad("hired_from", "is not the municipality code of one of the nine centres")
        if company is not None and lead is None and not raw.get("lead_centre"):
            # A company outside the nine has no lead; the centre whose candidate got the job
            # evidently worked the order. Otherwise the file must say which centre leads it.
            if hired_from is not None:
                lead = hired_from
            elif state != JobOrderState.filled:
                bad("lead_centre", "is required: the company is outside the nine and has no lead centre")
        if problems:
            return None, problems
        return OrderRow(line=line, reference=reference, company=company, title=title, positions=positions,
                        received=received, lead_centre_id=lead, state=state, closed=closed,
                        hired_from_id=hired_from, close_reason=raw.get("close_reason", "")), []


def _existing(session: Session, row: OrderRow) -> JobOrder | None:
    stmt = select(JobOrder).where(JobOrder.company_id == row.company.id)
    if row.reference:
        stmt = stmt.where(JobOrder.reference == row.reference)
    else:
        # Without a reference the same company, title and received date are the same order.
        stmt = stmt.where(JobOrder.reference.is_(None), JobOrder.title == row.title,
                          JobOrder.received_on == row.received)
    return session.exec(stmt).first()


def _unfilled_reason(text: str) -> tuple[UnfilledReason, str]:
    text = " ".join((text or "").split())
    for reason in UnfilledReason:
        if reason != UnfilledReason.other and text.lower() == str(reason.label).lower():
            return reason, ""
    return UnfilledReason.other, text or NO_REASON


def write_row(session: Session, row: OrderRow, *, by) -> JobOrder:
    """The order and its history: received on ``received``, closed on ``closed``."""
    order = services.log_job_order(
        session, by=by, company=row.company, title=row.title, positions=row.positions, received_on=row.received,
        lead_centre_id=row.lead_centre_id, lead_reason="Ansvarligt jobcenter angivet i regnearket",
        reference=row.reference, channel="other",
    )
    if row.state == JobOrderState.filled:
        services.fill(session, order, by=by, expected_version=order.version, on_date=row.closed,
                      hires=[services.NewHire(centre_id=row.hired_from_id, hired_on=row.closed)],
                      reason="Importeret fra regneark")
    elif row.state == JobOrderState.unfilled:
        code, text = _unfilled_reason(row.close_reason)
        services.close_unfilled(session, order, by=by, expected_version=order.version, on_date=row.closed,
                                unfilled_reason=code, unfilled_reason_text=text)
    return order


def run_import(session: Session, data: bytes, *, filename: str = "", by=None, skip_invalid: bool = False
               ) -> ImportReport:
    """Read, check every row, then write all of them, the valid ones (``skip_invalid``), or none."""
    rows, unknown = read_rows(decode(data))
    report = ImportReport(rows_read=len(rows), unknown_columns=unknown)
    checker = _Checker(session)
    valid: list[OrderRow] = []
    for line, raw in rows:
        row, problems = checker.check(line, raw)
        if problems:
            report.invalid += 1
            report.problems.extend(problems)
        else:
            valid.append(row)
    if report.invalid and not skip_invalid:
        return report
    tally.lock_for_many(session)
    for row in valid:
        if _existing(session, row) is not None:
            report.unchanged += 1
            continue
        write_row(session, row, by=by)
        report.new += 1
    report.written = True
    record(session, by=by, entity="job_order_import", entity_id=(filename or "-")[-40:], action="import",
           changes={"rows_read": report.rows_read, "new": report.new, "unchanged": report.unchanged,
                    "invalid": report.invalid}, note=", ".join(unknown))
    session.flush()
    return report
