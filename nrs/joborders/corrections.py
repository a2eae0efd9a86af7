"""Corrections of what was registered in error: a cancelled order, a withdrawn referral.

Why not delete: the history must show what was registered and who took it back. So a cancelled
order keeps its events and hires but counts in no figure on any date (``counted_order``, asked by
every query that counts orders: the status as of a date, the tally, the month snapshots and the
period report); restoring it makes it count again, with its history as it was. A withdrawn
referral stays on the order, marked, and is no longer counted as a referral (``counted_referral``).
Who may: a coordinator of the order's lead centre cancels and restores (``policy.may_cancel``); the
referring centre withdraws its own referral (``policy.may_withdraw_referral``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session

from nrs.audit.services import record
from nrs.clock import today, utcnow
from nrs.errors import DomainError
from nrs.forms import contains_cpr
from nrs.joborders import policy, tally
from nrs.joborders.models import HelpRequest, JobOrder, Referral, ReferralOutcome, counted_order
from nrs.locking import check, saving

__all__ = ["cancel_order", "counted_order", "counted_referral", "ensure_not_cancelled", "restore_order", "withdraw_referral"]


def counted_referral():
    """``Referral`` counts as a referral: not withdrawn."""
    return Referral.withdrawn_on.is_(None)


def ensure_not_cancelled(order: JobOrder) -> None:
    """A cancelled order is read-only until it is restored."""
    if order.cancelled_on is not None:
        raise DomainError(_("Jobordren er annulleret. Den skal gendannes, før den kan ændres."))


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Skriv en begrundelse."), field=field)
    if len(reason) > 1000:
        raise DomainError(_("Begrundelsen må højst være 1000 tegn."), field=field)
    if contains_cpr(reason):
        raise DomainError(
            _("Feltet ligner et CPR-nummer. NRS må ikke gemme CPR-numre; brug jobcentrets sagsnummer."), field=field)
    return reason


def cancel_order(session: Session, order: JobOrder, *, by, expected_version: int, reason: str) -> None:
    """Cancel an order registered in error: kept with its history, counted in no figure from the day it was received."""
    policy.ensure_may_cancel(by, order)
    check(session, order, expected_version)
    if order.cancelled_on is not None:
        raise DomainError(_("Jobordren er allerede annulleret."))
    reason = _reason(reason)
    before = tally.contribution(session, order.id)
    with saving(session, order):
        order.cancelled_on, order.cancel_reason = today(), reason
        order.updated_at, order.updated_by_id = utcnow(), getattr(by, "id", by)
    session.flush()
    tally.record_change(session, before, tally.contribution(session, order.id))
    # An order nobody works on asks nobody for help.
    session.execute(sa.update(HelpRequest)
                    .where(HelpRequest.job_order_id == order.id, HelpRequest.resolved.is_(False))
                    .values(resolved=True).execution_options(synchronize_session=False))
    record(session, by=by, entity="job_order", entity_id=order.id, action="cancel",
           changes={"cancelled_on": [None, order.cancelled_on]}, note=reason)
    session.flush()


def restore_order(session: Session, order: JobOrder, *, by, expected_version: int, reason: str) -> None:
    """Undo a cancellation: the order counts again, with its history as it was."""
    policy.ensure_may_cancel(by, order)
    check(session, order, expected_version)
    if order.cancelled_on is None:
        raise DomainError(_("Jobordren er ikke annulleret."))
    reason = _reason(reason)
    before = tally.contribution(session, order.id)
    was = order.cancelled_on
    with saving(session, order):
        order.cancelled_on, order.cancel_reason = None, ""
        order.updated_at, order.updated_by_id = utcnow(), getattr(by, "id", by)
    session.flush()
    tally.record_change(session, before, tally.contribution(session, order.id))
    record(session, by=by, entity="job_order", entity_id=order.id, action="restore",
           changes={"cancelled_on": [was, None]}, note=reason)
    session.flush()


def withdraw_referral(session: Session, referral: Referral, *, by, reason: str) -> None:
    """The referring centre takes back a referral registered in error; the order's history keeps it.

    A referral whose candidate was hired is part of the order's fill: reopen the order first.
    """
    order = session.get(JobOrder, referral.job_order_id)
    policy.ensure_may_withdraw_referral(by, referral)
    if referral.withdrawn_on is not None:
        raise DomainError(_("Henvisningen er allerede trukket tilbage."))
    if ReferralOutcome(referral.outcome) == ReferralOutcome.hired and order.is_closed:
        raise DomainError(_("Kandidaten er ansat på jobordren; genåbn jobordren, før henvisningen trækkes tilbage."))
    reason = _reason(reason)
    referral.withdrawn_on, referral.withdrawn_reason = today(), reason
    referral.updated_at = utcnow()
    record(session, by=by, entity="referral", entity_id=referral.id, action="withdraw",
           changes={"withdrawn_on": [None, referral.withdrawn_on]}, note=reason)
    session.flush()
