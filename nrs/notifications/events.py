"""The events that notify, each called from the one place its domain makes the change.

Who hears of what lives here, so the domains' services carry one line each: the job-order
service calls ``order_logged``, the lead rule (``companies.services.assign_lead``) calls
``company_moved``, asking for help (``joborders.services._ask``) calls ``help_asked``, making or
reassigning a task (``activities.services``) calls ``task_assigned``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.auth.models import Role, User
from nrs.clock import utcnow
from nrs.companies.models import Company
from nrs.joborders.models import JobOrder
from nrs.municipalities.models import JobCentre
from nrs.notifications.models import NotificationKind
from nrs.notifications.services import notify, path_for

#: The roles that run a centre's work and hear of its companies by default.
COORDINATING = (Role.coordinator,)


def coordinators(session: Session, centre_id: int | None) -> list[User]:
    if centre_id is None:
        return []
    return list(session.exec(select(User).where(
        User.job_centre_id == centre_id, User.active.is_(True), User.role.in_(COORDINATING))))


def _centre_name(session: Session, centre_id: int | None) -> str:
    centre = session.get(JobCentre, centre_id) if centre_id is not None else None
    return centre.name if centre else _("NRS")


def order_logged(session: Session, order, *, by, company: Company, now: datetime | None = None) -> None:
    """Another centre logged an order for a company whose lead is my centre: its coordinators
    and the company's NRS contact person hear of it."""
    lead = company.lead_centre_id
    by_centre = getattr(by, "job_centre_id", None)
    if lead is None or by_centre is None or by_centre == lead:
        return
    people = coordinators(session, lead)
    if company.contact_user_id is not None:
        people.append(session.get(User, company.contact_user_id))
    notify(session, kind=NotificationKind.order_for_my_company, users=people,
           event_key=f"job_order:{order.id}",
           text=_("%(centre)s har oprettet jobordren »%(title)s« for %(company)s, som jeres jobcenter er ansvarligt for.",
                  centre=_centre_name(session, by_centre), title=order.title, company=company.name),
           link=path_for("joborders.detail", order_id=order.id), now=now or utcnow())


def company_moved(session: Session, company: Company, *, old_lead: int | None, now: datetime | None = None) -> None:
    """A company moved from one centre to mine: the new centre's coordinators hear of it (they pick
    a contact person). A company's first lead is not a move."""
    new_lead = company.lead_centre_id
    if old_lead is None or new_lead is None or old_lead == new_lead or company.id is None:
        return
    when = now or company.lead_changed_at or utcnow()
    notify(session, kind=NotificationKind.company_moved_to_me, users=coordinators(session, new_lead),
           event_key=f"company:{company.id}:lead:{new_lead}:{when.isoformat(timespec='seconds')}",
           text=_("%(company)s er flyttet fra %(old)s til jeres jobcenter. Vælg en NRS-kontaktperson.",
                  company=company.name, old=_centre_name(session, old_lead)),
           link=path_for("companies.detail", company_id=company.id), now=when)


def help_asked(session: Session, help_request, *, now: datetime | None = None) -> None:
    """A centre asks for help on an order: the other centres' coordinators, and staff who opted in."""
    from_row = session.execute(
        sa.select(JobOrder.title, JobOrder.lead_centre_id, Company.name)
        .join(Company, Company.id == JobOrder.company_id)
        .where(JobOrder.id == help_request.job_order_id)).one()
    title, lead, company_name = from_row
    people = session.exec(select(User).where(
        User.active.is_(True), User.job_centre_id != lead, User.role != Role.admin)).all()
    notify(session, kind=NotificationKind.help_requested, users=people,
           event_key=f"help_request:{help_request.id}",
           text=_("%(centre)s beder om kandidater til »%(title)s« hos %(company)s.",
                  centre=_centre_name(session, lead), title=title, company=company_name),
           link=path_for("joborders.detail", order_id=help_request.job_order_id), now=now or utcnow())


def task_assigned(session: Session, task, *, by, now: datetime | None = None) -> None:
    """A task was given to me by someone else (making one for myself tells nobody)."""
    if task.assignee_id is None or task.assignee_id == getattr(by, "id", by):
        return
    company = session.get(Company, task.company_id)
    when = now or utcnow()
    notify(session, kind=NotificationKind.task_assigned, users=[session.get(User, task.assignee_id)],
           event_key=f"task:{task.id}:to:{task.assignee_id}:{when.isoformat(timespec='seconds')}",
           text=_("%(who)s har givet dig opgaven »%(title)s« hos %(company)s, senest %(due)s.",
                  who=getattr(by, "name", None) or _("NRS"), title=task.title, company=company.name,
                  due=task.due.strftime("%d-%m-%Y")),
           link=path_for("activities.task", task_id=task.id), now=when)


def enquiry_received(session: Session, enquiry, *, company_name: str, now: datetime | None = None) -> None:
    """A new enquiry reached a centre (or the coordinators' queue): that centre's coordinators and its
    staff who opted in hear of it once (the key is the enquiry: a re-routing tells only the new centre's
    people, who have not heard of it). Called where the enquiry's e-mail is queued."""
    stmt = select(User).where(User.active.is_(True))
    if enquiry.lead_centre_id is None:
        stmt = stmt.where(User.role.in_(COORDINATING))
    else:
        stmt = stmt.where(User.job_centre_id == enquiry.lead_centre_id, User.role != Role.admin)
    notify(session, kind=NotificationKind.enquiry_received, users=session.exec(stmt.order_by(User.id)).all(),
           event_key=f"enquiry:{enquiry.id}",
           text=_("Ny henvendelse (%(channel)s) fra %(company)s til %(centre)s.",
                  channel=enquiry.channel.label, company=company_name,
                  centre=_centre_name(session, enquiry.lead_centre_id) if enquiry.lead_centre_id
                  else _("koordinatorernes kø")),
           link=path_for("enquiries.detail", enquiry_id=enquiry.id), now=now or utcnow())
