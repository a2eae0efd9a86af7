from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check
from nrs.locking import VERSIONED
from nrs.municipalities.models import NRS_MUNICIPALITIES


class CampaignStatus(LabelledEnum):
    draft = "draft", _l("Kladde")
    running = "running", _l("Kører")
    ended = "ended", _l("Afsluttet")


class TargetStatus(LabelledEnum):
    """How far a centre has come with one company on the list."""

    not_contacted = "not_contacted", _l("Ikke kontaktet")
    #: Called but not reached (or asked to call again): the target carries a call-back date.
    call_back = "call_back", _l("Ikke truffet / ring igen")
    contacted = "contacted", _l("Kontaktet")
    meeting_booked = "meeting_booked", _l("Møde aftalt")
    agreement_signed = "agreement_signed", _l("Aftale indgået")
    job_order_received = "job_order_received", _l("Jobordre modtaget")
    not_interested = "not_interested", _l("Ikke interesseret")


class MismatchReason(LabelledEnum):
    """Why a target no longer matches the campaign (kept with its outcome, never deleted)."""

    ceased = "ceased", _l("Ophørt")
    moved_away = "moved_away", _l("Flyttet ud af området")
    shrunk = "shrunk", _l("For få ansatte")
    sector_changed = "sector_changed", _l("Skiftet branche")
    advertising_protected = "advertising_protected", _l("Reklamebeskyttet")
    active_agreement = "active_agreement", _l("Har aktiv aftale")


class Campaign(SQLModel, table=True):
    """An outreach campaign: who to call (the rule) and when; the list itself is its targets."""

    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="period"),
        sa.CheckConstraint("min_employees >= 0", name="min_employees"),
        enum_check("status", CampaignStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    year: int = Field(index=True)
    starts_on: date | None = Field(default=None)
    ends_on: date | None = Field(default=None)
    status: CampaignStatus = Field(sa_type=enum_type(CampaignStatus), default=CampaignStatus.draft, index=True)
    #: Comma-separated ids of FocusSector rows; their current codes are used at every refresh.
    sector_ids: str = Field(default="", max_length=500)
    #: Comma-separated DB07 prefixes targeted besides the sectors, e.g. ``55,56``.
    extra_prefixes: str = Field(default="", max_length=500)
    min_employees: int = Field(default=5)
    #: Comma-separated municipality codes; default the nine NRS municipalities.
    municipality_codes: str = Field(default=",".join(str(c) for c in NRS_MUNICIPALITIES), max_length=500)
    exclude_active_agreements: bool = Field(default=False)
    exclude_advertising_protected: bool = Field(default=True)

    last_refresh_at: datetime | None = Field(default=None)
    last_refresh_added: int = Field(default=0)
    last_refresh_removed: int = Field(default=0)
    #: Matching companies left out at the last refresh because they are advertising-protected.
    last_refresh_excluded_protected: int = Field(default=0)
    last_refresh_excluded_agreements: int = Field(default=0)

    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking

    @property
    def sector_id_list(self) -> list[int]:
        return [int(x) for x in self.sector_ids.split(",") if x]

    @property
    def prefix_list(self) -> list[str]:
        return [x for x in self.extra_prefixes.split(",") if x]

    @property
    def municipality_list(self) -> list[int]:
        return [int(x) for x in self.municipality_codes.split(",") if x]


class CampaignTarget(SQLModel, table=True):
    """One company on a campaign's list, worked by its lead centre."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "company_id", name="uq_campaign_targets_campaign_company"),
        sa.Index("ix_campaign_targets_campaign_centre", "campaign_id", "lead_centre_id", "status"),
        sa.CheckConstraint("matching OR mismatch_reason IS NOT NULL", name="mismatch_reason"),
        sa.CheckConstraint("NOT removed_by_hand OR removed_reason <> ''", name="removed_reason"),
        enum_check("status", TargetStatus),
        enum_check("mismatch_reason", MismatchReason),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    company_id: int = Field(foreign_key="companies.id", index=True)
    #: The company's lead centre when it joined the list; null = waits for a coordinator.
    lead_centre_id: int | None = Field(default=None, foreign_key="job_centres.id")
    added_at: datetime = Field(default_factory=utcnow)

    status: TargetStatus = Field(sa_type=enum_type(TargetStatus), default=TargetStatus.not_contacted)
    status_on: date | None = Field(default=None)
    status_by_id: int | None = Field(default=None, foreign_key="users.id")
    status_note: str = Field(default="", max_length=2000)
    #: While the status is ``call_back``: the day to call again (the list's "call-back due" filter).
    call_back_on: date | None = Field(default=None)

    #: False once the company stops matching (ceased, moved, shrunk); the row and outcome stay.
    matching: bool = Field(default=True)
    mismatch_reason: MismatchReason | None = Field(default=None, sa_type=enum_type(MismatchReason))
    mismatch_at: datetime | None = Field(default=None)

    #: Taken off the list by hand; refreshes leave it off.
    removed_by_hand: bool = Field(default=False)
    removed_reason: str = Field(default="", max_length=500)
    removed_by_id: int | None = Field(default=None, foreign_key="users.id")
    removed_at: datetime | None = Field(default=None)

    #: The job order or agreement that came out of working this target.
    job_order_id: int | None = Field(default=None, foreign_key="job_orders.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="agreements.id", index=True)

    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking


class CampaignTargetEvent(SQLModel, table=True):
    """One change of a target's status: the history shown on the target page."""

    __tablename__ = "campaign_target_events"
    __table_args__ = (
        enum_check("from_status", TargetStatus),
        enum_check("to_status", TargetStatus),
    )

    id: int | None = Field(default=None, primary_key=True)
    target_id: int = Field(foreign_key="campaign_targets.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    from_status: TargetStatus | None = Field(default=None, sa_type=enum_type(TargetStatus))
    to_status: TargetStatus = Field(sa_type=enum_type(TargetStatus))
    status_on: date | None = Field(default=None)
    note: str = Field(default="", max_length=2000)


class OutcomeImport(SQLModel, table=True):
    """One imported outcome row, known by its key: importing the same file again writes nothing."""

    __tablename__ = "campaign_outcome_imports"

    #: A digest of the campaign, CVR number and the row's outcome cells as written in the file.
    key: str = Field(primary_key=True, max_length=64)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    target_id: int = Field(foreign_key="campaign_targets.id")
    activity_id: int | None = Field(default=None, foreign_key="activities.id")
    line: int
    imported_at: datetime = Field(default_factory=utcnow)
    by_id: int | None = Field(default=None, foreign_key="users.id")
