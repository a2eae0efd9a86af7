"""Create notifications once per event, e-mail them through the outbox once, read and settle them.

Exactly once, whoever calls: ``notify`` inserts with ON CONFLICT DO NOTHING against the unique
(user, kind, event key), on SQLite and PostgreSQL alike, so a retried job, two scheduler processes
or a service hook that runs twice make one row; only the insert that made the row queues its
e-mail, and the outbox key ``notice:<notification id>`` is unique besides.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context, render_template
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from nrs.auth.models import Role, User
from nrs.clock import utcnow
from nrs.errors import DomainError
from nrs.i18n import recipient_language
from nrs.mail.services import enqueue
from nrs.notifications import unsubscribe
from nrs.notifications.models import Delivery, Notification, NotificationKind, NotificationSetting
from nrs.security import has_role

K, D = NotificationKind, Delivery
#: The default per kind: (for staff, for coordinators and the steering group). Help requests
#: reach coordinators; staff opt in.
DEFAULTS: dict[NotificationKind, tuple[Delivery, Delivery]] = {
    K.order_for_my_company: (D.immediately, D.immediately),
    K.company_moved_to_me: (D.immediately, D.immediately),
    K.help_requested: (D.off, D.immediately),
    K.agreement_ending: (D.digest, D.digest),
    K.task_assigned: (D.immediately, D.immediately),
    K.task_due: (D.digest, D.digest),
    # Coordinators get each new enquiry by e-mail anyway (``enquiries.services.tell_centre``, the
    # outbox "in any case"): in the app at once, by mail only in the digest; staff opt in.
    K.enquiry_received: (D.off, D.digest),
}
KIND = "notice"
#: The app, remembered when its blueprint was registered: a service called outside any app
#: context (a script, a test calling services directly) still builds links and renders mail.
_registered_app = None


def remember_app(app) -> None:
    global _registered_app
    _registered_app = app


def app_context():
    """The current app context, or one of the registered app when there is none."""
    if has_app_context() or _registered_app is None:
        return contextlib.nullcontext()
    return _registered_app.app_context()


def default_for(user: User, kind: NotificationKind) -> Delivery:
    staff, higher = DEFAULTS[NotificationKind(kind)]
    return higher if has_role(user, Role.coordinator) else staff


def settings_of(session: Session, user: User) -> dict[NotificationKind, Delivery]:
    """The user's delivery for every kind: their own choice, else the role's default."""
    chosen = dict(session.execute(
        sa.select(NotificationSetting.kind, NotificationSetting.delivery)
        .where(NotificationSetting.user_id == user.id)).all())
    return {k: Delivery(chosen[k]) if k in chosen else default_for(user, k) for k in NotificationKind}


def save_settings(session: Session, user: User, choices: dict, *, now: datetime | None = None) -> None:
    """Store the user's choice per kind (a row per kind, so a later change of default leaves it alone)."""
    now = now or utcnow()
    for kind, delivery in choices.items():
        kind, delivery = NotificationKind(kind), Delivery(delivery)
        row = session.get(NotificationSetting, (user.id, kind))
        if row is None:
            row = NotificationSetting(user_id=user.id, kind=kind, delivery=delivery)
        row.delivery = delivery
        row.updated_at = now
        session.add(row)
    session.flush()


def notify(session: Session, *, kind: NotificationKind, users: Iterable[User], event_key: str,
           text: str, link: str, now: datetime) -> list[Notification]:
    """Tell ``users`` about one event, once each; returns the notifications this call created.

    Users who turned the kind off, inactive users and repeats of the same user are skipped.
    """
    kind = NotificationKind(kind)
    people = {u.id: u for u in users if u is not None and u.active}
    if not people:
        return []
    with app_context():
        return _notify(session, kind, people, event_key=event_key, text=text, link=link, now=now)


def _notify(session: Session, kind: NotificationKind, people: dict[int, User], *, event_key: str,
            text: str, link: str, now: datetime) -> list[Notification]:
    chosen = dict(session.execute(
        sa.select(NotificationSetting.user_id, NotificationSetting.delivery)
        .where(NotificationSetting.kind == kind, NotificationSetting.user_id.in_(people))).all())
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    created = []
    for user_id, user in sorted(people.items()):
        delivery = Delivery(chosen[user_id]) if user_id in chosen else default_for(user, kind)
        if delivery == Delivery.off:
            continue
        stmt = (dialect.insert(Notification)
                .values(user_id=user_id, kind=kind.value, event_key=event_key[:200], text=text,
                        link=link[:500], email=delivery.value, created_at=now)
                .on_conflict_do_nothing(index_elements=["user_id", "kind", "event_key"])
                .returning(Notification.id))
        new_id = session.execute(stmt).scalar_one_or_none()
        if new_id is None:
            continue  # this event already notified this user
        notification = session.get(Notification, new_id)
        created.append(notification)
        if delivery == Delivery.immediately:
            _mail_one(session, user, notification, now=now)
    return created


def absolute(link: str) -> str:
    return current_app.config["NRS"].base_url.rstrip("/") + (link or "/")


def _mail_one(session: Session, user: User, notification: Notification, *, now: datetime) -> None:
    ctx = {"user": user, "items": [notification], "absolute": absolute,
           "settings_link": absolute(path_for("notifications.settings")),
           "unsubscribe_link": unsubscribe.link(user, f"kind:{notification.kind}")}
    with recipient_language(user):
        enqueue(session, key=f"{KIND}:{notification.id}", to=user.email,
                subject=_("NRS: %(text)s", text=_short(notification.text)),
                text=render_template("email/notice/body.txt", **ctx),
                html=render_template("email/notice/body.html", **ctx), now=now,
                unsubscribe=ctx["unsubscribe_link"])


def _short(text: str, limit: int = 120) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def path_for(endpoint: str, **values) -> str:
    """A path into the app without a request (jobs, hooks): ``/jobordrer/17``."""
    with app_context():
        return current_app.url_map.bind("nrs.local").build(endpoint, values)


# --- in the app ------------------------------------------------------------------------------

def unread_count(session: Session, user: User) -> int:
    """The header's number: one COUNT on the (user, read_at) index."""
    return session.execute(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def list_for(session: Session, user: User, *, unread_only: bool = False):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(session: Session, user: User, notification_id: int | None = None, *,
              now: datetime | None = None) -> int:
    """Mark one of the user's notifications read, or all of them (``None``); returns how many."""
    now = now or utcnow()
    stmt = (sa.update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=now))
    if notification_id is not None:
        if session.execute(sa.select(Notification.user_id).where(Notification.id == notification_id)
                           ).scalar_one_or_none() != user.id:
            raise DomainError(_("Notifikationen findes ikke."))
        stmt = stmt.where(Notification.id == notification_id)
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount
