"""What the API takes (query parameters) and gives (JSON bodies), as pydantic models.

The same models validate each request and describe it in the OpenAPI document (spectree reads
them), so the document cannot drift from the code. Every parameter is checked before a view runs:
a wrong one is a 400 that names it. Unknown parameters are refused too, so a misspelt filter is
an error rather than a silently unfiltered list.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from nrs.agreements.models import AgreementKind
from nrs.agreements.queries import STATUSES as AGREEMENT_STATUSES
from nrs.campaigns.models import CampaignStatus, TargetStatus
from nrs.inputs import MAX_INT
from nrs.joborders.models import Channel, ReferralOutcome
from nrs.joborders.queries import SORTS as ORDER_SORTS
from nrs.joborders.states import JobOrderState


def _iso_date(value):
    """Only YYYY-MM-DD: pydantic alone would also read a number as a Unix time."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else _bad_date()
        except ValueError:
            _bad_date()
    return value


def _bad_date():
    raise ValueError("not a date (YYYY-MM-DD)")


def _no_control(value):
    if isinstance(value, str) and any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise ValueError("control characters are not allowed")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: A report's day: within the years NRS can have figures for (the reports do date arithmetic).
ReportDate = Annotated[date, BeforeValidator(_iso_date), Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
#: A job centre by its municipality's code (201 Allerød … 270 Gribskov): what other systems know.
CentreCode = Annotated[int, Field(ge=100, le=999, description="A job centre by its municipality code, e.g. 201")]
Text = Annotated[str, BeforeValidator(_no_control)]
OrderSort = Literal[tuple(ORDER_SORTS)]  # type: ignore[valid-type]
AgreementStatus = Literal[tuple(AGREEMENT_STATUSES)]  # type: ignore[valid-type]


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Paged(Query):
    after: Annotated[Text | None, Field(max_length=500, description="The `next` cursor of the previous page")] = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class CompanyQuery(Paged):
    q: Annotated[Text | None, Field(max_length=100, description="Part of the name (case and accents ignored)")] = None
    cvr: Annotated[str | None, Field(pattern=r"^\d{1,8}$", description="The CVR number, or its first digits")] = None
    municipality: Annotated[int | None, Field(ge=100, le=999)] = None
    status: Literal["active", "ceased", "all"] = "all"


class OrderQuery(Paged):
    state: JobOrderState | None = None
    centre: CentreCode | None = None
    sector: Id | None = Field(default=None, description="A focus sector's id: orders of companies in it")
    company: Id | None = None
    agreement: Id | None = None
    received_from: IsoDate | None = None
    received_to: IsoDate | None = None
    sort: OrderSort = "received_desc"


class AgreementQuery(Paged):
    centre: CentreCode | None = Field(default=None, description="The coordinating centre")
    kind: AgreementKind | None = None
    status: AgreementStatus | None = Field(default=None, description="As of today")
    company: Id | None = None
    sector: Id | None = None


class CampaignQuery(Paged):
    year: Annotated[int | None, Field(ge=2000, le=2100)] = None
    status: CampaignStatus | None = None


class TargetQuery(Paged):
    centre: CentreCode | None = Field(default=None, description="The target's lead centre")
    status: TargetStatus | None = None


class StatusQuery(Query):
    as_of: ReportDate = Field(description="Figures at the end of this day, YYYY-MM-DD")


class PeriodQuery(Query):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: ReportDate = Field(alias="from", description="First day, YYYY-MM-DD")
    end: ReportDate = Field(alias="to", description="Last day, YYYY-MM-DD")
    centre: CentreCode | None = None


# --- bodies -------------------------------------------------------------------------------------

class ErrorDetail(BaseModel):
    status: int
    message: str
    parameters: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every error: 400 (a parameter, named), 401 (no usable key), 404, 405, 429 (see Retry-After)."""

    error: ErrorDetail


class CompanyRef(BaseModel):
    id: int
    cvr: str
    name: str


class Company(CompanyRef):
    address: str
    postal_code: str
    city: str
    municipality_code: int
    industry_code: str
    employees_min: int | None
    employees_max: int | None
    active: bool
    advertising_protected: bool
    lead_centre: int | None = Field(description="The lead centre's municipality code")
    updated_at: datetime


class Referral(BaseModel):
    id: int
    referring_centre: int
    referred_on: date
    outcome: ReferralOutcome
    case_reference: str


class JobOrder(BaseModel):
    id: int
    reference: str | None
    title: str
    positions: int
    state: JobOrderState
    channel: Channel
    received_on: date
    start_on: date | None
    deadline_on: date | None
    closed_on: date | None
    lead_centre: int
    agreement_id: int | None
    company: CompanyRef
    referrals: list[Referral] | None = Field(
        default=None, description="Only for a key with the referrals scope (and logged as a read of them)")


class Agreement(BaseModel):
    id: int
    kind: AgreementKind
    company: CompanyRef
    coordinating_centre: int
    focus_sector_id: int | None
    signed_on: date | None
    valid_from: date | None
    valid_to: date | None
    status: str = Field(description="As of today: " + ", ".join(AGREEMENT_STATUSES))


class Campaign(BaseModel):
    id: int
    name: str
    year: int
    status: CampaignStatus
    starts_on: date | None
    ends_on: date | None


class Target(BaseModel):
    id: int
    campaign_id: int
    company: CompanyRef
    lead_centre: int | None
    status: TargetStatus
    status_on: date | None
    job_order_id: int | None
    agreement_id: int | None


class Page(BaseModel):
    next: str | None = Field(description="Pass as `after` for the next page; null on the last")


class CompanyPage(Page):
    items: list[Company]


class OrderPage(Page):
    items: list[JobOrder]


class AgreementPage(Page):
    items: list[Agreement]


class CampaignPage(Page):
    items: list[Campaign]


class TargetPage(Page):
    items: list[Target]


class CentreFigures(BaseModel):
    model_config = ConfigDict(extra="allow")

    orders_received: int
    orders_filled: int
    orders_unfilled: int
    orders_open: int


class StatusFigures(BaseModel):
    """Exactly the object ``nrs reports status --as-of D --json`` prints."""

    model_config = ConfigDict(extra="allow")

    orders_received: int
    orders_filled: int
    orders_unfilled: int
    orders_open: int
    agreements_active: int
    hires_from_other_centres: int
    by_centre: dict[str, CentreFigures] = Field(description="By the lead centre's municipality code")


class PeriodReport(BaseModel):
    """Exactly the object ``nrs reports period --from --to --json`` prints."""

    model_config = ConfigDict(extra="allow")

    orders_open_at_start: int
    orders_received: int
    orders_filled: int
    orders_unfilled: int
    orders_open_at_end: int
