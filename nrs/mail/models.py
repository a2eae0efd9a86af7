"""The outbox: every e-mail NRS sends is a row here first, written in the transaction of the work."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check


class OutboxStatus(LabelledEnum):
    pending = "pending", _l("Venter")
    sending = "sending", _l("Sendes")
    sent = "sent", _l("Sendt")
    failed = "failed", _l("Fejlet")


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one recipient, sent after commit and retried with back-off."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.CheckConstraint("status != 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        enum_check("status", OutboxStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: ``kind:period:recipient`` (``weekly:2016-W13:a@b.dk``): the same message is queued once.
    idempotency_key: str = Field(max_length=400, sa_column_kwargs={"unique": True})
    kind: str = Field(max_length=40)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=sa.Text)
    body_html: str = Field(default="", sa_type=sa.Text)
    #: One file sent with the message (the period report's PDF); both or neither.
    attachment_name: str | None = Field(default=None, max_length=200)
    attachment: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    #: The one-click unsubscribe address (RFC 8058) for the ``List-Unsubscribe`` headers.
    unsubscribe_url: str | None = Field(default=None, max_length=1000)
    status: OutboxStatus = Field(sa_type=enum_type(OutboxStatus), default=OutboxStatus.pending)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    #: The sender holding the row while it talks to the SMTP server, and until when.
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_until: datetime | None = Field(default=None)
    sent_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)

