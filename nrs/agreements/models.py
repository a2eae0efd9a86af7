from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict
from sqlalchemy.ext.hybrid import hybrid_method
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check
from nrs.locking import VERSIONED


class AgreementKind(LabelledEnum):
    #: rekrutteringsaftale: with a company inside one of the year's focus sectors.
    recruitment = "recruitment", _l("Rekrutteringsaftale")
    #: samarbejdsaftale: a larger, general cooperation agreement.
    cooperation = "cooperation", _l("Samarbejdsaftale")
    #: Jobservice Danmark: one centre coordinates (tovholder) a company with sites across the country.
    jobservice = "jobservice", _l("Jobservice Danmark-aftale")


class Agreement(SQLModel, table=True):
    """A written agreement with a company, coordinated by one job centre."""

    __tablename__ = "agreements"
    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
        sa.CheckConstraint(
            "kind <> 'recruitment' OR focus_sector_id IS NOT NULL", name="recruitment_sector"
        ),
        sa.CheckConstraint(
            "(document_path IS NULL) = (document_name IS NULL)", name="document_complete"
        ),
        enum_check("kind", AgreementKind),
        # At most one open-ended Jobservice Danmark agreement per company (overlaps: the service).
        sa.Index("uq_agreements_one_jobservice", "company_id", unique=True,
                 sqlite_where=sa.text("kind = 'jobservice' AND valid_to IS NULL"),
                 postgresql_where=sa.text("kind = 'jobservice' AND valid_to IS NULL")),
    )

    # Lets pydantic leave the hybrid alone: ``active_on`` works on rows and in SQL alike.
    model_config = ConfigDict(ignored_types=(hybrid_method,))

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="companies.id", index=True)
    kind: AgreementKind = Field(sa_type=enum_type(AgreementKind), default=AgreementKind.recruitment)
    #: Required for a recruitment agreement (CHECK), optional otherwise.
    focus_sector_id: int | None = Field(default=None, foreign_key="focus_sectors.id", index=True)
    #: Null while the agreement is still being negotiated: it is not active then.
    signed_on: date | None = Field(default=None)
    valid_from: date
    #: Last day of validity (inclusive); null means open-ended.
    valid_to: date | None = Field(default=None, index=True)
    #: tovholder: the centre that coordinates; defaults to the company's lead centre.
    coordinating_centre_id: int = Field(foreign_key="job_centres.id", index=True)
    #: The NRS contact person for the agreement.
    contact_user_id: int | None = Field(default=None, foreign_key="users.id")
    notes: str = Field(default="", max_length=4000)
    #: A recruitment agreement whose focus sector does not cover the company's industry code was
    #: saved anyway after a confirmation; shown on the agreement.
    sector_mismatch_confirmed: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    #: The signed PDF, stored under ``instance/agreements/``; path relative to that folder.
    document_path: str | None = Field(default=None, max_length=200)
    document_name: str | None = Field(default=None, max_length=255)
    document_size: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking

    @hybrid_method
    def active_on(self, day: date) -> bool:
        """Active: signed on or before ``day`` and ``day`` within valid_from..valid_to (inclusive).

        The one definition of "active", in Python and (below) as SQL, so that lists, counts and
        the reports' ``agreements_active`` agree.
        """
        return (
            self.signed_on is not None
            and self.signed_on <= day
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )

    @active_on.expression
    def active_on(cls, day: date):  # noqa: N805 - SQLAlchemy passes the class
        return sa.and_(
            cls.signed_on.is_not(None),
            cls.signed_on <= day,
            cls.valid_from <= day,
            sa.or_(cls.valid_to.is_(None), cls.valid_to >= day),
        )
