"""Referral deadlines (frist): marked while open, closed by the system some days after.

An order is *past its deadline* when it is open or paused, not cancelled, and its deadline lies
before today: the list, the order page, the front page and the weekly e-mail mark it
(``is_past_deadline``, ``past_deadline``). Once a day ``close_past_deadline`` closes the orders
past their deadline by more than ``NRS_DEADLINE_CLOSE_DAYS`` days (default 14; 0 turns it off)
as unfilled with the reason "deadline passed", by the system (no user), through the state
machine like any close, so the tally and the history stay right; running it twice closes nothing
more. The lead centre's coordinators get one e-mail per closed order, through the outbox.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.auth.models import Role, User
from nrs.clock import local, today
from nrs.config import Settings
from nrs.errors import DomainError
from nrs.joborders import services
from nrs.joborders.models import JobOrder, UnfilledReason, counted_order
from nrs.joborders.states import JobOrderState
from nrs.mail.services import enqueue

_OPEN = (JobOrderState.open.value, JobOrderState.paused.value)


def past_deadline_condition(day: date):
    """``JobOrder`` is past its deadline at ``day``: still open or paused, counted, deadline before the day.
    The states are written into the SQL (not bound) so that SQLite can match the partial index."""
    states = sa.bindparam("open_states", list(_OPEN), expanding=True, literal_execute=True)
    return sa.and_(JobOrder.state.in_(states), counted_order(), JobOrder.deadline_on.is_not(None),
                   JobOrder.deadline_on < day)


def is_past_deadline(order: JobOrder, day: date | None = None) -> bool:
    """The same rule on one loaded order (the list's and the page's mark)."""
    day = day or today()
    return (JobOrderState(order.state).value in _OPEN and order.cancelled_on is None
            and order.deadline_on is not None and order.deadline_on < day)


def past_deadline(session: Session, centre, today: date, *, limit: int | None = None) -> list[JobOrder]:
    """The orders led by ``centre`` (a JobCentre, an id, or None for all) past their deadline, oldest
    deadline first; the first ``limit`` of them when given (a panel shows five and the count)."""
    centre_id = getattr(centre, "id", centre)
    stmt = select(JobOrder).where(past_deadline_condition(today))
    if centre_id is not None:
        stmt = stmt.where(JobOrder.lead_centre_id == centre_id)
    return list(session.exec(stmt.order_by(JobOrder.deadline_on, JobOrder.id).limit(limit)))


def count_past_deadline(session: Session, centre_id: int | None, day: date) -> int:
    stmt = sa.select(sa.func.count()).select_from(JobOrder).where(past_deadline_condition(day))
    if centre_id is not None:
        stmt = stmt.where(JobOrder.lead_centre_id == centre_id)
    return session.execute(stmt).scalar_one()


def close_past_deadline(session: Session, *, now: datetime, settings: Settings) -> int:
    """The daily job: close orders past their deadline by more than N days as unfilled; returns how many."""
    days = settings.deadline_close_days
    if not days:
        return 0
    day = min(local(now).date(), today())
    orders = session.exec(select(JobOrder).where(past_deadline_condition(day - timedelta(days=days)))
                          .order_by(JobOrder.id)).all()
    closed = 0
    for order in orders:
        try:  # the services check everything before they write: a refusal leaves the order untouched
            _close(session, order, on_date=day)
        except DomainError:
            continue  # e.g. a step dated after today: left for a person to look at
        _tell_lead(session, order, days=days)
        closed += 1
    session.flush()
    return closed


def _close(session: Session, order: JobOrder, *, on_date: date) -> None:
    services.close_unfilled(session, order, by=None, expected_version=order.version, on_date=on_date,
                            unfilled_reason=UnfilledReason.deadline_passed)


def _tell_lead(session: Session, order: JobOrder, *, days: int) -> None:
    recipients = session.exec(select(User.email).where(User.job_centre_id == order.lead_centre_id,
                                                       User.role == Role.coordinator, User.active.is_(True))
                              .order_by(User.email)).all()
    subject = _("NRS: jobordre %(id)s lukket, fristen udløb", id=order.id)
    text = _("Jobordre %(id)s \"%(title)s\" havde frist %(d)s og er nu lukket som ikke besat (fristen udløb "
             "for mere end %(n)d dage siden). Genåbn den i NRS, hvis den stadig er aktuel.",
             id=order.id, title=order.title, d=order.deadline_on.strftime("%d-%m-%Y"), n=days)
    for email in recipients:
        enqueue(session, key=f"deadline_closed:{order.id}:{order.closed_on.isoformat()}:{email}", to=email,
                subject=subject, text=text)
