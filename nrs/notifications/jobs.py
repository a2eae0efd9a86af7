"""Daily notification jobs: the agreement scan, the tasks due, and the digest e-mail.

Both are safe to run twice and in two processes at once: the scan's notifications are keyed by
agreement and end date, and the digest's outbox key is ``digest:<day>:<email>``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.activities.models import Task, open_task
from nrs.agreements.models import Agreement
from nrs.agreements.queries import ENDING_SOON_DAYS, ending_soon_condition
from nrs.auth.models import User
from nrs.clock import local
from nrs.companies.models import Company
from nrs.config import Settings
from nrs.i18n import recipient_language
from nrs.mail.services import enqueue
from nrs.notifications import unsubscribe
from nrs.notifications.events import coordinators
from nrs.notifications.models import Delivery, Notification, NotificationKind
from nrs.notifications.services import absolute, notify, path_for

DIGEST = "digest"


def agreements_ending(session: Session, *, now: datetime, settings: Settings) -> int:
    """Every morning: each agreement ending within 60 days notifies its coordinating centre once
    (once per end date: an agreement extended and ending again notifies again)."""
    day = local(now).date()
    rows = session.execute(
        sa.select(Agreement.id, Agreement.valid_to, Agreement.coordinating_centre_id, Company.name)
        .join(Company, Company.id == Agreement.company_id)
        .where(ending_soon_condition(day)).order_by(Agreement.id)).all()
    people: dict[int, list[User]] = {}
    made = 0
    for agreement_id, valid_to, centre_id, company_name in rows:
        if centre_id not in people:
            people[centre_id] = coordinators(session, centre_id)
        made += len(notify(
            session, kind=NotificationKind.agreement_ending, users=people[centre_id],
            event_key=f"agreement:{agreement_id}:ends:{valid_to.isoformat()}",
            text=_("Aftalen med %(company)s udløber %(day)s (inden for %(n)d dage).",
                   company=company_name, day=valid_to.strftime("%d-%m-%Y"), n=ENDING_SOON_DAYS),
            link=path_for("agreements.detail", agreement_id=agreement_id), now=now))
    return made


def tasks_due(session: Session, *, now: datetime, settings: Settings) -> int:
    """Every morning: each open task due today tells its holder once (once per due date: a task
    moved to a later day tells again then)."""
    day = local(now).date()
    rows = session.execute(
        sa.select(Task.id, Task.title, Task.due, Task.assignee_id, Company.name)
        .join(Company, Company.id == Task.company_id)
        .where(open_task(), Task.due == day).order_by(Task.id)).all()
    holders = {u.id: u for u in session.exec(select(User).where(User.id.in_({r[3] for r in rows})))} if rows else {}
    made = 0
    for task_id, title, due, assignee_id, company_name in rows:
        made += len(notify(
            session, kind=NotificationKind.task_due, users=[holders[assignee_id]],
            event_key=f"task:{task_id}:due:{due.isoformat()}",
            text=_("Opgaven »%(title)s« hos %(company)s skal være udført i dag.", title=title, company=company_name),
            link=path_for("activities.task", task_id=task_id), now=now))
    return made


def send_digests(session: Session, *, now: datetime, settings: Settings) -> int:
    """Every afternoon: one e-mail per user with the notifications meant for the digest that no
    digest has carried yet. Returns how many e-mails were queued."""
    day = local(now).date()
    pending = session.exec(
        select(Notification).where(Notification.email == Delivery.digest,
                                   Notification.digested_on.is_(None), Notification.created_at <= now)
        .order_by(Notification.user_id, Notification.created_at, Notification.id)).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        by_user[n.user_id].append(n)
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_(by_user)))} if by_user else {}
    queued = 0
    for user_id, items in by_user.items():
        user = users[user_id]
        if user.active:
            link = unsubscribe.link(user, "digest")
            ctx = {"user": user, "items": items, "absolute": absolute, "digest": True,
                   "settings_link": absolute(path_for("notifications.settings")), "unsubscribe_link": link}
            with recipient_language(user):
                message = enqueue(session, key=f"{DIGEST}:{day.isoformat()}:{user.email}", to=user.email,
                                  subject=_("NRS: %(n)d nye notifikationer", n=len(items)),
                                  text=render_template("email/notice/body.txt", **ctx),
                                  html=render_template("email/notice/body.html", **ctx), now=now,
                                  unsubscribe=link)
            queued += message is not None
        session.execute(sa.update(Notification).where(Notification.id.in_([n.id for n in items]))
                        .values(digested_on=day).execution_options(synchronize_session=False))
    return queued
