"""A notification per (user, kind, event): the unique key makes every event notify once."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check


class NotificationKind(LabelledEnum):
    order_for_my_company = "order_for_my_company", _l("Et andet jobcenter har oprettet en jobordre for en af mit jobcenters virksomheder")
    company_moved_to_me = "company_moved_to_me", _l("En virksomhed er flyttet til mit jobcenter")
    help_requested = "help_requested", _l("Et jobcenter beder om hjælp til en jobordre")
    agreement_ending = "agreement_ending", _l("En aftale i mit jobcenter udløber inden for 60 dage")
    task_assigned = "task_assigned", _l("En opgave er givet til mig")
    task_due = "task_due", _l("En af mine opgaver forfalder")
    enquiry_received = "enquiry_received", _l("En ny henvendelse er kommet til mit jobcenter")


class Delivery(LabelledEnum):
    immediately = "immediately", _l("Straks (e-mail)")
    digest = "digest", _l("I den daglige oversigt (e-mail)")
    off = "off", _l("Fra")


class Notification(SQLModel, table=True):
    """One thing one user was told; ``email`` is how it goes out by mail (never ``off``: those are not made)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "event_key", name="uq_notifications_event"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_digest", "email", "digested_on"),
        enum_check("kind", NotificationKind),
        enum_check("email", Delivery),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: NotificationKind = Field(sa_type=enum_type(NotificationKind))
    #: What happened, e.g. ``job_order:17`` or ``agreement:4:2016-05-15``: one row per user and event.
    event_key: str = Field(max_length=200)
    text: str = Field(sa_type=sa.Text)
    #: A path inside NRS (``/jobordrer/17``); e-mails put the base URL in front.
    link: str = Field(default="", max_length=500)
    email: Delivery = Field(sa_type=enum_type(Delivery))
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = Field(default=None)
    #: The day whose digest carried it (``email`` = digest only).
    digested_on: date | None = Field(default=None)


class NotificationSetting(SQLModel, table=True):
    """A user's choice for one kind; without a row the role's default applies (``services.DEFAULTS``)."""

    __tablename__ = "notification_settings"
    __table_args__ = (enum_check("kind", NotificationKind), enum_check("delivery", Delivery))

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    kind: NotificationKind = Field(sa_type=enum_type(NotificationKind), primary_key=True)
    delivery: Delivery = Field(sa_type=enum_type(Delivery))
    updated_at: datetime = Field(default_factory=utcnow)
