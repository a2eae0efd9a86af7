"""Read side of enquiries: the centres' queues with the response goal, lists, and the figures.

The response goal is one place: ``due_on`` (first response by the end of the n-th Danish working
day after the day it came in; ``enquiry_response_working_days``, default 1).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.auth.models import User
from nrs.clock import COPENHAGEN, local
from nrs.clock import today as clock_today
from nrs.companies.models import Company
from nrs.enquiries.models import OPEN_STATES, Enquiry, EnquiryAttachment, EnquiryChannel
from nrs.municipalities.models import JobCentre
from nrs.workdays import add_working_days

#: The queue of enquiries without a lead centre (``?centre=coordinators``).
COORDINATORS = "coordinators"


def due_on(received_at: datetime, working_days: int) -> date:
    """The last day the first response meets the goal."""
    return add_working_days(local(received_at).date(), working_days)


def is_overdue(enquiry: Enquiry, *, today: date, working_days: int) -> bool:
    return enquiry.first_response_at is None and today > due_on(enquiry.received_at, working_days)


def within_goal(enquiry: Enquiry, working_days: int) -> bool:
    return (enquiry.first_response_at is not None
            and local(enquiry.first_response_at).date() <= due_on(enquiry.received_at, working_days))


@dataclass(frozen=True)
class EnquiryRow:
    enquiry: Enquiry
    company: Company | None
    centre: JobCentre | None
    taken_by: User | None
    due: date
    overdue: bool

    @property
    def name(self) -> str:
        if self.company is not None:
            return self.company.name
        return self.enquiry.prospect_name or self.enquiry.prospect_cvr


def _rows_stmt():
    taken = sa.orm.aliased(User)
    return (select(Enquiry, Company, JobCentre, taken)
            .join(Company, Company.id == Enquiry.company_id, isouter=True)
            .join(JobCentre, JobCentre.id == Enquiry.lead_centre_id, isouter=True)
            .join(taken, taken.id == Enquiry.taken_by_id, isouter=True))


def to_rows(rows, *, today: date, working_days: int) -> list[EnquiryRow]:
    return [EnquiryRow(e, c, j, u, due_on(e.received_at, working_days),
                       is_overdue(e, today=today, working_days=working_days) and e.status in OPEN_STATES)
            for e, c, j, u in rows]


def queue(session: Session, centre_id: int | None, *, today: date, working_days: int) -> list[EnquiryRow]:
    """A centre's new and taken enquiries, oldest first (``centre_id`` None: the coordinators' queue)."""
    where = Enquiry.lead_centre_id.is_(None) if centre_id is None else Enquiry.lead_centre_id == centre_id
    stmt = _rows_stmt().where(where, Enquiry.status.in_(OPEN_STATES)).order_by(Enquiry.received_at, Enquiry.id)
    return to_rows(session.exec(stmt).all(), today=today, working_days=working_days)


def listing(session: Session, *, centre_code: int | None = None, limit: int = 1000) -> list[dict]:
    """Enquiries newest first as plain values (``nrs enquiries list``)."""
    stmt = (select(Enquiry, Company.cvr, JobCentre.municipality_code)
            .join(Company, Company.id == Enquiry.company_id, isouter=True)
            .join(JobCentre, JobCentre.id == Enquiry.lead_centre_id, isouter=True))
    if centre_code is not None:
        stmt = stmt.where(JobCentre.municipality_code == centre_code)
    stmt = stmt.order_by(Enquiry.received_at.desc(), Enquiry.id.desc()).limit(limit)
    return [{"id": e.id, "channel": e.channel.value, "subject": e.subject.value, "status": e.status.value,
             "company_cvr": cvr or (e.prospect_cvr or None), "company_name": e.prospect_name or None,
             "lead_centre_code": code, "received_at": e.received_at.isoformat(),
             "job_order_id": e.job_order_id, "agreement_id": e.agreement_id, "cpr_masked": e.cpr_masked}
            for e, cvr, code in session.exec(stmt).all()]


def for_company(session: Session, company_id: int, *, today: date | None = None,
                working_days: int = 1) -> list[EnquiryRow]:
    """The company's enquiries, newest first (the company page)."""
    stmt = _rows_stmt().where(Enquiry.company_id == company_id).order_by(
        Enquiry.received_at.desc(), Enquiry.id.desc()).limit(50)
    return to_rows(session.exec(stmt).all(), today=today or clock_today(), working_days=working_days)


def for_order(session: Session, order_id: int) -> list[Enquiry]:
    """The enquiries a job order was made from (the order page links back)."""
    return list(session.exec(select(Enquiry).where(Enquiry.job_order_id == order_id)))


def for_activity(session: Session, activity_id: int) -> list[Enquiry]:
    """The enquiries an activity was made from (the activity's page links back)."""
    return list(session.exec(select(Enquiry).where(Enquiry.activity_id == activity_id)))


def attachments(session: Session, enquiry_id: int) -> list[EnquiryAttachment]:
    return list(session.exec(select(EnquiryAttachment).where(EnquiryAttachment.enquiry_id == enquiry_id)
                             .order_by(EnquiryAttachment.id)))


@dataclass(frozen=True)
class Figures:
    """Enquiries received in a period: counts, the share that met the response goal, the median wait."""

    total: int
    by_channel: dict[str, int]
    by_subject: dict[str, int]
    #: centre municipality code (None: the coordinators' queue) -> count
    by_centre: dict[int | None, int]
    #: of the enquiries whose goal has passed or that have had a response: how many met the goal
    goal_met: int
    goal_due: int
    median_hours_to_first_response: float | None

    @property
    def share_within_goal(self) -> float | None:
        return self.goal_met / self.goal_due if self.goal_due else None


def figures(session: Session, *, start: date, end: date, today: date, working_days: int,
            centre_id: int | None = None) -> Figures:
    """The figures for enquiries received on ``start`` … ``end`` (inclusive, Danish dates).

    The one computation for the reports page and the weekly e-mail.
    """
    stmt = _received_stmt(start, end)
    if centre_id is not None:
        stmt = stmt.where(Enquiry.lead_centre_id == centre_id)
    return _figures_of(session.exec(stmt).all(), today=today, working_days=working_days)


def figures_by_centre(session: Session, *, start: date, end: date, today: date,
                      working_days: int) -> dict[int | None, Figures]:
    """``figures`` per lead centre id in one query, and for all of NRS under the key None (the
    coordinators' queue counts only there)."""
    rows = session.exec(_received_stmt(start, end)).all()
    out: dict[int | None, Figures] = {None: _figures_of(rows, today=today, working_days=working_days)}
    for centre_id in {e.lead_centre_id for e, _c in rows} - {None}:
        out[centre_id] = _figures_of([r for r in rows if r[0].lead_centre_id == centre_id], today=today,
                                     working_days=working_days)
    return out


def waiting_at(session: Session, at: datetime) -> dict[int | None, int]:
    """Enquiries that came in before ``at`` and had no first response and were not closed by then,
    per lead centre id (None: the coordinators' queue), with the total under ``"all"``."""
    responded = sa.and_(Enquiry.first_response_at.is_not(None), Enquiry.first_response_at < at)
    closed = sa.and_(Enquiry.closed_at.is_not(None), Enquiry.closed_at < at)
    counts = dict(session.execute(
        sa.select(Enquiry.lead_centre_id, sa.func.count())
        .where(Enquiry.received_at < at, sa.not_(responded), sa.not_(closed))
        .group_by(Enquiry.lead_centre_id)).all())
    counts["all"] = sum(counts.values())
    return counts


def _received_stmt(start: date, end: date):
    return (select(Enquiry, JobCentre.municipality_code)
            .join(JobCentre, JobCentre.id == Enquiry.lead_centre_id, isouter=True)
            .where(Enquiry.received_at >= _day_start(start), Enquiry.received_at < _day_start(end, 1)))


def _figures_of(rows, *, today: date, working_days: int) -> Figures:
    met = due = 0
    hours = []
    for e, _code in rows:
        if e.first_response_at is not None:
            hours.append((e.first_response_at - e.received_at).total_seconds() / 3600)
        if e.first_response_at is not None or today > due_on(e.received_at, working_days):
            due += 1
            met += within_goal(e, working_days)
    return Figures(
        total=len(rows),
        by_channel=dict(Counter(e.channel.value for e, _c in rows)),
        by_subject=dict(Counter(e.subject.value for e, _c in rows)),
        by_centre=dict(Counter(code for _e, code in rows)),
        goal_met=met, goal_due=due,
        median_hours_to_first_response=round(statistics.median(hours), 1) if hours else None,
    )


def _day_start(day: date, plus_days: int = 0) -> datetime:
    """Midnight in Copenhagen at the start of ``day`` (+ ``plus_days``), in UTC."""
    day = day + timedelta(days=plus_days)
    return datetime(day.year, day.month, day.day, tzinfo=COPENHAGEN).astimezone(UTC)


def summary_lines(f: Figures, waiting: int) -> list[str]:
    """The enquiry figures as lines for the coordinators' weekly e-mail, in the reader's language:
    received by channel, answered within the goal, still waiting for a first response."""
    channels = ", ".join(f"{EnquiryChannel(c).label} {n}" for c, n in sorted(
        f.by_channel.items(), key=lambda item: [ch.value for ch in EnquiryChannel].index(item[0])))
    lines = [_("Henvendelser modtaget i ugen: %(n)d", n=f.total) + (f" ({channels})" if channels else "")]
    if f.share_within_goal is not None:
        lines.append(_("Besvaret inden for målet: %(p)d %% (%(met)d af %(due)d)",
                       p=round(f.share_within_goal * 100), met=f.goal_met, due=f.goal_due))
    if f.median_hours_to_first_response is not None:
        lines.append(_("Median tid til første svar: %(h)s timer",
                       h=format_decimal(f.median_hours_to_first_response, locale=get_locale())))
    lines.append(_("Venter stadig på første svar ved ugens slutning: %(n)d", n=waiting))
    return lines
