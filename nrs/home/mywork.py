""""Mit arbejde": the front page starts with the user's own work, the figures follow below.

A consultant sees their tasks due today or overdue, the open orders where they are the NRS
contact (days open, days since the last referral), and the help requests other centres sent
their centre. A coordinator sees the same for the whole centre, with who holds what. A fixed
number of queries, however much work there is (tests/test_query_counts.py).

Two hooks for work other domains will bring, each a tuple of
``fn(session, user, *, today, centre_wide) -> (template, context) | None``:
``CALL_BACKS`` (campaign targets with a call-back due, nrs/campaigns/panels.py) and
``WAITING`` (enquiries waiting for my centre, once nrs/enquiries exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from nrs.activities import queries as activity_queries
from nrs.auth.models import Role, User
from nrs.campaigns import panels as campaign_panels
from nrs.clock import today as today_in_copenhagen
from nrs.companies.models import Company
from nrs.joborders import panels as job_order_panels
from nrs.joborders.models import OPEN_STATES, JobOrder, Referral
from nrs.security import has_role

#: How many rows each list shows on the front page (the task page lists them all).
SHOWN = 20

CALL_BACKS: tuple = (campaign_panels.call_backs,)
WAITING: tuple = ()


@dataclass
class OrderRow:
    id: int
    title: str
    company_id: int
    company_name: str
    contact_name: str
    days_open: int
    days_since_referral: int | None


def my_orders(session: Session, user, *, today: date, centre_wide: bool, limit: int = SHOWN) -> list[OrderRow]:
    """Open orders where the user is the NRS contact (or all of the centre's), oldest first."""
    last_referral = (sa.select(sa.func.max(Referral.referred_on)).where(Referral.job_order_id == JobOrder.id)
                     .correlate(JobOrder).scalar_subquery())
    stmt = (sa.select(JobOrder.id, JobOrder.title, JobOrder.received_on, Company.id, Company.name, User.name,
                      last_referral)
            .join(Company, Company.id == JobOrder.company_id)
            .outerjoin(User, User.id == JobOrder.contact_user_id)
            .where(JobOrder.state.in_(OPEN_STATES)))
    if centre_wide:
        stmt = stmt.where(JobOrder.lead_centre_id == user.job_centre_id)
    else:
        stmt = stmt.where(JobOrder.contact_user_id == user.id)
    rows = session.execute(stmt.order_by(JobOrder.received_on, JobOrder.id).limit(limit)).all()
    return [OrderRow(oid, title, cid, cname, who or "", (today - received).days,
                     (today - referred).days if referred else None)
            for oid, title, received, cid, cname, who, referred in rows]


def panel(session: Session, user):
    today = today_in_copenhagen()
    centre_wide = has_role(user, Role.coordinator) and not has_role(user, Role.admin)
    tasks = activity_queries.tasks_due(session, today=today, limit=SHOWN + 1,
                                       **({"centre_id": user.job_centre_id} if centre_wide else {"user_id": user.id}))
    orders = my_orders(session, user, today=today, centre_wide=centre_wide)
    help_wanted = job_order_panels.panel(session, user)
    extra = [found for hook in (*CALL_BACKS, *WAITING)
             if (found := hook(session, user, today=today, centre_wide=centre_wide))]
    return "home/_my_work.html", {
        "tasks": tasks[:SHOWN], "more_tasks": len(tasks) > SHOWN, "orders": orders, "help_wanted": help_wanted,
        "extra": extra, "centre_wide": centre_wide, "today": today,
    }
