"""The exported target list, with outcomes filled in, read back (``nrs campaigns import-outcomes``).

The reading rules are every NRS import's (``nrs.importfile``): header required, names in English
or Danish, line numbers counting the header as line 1; XLSX (the export) or CSV. Rows whose
outcome cell is blank are left alone. Every row is checked before anything is written; one bad
row means nothing is written unless asked. Each written row is known again by a key (a digest of
the campaign, the CVR number and the row's outcome cells), so the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from sqlmodel import Session, select

from nrs import importfile
from nrs.activities import policy as activity_policy
from nrs.audit.services import record
from nrs.auth.models import User
from nrs.campaigns import policy, services
from nrs.campaigns.models import Campaign, CampaignTarget, OutcomeImport, TargetStatus
from nrs.campaigns.queries import EXPORT_HEADERS
from nrs.clock import local, utcnow
from nrs.companies.models import Company
from nrs.errors import DomainError
from nrs.importfile import (
    check_file_text,
    decode,
    is_xlsx,
    read_csv_rows,
    read_xlsx_rows,
    row_date,
    shown,
    text_cell_problem,
)

#: The export's own headers (``queries.EXPORT_HEADERS``) name the columns read back.
COLUMNS = {
    "cvr": ("cvr", "cvr-nummer", "cvrnr"),
    "outcome": ("outcome", "udfald"),
    "outcome_on": ("outcome_date", "udfaldsdato"),
    "follow_up": ("call_back_or_meeting", "ring igen / mødedato"),
    "note": ("outcome_note", "udfaldsnote"),
}
REQUIRED = ("cvr", "outcome")
#: The export's other columns: known (not reported as unknown) and not read.
_KNOWN = "_export"
_ALL_COLUMNS = {**COLUMNS, _KNOWN: tuple(
    h.lower() for h in EXPORT_HEADERS if h.lower() not in {a for names in COLUMNS.values() for a in names})}
#: Written as it stands in the export, e.g. "Ring igen / mødedato".
HEADERS = {"outcome": "Udfald", "outcome_on": "Udfaldsdato", "follow_up": "Ring igen / mødedato",
           "note": "Udfaldsnote"}
MAX_NOTE = 2000
#: Words a consultant may write for "Ikke truffet / ring igen" besides its label.
ALIASES = {"ikke truffet": TargetStatus.call_back, "ring igen": TargetStatus.call_back,
           "not reached": TargetStatus.call_back}


@dataclass
class ImportReport(importfile.ImportReport):
    #: Rows whose outcome cell was blank: left alone.
    blank: int = 0

    def summary(self) -> str:
        return (f"{self.rows_read} rows read, {self.new} outcomes recorded, {self.unchanged} already imported, "
                f"{self.blank} without an outcome, {self.invalid} invalid; unknown columns: {self.unknown_text()}")


def outcome_words() -> dict[str, TargetStatus]:
    """Each outcome by its value and its Danish and English label, lower case."""
    words = dict(ALIASES)
    for status in TargetStatus:
        if status == TargetStatus.not_contacted:
            continue
        words[status.value] = status
        for locale in ("da", "en"):
            with force_locale(locale):
                words[str(status.label).lower()] = status
    return words


def row_key(campaign_id: int, raw: dict) -> str:
    """The same row of the same file gives the same key (the cells as written, not as resolved)."""
    parts = [str(campaign_id)] + [" ".join(raw.get(c, "").split()).lower() for c in COLUMNS]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class OutcomeRow:
    line: int
    key: str
    target: CampaignTarget
    company: Company
    plan: services.CallPlan
    assignee: User | None


class _Checker:
    def __init__(self, session: Session, campaign: Campaign, *, by, today: date):
        self.session, self.campaign, self.by, self.today = session, campaign, by, today
        self.words = outcome_words()
        self.seen: dict[str, int] = {}

    def check(self, line: int, raw: dict) -> tuple[OutcomeRow | None, list[str]]:
        problems: list[str] = []

        def bad(column: str, reason: str) -> None:
            problems.append(f"line {line}: {column} {shown(raw.get(column, ''))} {reason}")

        for column, value in raw.items():
            reason = text_cell_problem(value, free_text=column == "note")
            if reason is None and column == "note" and len(value) > MAX_NOTE:
                reason = f"is longer than {MAX_NOTE} characters"
            if reason:
                bad(column, reason)
        if problems:
            return None, problems
        status = self.words.get(" ".join(raw["outcome"].split()).lower())
        if status is None:
            bad("outcome", "is not an outcome (" + ", ".join(sorted({str(s.label) for s in self.words.values()}))
                + ")")
        target, company = self._target(raw.get("cvr", ""), line, bad)
        dates = {}
        for column in ("outcome_on", "follow_up"):
            if raw.get(column):
                try:
                    dates[column] = row_date(raw[column])
                except ValueError:
                    bad(column, "is not a date (YYYY-MM-DD or DD-MM-YYYY)")
        if problems:
            return None, problems
        try:
            plan = services.plan_call(
                target, company, status=status, status_on=dates.get("outcome_on"), note=raw.get("note", ""),
                call_back_on=dates.get("follow_up"), meeting_on=dates.get("follow_up"), today=self.today,
                confirmed_backwards=True)  # written in the file on purpose
        except DomainError as exc:
            column = {"status_on": "outcome_on", "call_back_on": "follow_up", "meeting_on": "follow_up"}.get(
                exc.field or "", "outcome")
            bad(column, f"is refused: {exc.message}")
            return None, problems
        assignee = self._assignee(plan, company, line, bad)
        if problems:
            return None, problems
        return OutcomeRow(line=line, key=row_key(self.campaign.id, raw), target=target, company=company, plan=plan,
                          assignee=assignee), []

    def _target(self, cvr: str, line: int, bad) -> tuple[CampaignTarget | None, Company | None]:
        cvr = cvr.strip()
        if not cvr:
            bad("cvr", "is required")
            return None, None
        if cvr in self.seen:
            bad("cvr", f"appears twice in the file (also line {self.seen[cvr]})")
            return None, None
        self.seen[cvr] = line
        found = self.session.exec(
            select(CampaignTarget, Company).join(Company, Company.id == CampaignTarget.company_id)
            .where(CampaignTarget.campaign_id == self.campaign.id, Company.cvr == cvr)).first()
        if found is None:
            bad("cvr", "is not on this campaign's list")
            return None, None
        target, company = found
        if target.removed_by_hand:
            bad("cvr", "was taken off the list by hand")
        elif target.lead_centre_id is None:
            bad("cvr", "has no lead centre yet (a coordinator assigns one first)")
        elif not policy.may_work_target(self.by, target):
            bad("cvr", "is on another centre's part of the list")
        return target, company

    def _assignee(self, plan: services.CallPlan, company: Company, line: int, bad) -> User | None:
        """A call-back or meeting task goes to the importer, else to the company's NRS contact person."""
        if plan.follow_up is None or self.by is not None:
            return self.by
        user = self.session.get(User, company.contact_user_id) if company.contact_user_id else None
        if user is None or not activity_policy.may_be_assigned(user, company):
            bad("follow_up", "needs someone to hold the task: import as a user (--by) or give the company an "
                "NRS contact person of its lead centre")
            return None
        return user


def read_rows(data: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    if is_xlsx(data):
        rows, unknown = read_xlsx_rows(data, _ALL_COLUMNS, REQUIRED)
    else:
        rows, unknown = read_csv_rows(decode(data), _ALL_COLUMNS, REQUIRED)
    return [(line, {c: v.strip() for c, v in values.items() if c != _KNOWN}) for line, values in rows], unknown


def run_import(session: Session, campaign: Campaign, data: bytes, *, filename: str = "", by=None,
               skip_invalid: bool = False, now: datetime | None = None) -> ImportReport:
    """Read, check every row with an outcome, then write all of them, the valid ones (``skip_invalid``), or none."""
    now = now or utcnow()
    # One import of a campaign at a time: on PostgreSQL a second upload of the same file waits here,
    # then finds every row already imported (on SQLite the caller holds the write lock).
    session.refresh(campaign, with_for_update=True)
    rows, unknown = read_rows(data)
    check_file_text(filename, unknown)
    report = ImportReport(rows_read=len(rows), unknown_columns=unknown)
    checker = _Checker(session, campaign, by=by, today=local(now).date())
    done = set(session.exec(select(OutcomeImport.key).where(OutcomeImport.campaign_id == campaign.id)))
    valid: list[OutcomeRow] = []
    for line, raw in rows:
        if not raw.get("outcome"):
            report.blank += 1
            continue
        if row_key(campaign.id, raw) in done:
            report.unchanged += 1
            continue
        row, problems = checker.check(line, raw)
        if problems:
            report.invalid += 1
            report.problems.extend(problems)
        else:
            valid.append(row)
    if report.invalid and not skip_invalid:
        return report
    for row in valid:
        activity = services.apply_call(session, row.target, row.company, row.plan, by=by, assignee=row.assignee,
                                       version=row.target.version, now=now)
        session.add(OutcomeImport(key=row.key, campaign_id=campaign.id, target_id=row.target.id,
                                  activity_id=activity.id, line=row.line, imported_at=now,
                                  by_id=getattr(by, "id", None)))
        report.new += 1
    report.written = True
    record(session, by=by, entity="campaign", entity_id=campaign.id, action="import_outcomes",
           changes={"rows_read": report.rows_read, "new": report.new, "unchanged": report.unchanged,
                    "blank": report.blank, "invalid": report.invalid},
           note=f"{(filename or '-')[-80:]} {', '.join(unknown)}".strip())
    session.flush()
    return report
