from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check
from nrs.locking import VERSIONED


class EnquiryChannel(LabelledEnum):
    """How the enquiry reached NRS: the shared ways in first."""

    phone = "phone", _l("Fælles telefon")
    mailbox = "mailbox", _l("Fælles postkasse")
    web = "web", _l("Kontaktformular")
    visit = "visit", _l("Besøg")
    jobservice = "jobservice", _l("Jobservice Danmark")
    centre = "centre", _l("Andet jobcenter")


class EnquirySubject(LabelledEnum):
    vacancy = "vacancy", _l("Ledig stilling")
    agreement = "agreement", _l("Rekrutteringsaftale")
    rotation = "rotation", _l("Jobrotation / opkvalificering")
    other = "other", _l("Andet")


class EnquiryStatus(LabelledEnum):
    new = "new", _l("Ny")
    taken = "taken", _l("Taget")
    answered = "answered", _l("Besvaret")
    closed = "closed", _l("Lukket")
    converted = "converted", _l("Omdannet")


#: A column the stored-text check leaves alone (``nrs.storedtext``): codes, addresses, keys.
NOT_FREE_TEXT = {"info": {"free_text": False}}

#: The states a centre's queue shows; the rest are done.
OPEN_STATES = (EnquiryStatus.new, EnquiryStatus.taken)


class Enquiry(SQLModel, table=True):
    """One contact from a company through the front door, routed to the company's lead centre.

    ``lead_centre_id`` null is the coordinators' queue (a company outside the nine, or a prospect
    not yet matched). ``message_id`` is the e-mail's Message-ID: unique, so a message becomes one
    enquiry however many fetches read it.
    """

    __tablename__ = "enquiries"
    __table_args__ = (
        sa.Index("ix_enquiries_queue", "lead_centre_id", "status", "received_at"),
        enum_check("channel", EnquiryChannel),
        enum_check("subject", EnquirySubject),
        enum_check("status", EnquiryStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    channel: EnquiryChannel = Field(sa_type=enum_type(EnquiryChannel), default=EnquiryChannel.phone)
    subject: EnquirySubject = Field(sa_type=enum_type(EnquirySubject), default=EnquirySubject.other)
    company_id: int | None = Field(default=None, foreign_key="companies.id", index=True)
    #: A company not (yet) in NRS: its name, and its CVR number if given; matched later.
    prospect_name: str = Field(default="", max_length=300)
    prospect_cvr: str = Field(default="", max_length=8, sa_column_kwargs=NOT_FREE_TEXT)
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=40)
    contact_email: str = Field(default="", max_length=254, sa_column_kwargs=NOT_FREE_TEXT)
    text: str = Field(default="", sa_type=sa.Text)
    #: The text held a CPR number, stored masked (mail NRS did not write).
    cpr_masked: bool = Field(default=False)
    lead_centre_id: int | None = Field(default=None, foreign_key="job_centres.id")
    status: EnquiryStatus = Field(sa_type=enum_type(EnquiryStatus, 16), default=EnquiryStatus.new)
    taken_by_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    taken_at: datetime | None = Field(default=None)
    #: Taken or answered, whichever came first: the time to first response runs to here.
    first_response_at: datetime | None = Field(default=None)
    answered_at: datetime | None = Field(default=None)
    closed_at: datetime | None = Field(default=None, index=True)
    job_order_id: int | None = Field(default=None, foreign_key="job_orders.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="agreements.id", index=True)
    #: The activity the enquiry was converted into (``services.convert_to_activity``).
    activity_id: int | None = Field(default=None, foreign_key="activities.id", index=True)
    message_id: str | None = Field(default=None, max_length=998, sa_column_kwargs={"unique": True, **NOT_FREE_TEXT})
    #: Set by the retention job when the text and attachments were deleted.
    text_deleted_at: datetime | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking


class EnquiryAttachment(SQLModel, table=True):
    """A file that came with a mailbox enquiry, stored under ``instance/enquiries/``."""

    __tablename__ = "enquiry_attachments"

    id: int | None = Field(default=None, primary_key=True)
    enquiry_id: int = Field(foreign_key="enquiries.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100, sa_column_kwargs=NOT_FREE_TEXT)
    size: int
    #: Path relative to ``instance/enquiries/``.
    path: str = Field(max_length=200, sa_column_kwargs=NOT_FREE_TEXT)
    created_at: datetime = Field(default_factory=utcnow)
