"""Reading the job-order spreadsheet used before NRS (``docs/import-formats/job-orders-csv.md``).

Reading rules are the company file's: header required, names in English or Danish matched
case-insensitively, ``;`` or ``,``, UTF-8 or Windows-1252, blank lines skipped, line numbers
counting the header as line 1. Every row is checked before anything is written; by default one
invalid row means nothing is written. An order is known again by its reference and CVR number,
so importing the same file twice creates nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from nrs import importfile
from nrs.audit.services import record
from nrs.clock import today
from nrs.companies.models import Company
from nrs.errors import DomainError
from nrs.importfile import (
    check_file_text,
    decode,
    read_csv_rows,
    row_date,
    shown,
    text_cell_problem,
)
from nrs.joborders import dates, jobnet, services, tally
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
    "jobnet_number": ("jobnet_number", "jobnet", "dfdg"),
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
    #: One centre id per hire (a filled order); positions beyond them end as ``other``.
    hired_from_ids: list[int]
    close_reason: str
    jobnet_number: str | None = None


def read_rows(text: str) -> tuple[list[tuple[int, dict]], list[str]]:
    """``(line number, {column: trimmed text})`` per non-blank row, and the unknown header names."""
    rows, unknown = read_csv_rows(text, COLUMNS, REQUIRED)
    return [(line, {c: v.strip() for c, v in values.items()}) for line, values in rows], unknown


#: Columns stored as free text (the CPR rule applies); every column is checked for control characters.
FREE_TEXT = ("reference", "title", "close_reason")
#: What the database holds: the largest integer column value, the longest texts.
MAX_POSITIONS = 2**31 - 1
MAX_LENGTH = {"reference": 40, "title": 200, "close_reason": 500}


class _Row:
    """One row being checked: its cells, and each problem as ``line N: column value reason``."""

    def __init__(self, line: int, raw: dict):
        self.line = line
        self.raw = raw
        self.problems: list[str] = []
        #: Columns whose cell the stored-text rule refused: blanked, and not reported again.
        self.refused: set[str] = set()

    def bad(self, column: str, reason: str) -> None:
        self.problems.append(f"line {self.line}: {column} {shown(self.raw.get(column, ''))} {reason}")

    def get(self, column: str) -> str:
        return self.raw.get(column, "")


class _Checker:
    def __init__(self, session: Session):
        self.session = session
        self.centres = {c.municipality_code: c.id for c in session.exec(select(JobCentre))}
        self.companies: dict[str, Company | None] = {}
        self.references: dict[str, int] = {}
        self.jobnet_numbers: dict[str, int] = {}

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
        row = _Row(line, dict(raw))
        _check_text(row)
        company = self._company(row)
        reference = self._reference(row)
        title = _title(row)
        positions = _positions(row)
        received = _received(row)
        state = _state(row)
        closed = _closed(row, state, received)
        hired_from = self._hired_from(row, state, positions)
        lead = self._lead(row, company, state, hired_from[0] if hired_from else None)
        self._joined(row, received, lead)
        jobnet_number = self._jobnet(row)
        if row.problems:
            return None, row.problems
        return OrderRow(line=line, reference=reference, company=company, title=title, positions=positions,
                        received=received, lead_centre_id=lead, state=state, closed=closed,
                        hired_from_ids=hired_from, close_reason=row.get("close_reason"),
                        jobnet_number=jobnet_number), []

    def _joined(self, row: _Row, received: date | None, lead: int | None) -> None:
        """The date rule of ``nrs.joborders.dates``: not before the lead centre joined NRS."""
        if received is not None and lead is not None:
            joined = dates.joined_on(self.session, lead)
            if received < joined:
                row.bad("received", f"is before the lead centre joined NRS ({joined.isoformat()})")

    def _jobnet(self, row: _Row) -> str | None:
        number = row.get("jobnet_number") or None
        if number is None:
            return None
        if number in self.jobnet_numbers:
            row.bad("jobnet_number", f"appears twice in the file (also line {self.jobnet_numbers[number]})")
            return None
        self.jobnet_numbers[number] = row.line
        try:
            return jobnet.clean_jobnet_number(self.session, number)
        except DomainError:
            row.bad("jobnet_number", "is not a Jobnet/DFDG number (letters, digits, - and /) or is already used")
            return None

    def _company(self, row: _Row) -> Company | None:
        cvr = row.get("cvr")
        if not cvr:
            if not _refused(row, "cvr"):
                row.bad("cvr", "is required")
            return None
        company = self.company(cvr)
        if company is None:
            row.bad("cvr", "is not a company known to NRS (import the company first)")
        return company

    def _reference(self, row: _Row) -> str | None:
        reference = row.get("reference") or None
        if reference:
            if reference in self.references:
                row.bad("reference", f"appears twice in the file (also line {self.references[reference]})")
            else:
                self.references[reference] = row.line
        return reference

    def _hired_from(self, row: _Row, state: JobOrderState | None, positions: int) -> list[int]:
        """The centres whose candidates were hired: codes separated by "," (one per hire, at most positions)."""
        if state != JobOrderState.filled:
            return []
        codes = [c.strip() for c in (row.get("hired_from") or "").split(",")]
        if not any(codes):
            row.bad("hired_from", "is required when the status is filled")
            return []
        if not all(codes):
            row.bad("hired_from", "has an empty centre code between the commas")
            return []
        if positions and len(codes) > positions:
            row.bad("hired_from", f"lists {len(codes)} hires but the order has {positions} positions")
            return []
        centres = [self.centre(code) for code in codes]
        if None in centres:
            row.bad("hired_from", "is not the municipality code of one of the nine centres")
            return []
        return centres

    def _lead(self, row: _Row, company: Company | None, state, hired_from: int | None) -> int | None:
        if row.get("lead_centre"):
            lead = self.centre(row.get("lead_centre"))
            if lead is None:
                row.bad("lead_centre", "is not the municipality code of one of the nine centres")
            return lead
        lead = company.lead_centre_id if company else None
        if company is not None and lead is None:
            # A company outside the nine has no lead; the centre whose candidate got the job
            # evidently worked the order. Otherwise the file must say which centre leads it.
            if hired_from is not None:
                return hired_from
            if state != JobOrderState.filled:
                row.bad("lead_centre", "is required: the company is outside the nine and has no lead centre")
        return lead


def _check_text(row: _Row) -> None:
    """The stored-text rule on every cell; a cell it refuses is not looked at further."""
    for column, value in list(row.raw.items()):
        reason = text_cell_problem(value, free_text=column in FREE_TEXT)
        if reason is None and len(value) > MAX_LENGTH.get(column, len(value)):
            reason = f"is longer than {MAX_LENGTH[column]} characters"
        if reason:
            row.bad(column, reason)
            row.raw[column] = ""
            row.refused.add(column)


def _refused(row: _Row, column: str) -> bool:
    return column in row.refused


def _title(row: _Row) -> str:
    title = " ".join(row.get("title").split())
    if not title and not _refused(row, "title"):
        row.bad("title", "is required")
    return title


def _positions(row: _Row) -> int:
    if not row.get("positions"):
        return 1
    try:
        positions = int(row.get("positions"))
    except ValueError:
        positions = 0
    if 1 <= positions <= MAX_POSITIONS:
        return positions
    if not _refused(row, "positions"):
        row.bad("positions", f"is not a whole number from 1 to {MAX_POSITIONS}")
    return 1


def _received(row: _Row) -> date | None:
    try:
        received = row_date(row.get("received"))
    except ValueError:
        if not _refused(row, "received"):
            row.bad("received", "is not a date (YYYY-MM-DD or DD-MM-YYYY)")
        return None
    if received > today():
        row.bad("received", "is in the future")
    return received


def _state(row: _Row) -> JobOrderState | None:
    state = STATUSES.get(row.get("status").lower())
    if state is None and not _refused(row, "status"):
        row.bad("status", "is not open/åben, filled/besat or unfilled/ikke besat")
    return state


def _closed(row: _Row, state: JobOrderState | None, received: date | None) -> date | None:
    if state == JobOrderState.open and row.get("closed"):
        row.bad("closed", "must be blank for an open order")
    if state not in (JobOrderState.filled, JobOrderState.unfilled):
        return None
    if not row.get("closed"):
        if not _refused(row, "closed"):
            row.bad("closed", "is required when the status is filled or unfilled")
        return None
    try:
        closed = row_date(row.get("closed"))
    except ValueError:
        row.bad("closed", "is not a date (YYYY-MM-DD or DD-MM-YYYY)")
        return None
    if received and closed < received:
        row.bad("closed", "is before the received date")
    elif closed > today():
        row.bad("closed", "is in the future")
    return closed


def _existing(session: Session, row: OrderRow) -> JobOrder | None:
    stmt = select(JobOrder).where(JobOrder.company_id == row.company.id)
    if row.reference:
        stmt = stmt.where(JobOrder.reference == row.reference)
    else:
        # Without a reference the same company, title and received date are the same order.
        stmt = stmt.where(JobOrder.reference.is_(None), JobOrder.title == row.title,
                          JobOrder.received_on == row.received)
    return session.exec(stmt).first()


#: A position not hired on an imported filled order (issue 14: it is "other").
NOT_HIRED = "Ikke besat via NRS (importeret)"


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
        reference=row.reference, channel="other", jobnet_number=row.jobnet_number,
    )
    if row.state == JobOrderState.filled:
        rest = row.positions - len(row.hired_from_ids)
        services.fill(session, order, by=by, expected_version=order.version, on_date=row.closed,
                      hires=[services.NewHire(centre_id=c, hired_on=row.closed) for c in row.hired_from_ids],
                      reason="Importeret fra regneark",
                      remaining=services.NewOutcome("unfilled", unfilled_reason="other", text=NOT_HIRED) if rest else None)
    elif row.state == JobOrderState.unfilled:
        code, text = _unfilled_reason(row.close_reason)
        services.close_unfilled(session, order, by=by, expected_version=order.version, on_date=row.closed,
                                unfilled_reason=code, unfilled_reason_text=text)
    return order


def run_import(session: Session, data: bytes, *, filename: str = "", by=None, skip_invalid: bool = False
               ) -> ImportReport:
    """Read, check every row, then write all of them, the valid ones (``skip_invalid``), or none."""
    rows, unknown = read_rows(decode(data))
    check_file_text(filename, unknown)
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
