from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check
from nrs.locking import VERSIONED


class CompanySource(LabelledEnum):
    csv = "csv", _l("Indlæst fra fil")
    cvr = "cvr", _l("CVR-registret")
    manual = "manual", _l("Oprettet i hånden")
    demo = "demo", _l("Demodata")


class Company(SQLModel, table=True):
    """A company (CVR unit) that NRS may serve; it has one lead job centre and one NRS contact."""

    __tablename__ = "companies"
    __table_args__ = (
        sa.CheckConstraint(
            "employees_max IS NULL OR employees_min IS NULL OR employees_max >= employees_min",
            name="employees_range",
        ),
        sa.CheckConstraint("length(industry_code) = 6", name="industry_code_len"),
        sa.CheckConstraint("length(cvr) = 8", name="cvr_len"),
        sa.Index("ix_companies_match", "industry_code", "active", "employees_min"),
        # The company list sorts by name within a centre or a municipality (1,000,000 rows).
        sa.Index("ix_companies_lead_name", "lead_centre_id", "name_search"),
        sa.Index("ix_companies_municipality_name", "municipality_code", "name_search"),
        # A coordinator's front page: the centre's companies that have no contact person.
        # (with the date: counted and listed newest first from the index alone)
        sa.Index("ix_companies_lead_contact_changed", "lead_centre_id", "contact_user_id", "lead_changed_at"),
        # A campaign counts the advertising-protected companies it leaves out: these only.
        sa.Index("ix_companies_protected_municipality", "municipality_code",
                 sqlite_where=sa.text("advertising_protected IS 1"),
                 postgresql_where=sa.text("advertising_protected IS true")),
        enum_check("source", CompanySource),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: CVR number, 8 digits as text.
    cvr: str = Field(max_length=8, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=300)
    #: The name folded for case- and accent-insensitive search (``Ølstykke`` → ``oelstykke``).
    name_search: str = Field(default="", max_length=300, index=True)
    address: str = Field(default="", max_length=300)
    postal_code: str = Field(default="", max_length=4)
    city: str = Field(default="", max_length=100)
    municipality_code: int = Field(foreign_key="municipalities.code", index=True)
    #: DB07 code, 6 characters; leading zeros matter.
    industry_code: str = Field(max_length=6)
    #: Employees as a range; an exact count has min == max; unknown is both null.
    employees_min: int | None = Field(default=None, index=True)
    employees_max: int | None = Field(default=None)
    active: bool = Field(default=True)
    #: reklamebeskyttet: the company has declined unsolicited marketing.
    advertising_protected: bool = Field(default=False)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    source: CompanySource = Field(sa_type=enum_type(CompanySource), default=CompanySource.manual)

    #: The job centre that holds the contact; null for a company outside the nine until assigned.
    lead_centre_id: int | None = Field(default=None, foreign_key="job_centres.id", index=True)
    #: Set when a coordinator overrode the municipality rule; imports then leave the lead alone.
    lead_override: bool = Field(default=False)
    lead_override_reason: str = Field(default="", max_length=500)
    lead_override_by_id: int | None = Field(default=None, foreign_key="users.id")
    lead_override_at: datetime | None = Field(default=None)
    #: The one NRS contact person, a staff member of the lead centre.
    contact_user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    #: When the lead centre last changed; the new centre's coordinator then picks a contact person.
    lead_changed_at: datetime | None = Field(default=None)

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking


class Contact(SQLModel, table=True):
    """One of the company's own people (business data, not a citizen's)."""

    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="companies.id", index=True)
    name: str = Field(max_length=200)
    role: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking
