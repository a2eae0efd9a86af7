"""The monthly snapshot of the job-order history that makes a period report cost the same in any year."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from nrs.clock import utcnow


class MonthFigure(SQLModel, table=True):
    """One figure of one month for a lead centre and an industry code, counted from the events.

    ``figure`` is a stock at the month's last day (``open``, paused included; ``filled``;
    ``unfilled``) or a flow within the month (``orders_received``, ``orders_filled``,
    ``orders_unfilled``, ``orders_reopened``: the period report's keys; ``hires``, ``hires_other``: the
    hires recorded in the month, all and by another centre than the lead, per centre only). Each is kept twice, per
    centre (``industry_code`` empty) and per industry code (``lead_centre_id`` 0): two thin aggregates
    stay small at national scale; the pairs one centre's report needs are in ``CentreCodeMonth``. Closed stocks are kept per centre only (the status
    report's). Written only by ``nrs.reports.snapshots.rebuild``.
    """

    __tablename__ = "report_month_figures"

    month_end: date = Field(primary_key=True)
    #: The lead centre's id, or 0 on a row per industry code (no foreign key for that reason).
    lead_centre_id: int = Field(primary_key=True)
    #: The industry code, or empty on a row per centre.
    industry_code: str = Field(max_length=6, primary_key=True)
    figure: str = Field(max_length=20, primary_key=True)
    orders: int = Field(default=0)


class CentreCodeMonth(SQLModel, table=True):
    """One month of one centre's orders in one industry code: what one centre's period report splits
    by focus sector. The stocks at the month's last day (``open``: orders open or paused;
    ``positions_open``: their positions without a live outcome) and the month's flows (the period
    report's ``orders_*`` keys; ``hired`` and ``other``: the live outcomes' net change, recorded less
    undone). One wide row per pair with anything in it, so a centre reads a few hundred rows per
    month end. Written only by ``nrs.reports.snapshots.rebuild``, beside ``MonthFigure``.
    """

    __tablename__ = "report_centre_code_months"

    lead_centre_id: int = Field(primary_key=True)
    month_end: date = Field(primary_key=True)
    industry_code: str = Field(max_length=6, primary_key=True)
    open: int = Field(default=0)
    positions_open: int = Field(default=0)
    received: int = Field(default=0)
    filled: int = Field(default=0)
    unfilled: int = Field(default=0)
    reopened: int = Field(default=0)
    hired: int = Field(default=0)
    other: int = Field(default=0)


class StarMonthFigure(SQLModel, table=True):
    """STAR's measure of the orders created in one month, as it changed month by month: how many
    were created (``orders``, ``positions``, in their month), joined the referred set
    (``referred``), and began (+1) or stopped (-1) counting as ended with a referred candidate's
    hire (``hired``) in month ``month_end``. A period's STAR figures as of a month end are the sums
    over its creation months up to that month end. Kept per centre (``occupational_group`` empty),
    per occupational group (``lead_centre_id`` 0; "-" for orders without a group), and per centre
    and group (one centre's report). Written only by ``nrs.reports.snapshots.rebuild``.
    """

    __tablename__ = "report_star_months"

    #: The last day of the month the orders were created (received) in.
    created_month_end: date = Field(primary_key=True)
    #: The last day of the month the change happened in.
    month_end: date = Field(primary_key=True)
    lead_centre_id: int = Field(primary_key=True)
    occupational_group: str = Field(max_length=2, primary_key=True)
    figure: str = Field(max_length=10, primary_key=True)
    orders: int = Field(default=0)


class MonthFigureBuild(SQLModel, table=True):
    """When the snapshot was counted and from which events: what a reader checks it against."""

    __tablename__ = "report_month_builds"

    id: int | None = Field(default=None, primary_key=True)
    built_at: datetime = Field(default_factory=utcnow)
    #: The highest job-order event id counted; a later event dated in a counted month makes that
    #: month and the ones after it stale until the next build.
    last_event_id: int = Field(default=0)
    #: The last month end counted (the month before the build's month).
    through: date | None = Field(default=None)
    #: The highest referral id counted (STAR's referred orders); a later referral dated in a
    #: counted month makes that month stale, like a late event.
    last_referral_id: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ReportSubscription(SQLModel, table=True):
    """An address list (the steering group, a committee's secretary) that gets the period report by
    e-mail as a PDF after every month or quarter; ``nrs.reports.scheduled`` sends it once per period."""

    __tablename__ = "report_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    #: Addresses, one per line or comma-separated.
    recipients: str = Field(max_length=4000)
    #: ``month`` or ``quarter``: the last whole one is sent.
    every: str = Field(max_length=10, default="quarter")
    #: A centre's municipality code for that centre's report; null for NRS.
    centre_code: int | None = Field(default=None)
    active: bool = Field(default=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def addresses(self) -> list[str]:
        return [a.strip() for a in self.recipients.replace("\n", ",").split(",") if a.strip()]
