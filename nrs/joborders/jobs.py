"""Scheduled work for job orders: ask the other centres for help when an order stands still; check the tally."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session

from nrs.clock import local
from nrs.config import Settings
from nrs.joborders import services, tally
from nrs.joborders.models import HelpRequest, JobOrder, JobOrderEvent, Referral
from nrs.joborders.states import JobOrderState
from nrs.workdays import working_days_between


def request_help_for_idle_orders(session: Session, *, now: datetime, settings: Settings) -> int:
    """Every open order without a referral for N working days asks the other centres for help.

    Idle since the later of: received, the last referral, the last return to open. An order
    that already has an unanswered help request is left alone, so running this twice asks once.
    Returns how many orders asked. N is ``settings.help_request_working_days``.
    """
    days = settings.help_request_working_days
    today = local(now).date() if now.tzinfo else now.date()
    last_referral = (
        sa.select(Referral.job_order_id, sa.func.max(Referral.referred_on).label("d"))
        .group_by(Referral.job_order_id).subquery()
    )
    last_open = (
        sa.select(JobOrderEvent.job_order_id, sa.func.max(JobOrderEvent.on_date).label("d"))
        .where(JobOrderEvent.to_state == JobOrderState.open)
        .group_by(JobOrderEvent.job_order_id).subquery()
    )
    pending = sa.select(HelpRequest.id).where(
        HelpRequest.job_order_id == JobOrder.id, HelpRequest.resolved.is_(False)
    ).exists()
    rows = session.execute(
        sa.select(JobOrder.id, JobOrder.received_on, last_referral.c.d, last_open.c.d)
        .outerjoin(last_referral, last_referral.c.job_order_id == JobOrder.id)
        .outerjoin(last_open, last_open.c.job_order_id == JobOrder.id)
        .where(JobOrder.state == JobOrderState.open, ~pending)
        .order_by(JobOrder.id)
    ).all()
    idle = [
        order_id for order_id, received, referred, reopened in rows
        if working_days_between(max(d for d in (received, referred, reopened) if d is not None), today) >= days
    ]
    return services.ask_automatically(
        session, idle,
        message=_("Ingen henvisninger i %(n)d arbejdsdage: alle jobcentre bedes henvise kandidater.", n=days),
    )


def check_tally(session: Session, *, now: datetime, settings: Settings) -> int:
    """Nightly: today's running counts against a recount from the orders, repaired if they drifted."""
    return tally.repair(session)
