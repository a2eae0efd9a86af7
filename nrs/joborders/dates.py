"""Dates checked for sense, in one place: forms, the CLI and the import all ask here.

An order's received date lies between the day its lead centre joined NRS (``JobCentre.joined_on``,
2015-12-01 for the nine) and today in Copenhagen; a referral or a hire lies between the day the
order was received and today. Why: a date of 1990 or next year makes every figure as of a date
wrong, and nobody notices until the committee's report.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session

from nrs.clock import today
from nrs.errors import DomainError
from nrs.municipalities.models import JobCentre

#: The nine joined in December 2015; a centre added later gets its own date (admin or CLI).
DEFAULT_JOINED = date(2015, 12, 1)


def joined_on(session: Session, centre_id: int | None) -> date:
    """The day the centre began in NRS (the default when the centre is unknown: another check says so)."""
    if centre_id is None:
        return DEFAULT_JOINED
    found = session.execute(sa.select(JobCentre.joined_on).where(JobCentre.id == centre_id)).scalar_one_or_none()
    return found or DEFAULT_JOINED


def received_problem(session: Session, received_on: date, centre_id: int | None) -> str | None:
    """Why ``received_on`` is refused for an order led by ``centre_id``, in Danish, or None."""
    if received_on > today():
        return _("Modtagelsesdatoen kan ikke ligge i fremtiden.")
    joined = joined_on(session, centre_id)
    if received_on < joined:
        return _("Modtagelsesdatoen ligger før jobcentret kom med i NRS (%(d)s).", d=joined.strftime("%d-%m-%Y"))
    return None


def check_received(session: Session, received_on: date | None, centre_id: int | None,
                   field: str = "received_on") -> None:
    if received_on is None:
        raise DomainError(_("Modtagelsesdato skal udfyldes."), field=field)
    problem = received_problem(session, received_on, centre_id)
    if problem:
        raise DomainError(problem, field=field)


def after_receipt_problem(day: date, received_on: date, what: str) -> str | None:
    """Why a referral or hire dated ``day`` is refused on an order received ``received_on``, or None.
    ``what`` is "referral" or "hire"."""
    shown = received_on.strftime("%d-%m-%Y")
    if what == "referral":
        if day > today():
            return _("Henvisningsdatoen kan ikke ligge i fremtiden.")
        if day < received_on:
            return _("Henvisningsdatoen kan ikke ligge før jobordren blev modtaget (%(d)s).", d=shown)
        return None
    if day > today():
        return _("Ansættelsesdatoen kan ikke ligge i fremtiden.")
    if day < received_on:
        return _("Ansættelsesdatoen kan ikke ligge før jobordren blev modtaget (%(d)s).", d=shown)
    return None


def check_after_receipt(day: date, received_on: date, what: str, field: str) -> None:
    problem = after_receipt_problem(day, received_on, what)
    if problem:
        raise DomainError(problem, field=field)
