from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from nrs.clock import utcnow


class AccessLogEntry(SQLModel, table=True):
    """One use of referral data (personal data about a citizen), as Datatilsynet asks to log.

    Written by ``privacy.services.log_access`` only; the application never updates or deletes a
    row except by the retention job that purges entries past their period.
    """

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    #: The user's centre at the time (users move between centres).
    job_centre_id: int | None = Field(default=None, foreign_key="job_centres.id")
    #: read | search | create | update | export | delete
    action: str = Field(max_length=20)
    #: What was touched: ``job_order``, ``referral``, ``contact`` …
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(default="", max_length=40)
    #: The search criterion or the export's filter, when there is one.
    criterion: str = Field(default="", max_length=500)
    purpose: str = Field(default="", max_length=200)


class AnonymisedReferral(SQLModel, table=True):
    """A referral whose case reference and note the retention job removed.

    The referral row stays (its centre, outcome and dates feed the reports); this row marks it done
    so the job is idempotent and the reports can tell an anonymised referral from an empty one.
    """

    __tablename__ = "anonymised_referrals"

    #: No foreign key on purpose: the job-order domain may delete a referral without asking us.
    referral_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(default_factory=utcnow)
