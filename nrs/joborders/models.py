from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check, values_sql
from nrs.joborders.states import JobOrderState
from nrs.locking import VERSIONED


class Channel(LabelledEnum):
    """How the order reached NRS: the shared ways in, a visit, an agreement, Jobnet."""

    shared_phone = "shared_phone", _l("Fælles telefon")
    shared_mailbox = "shared_mailbox", _l("Fælles postkasse")
    visit = "visit", _l("Virksomhedsbesøg")
    agreement = "agreement", _l("Aftale")
    jobnet = "jobnet", _l("Jobnet")
    other = "other", _l("Andet")


class UnfilledReason(LabelledEnum):
    no_candidates = "no_candidates", _l("Ingen egnede kandidater")
    company_withdrew = "company_withdrew", _l("Virksomheden trak ordren tilbage")
    filled_by_company = "filled_by_company", _l("Besat af virksomheden selv")
    deadline_passed = "deadline_passed", _l("Fristen udløb")
    other = "other", _l("Andet")


class PositionOutcomeKind(LabelledEnum):
    """What happened to one position of an order (issue 14): every position ends in exactly one."""

    hired = "hired", _l("Ansat")
    outside = "outside", _l("Besat af virksomheden selv / uden om NRS")
    withdrawn = "withdrawn", _l("Trukket tilbage af virksomheden")
    unfilled = "unfilled", _l("Ikke besat")


class ReferralOutcome(LabelledEnum):
    referred = "referred", _l("Henvist")
    interview = "interview", _l("Til samtale")
    hired = "hired", _l("Ansat")
    rejected = "rejected", _l("Afvist")


#: In declaration order, so the CHECK below reads the same as the migration that created it.
OPEN_STATES = [s for s in JobOrderState if not s.is_closed]
#: The partial index of open orders with a deadline (migration 0034). A query uses it only when
#: its conditions contain these, with the states as literals (``deadlines.past_deadline_condition``).
OPEN_WITH_DEADLINE = ("state IN ('open', 'paused') AND cancelled_on IS NULL AND deadline_on IS NOT NULL")
CLOSED_STATES = [s for s in JobOrderState if s.is_closed]


class JobOrder(SQLModel, table=True):
    """A company's request to fill one or more vacancies (jobordre)."""

    __tablename__ = "job_orders"
    __table_args__ = (
        # The state machine in states.py decides; the database refuses what it never allows.
        sa.CheckConstraint(
            f"({values_sql('state', OPEN_STATES)} AND closed_on IS NULL)"
            f" OR ({values_sql('state', CLOSED_STATES)} AND closed_on IS NOT NULL)",
            name="closed_on_state",
        ),
        sa.CheckConstraint("state <> 'unfilled' OR unfilled_reason IS NOT NULL", name="unfilled_reason"),
        sa.CheckConstraint("positions >= 1", name="positions"),
        sa.UniqueConstraint("company_id", "reference", name="uq_job_orders_company_reference"),
        # the list's default order (newest first, id as tie-breaker) without sorting the table
        sa.Index("ix_job_orders_received", "received_on", "id"),
        # The list filtered by a centre (and state), newest first: the commonest query at a centre.
        sa.Index("ix_job_orders_centre_state_received", "lead_centre_id", "state", "received_on", "id"),
        # ... and by a centre alone (any state), newest or oldest first.
        sa.Index("ix_job_orders_centre_received", "lead_centre_id", "received_on", "id"),
        # One centre's orders still open or closed from a day on (``reports.queries.unchanged_before``):
        # a centre's period report reads those, not the centre's whole history.
        sa.Index("ix_job_orders_centre_closed", "lead_centre_id", "closed_on"),
        # "Mit arbejde" and the list's "mine": a contact's open orders, oldest first, read in order
        sa.Index("ix_job_orders_contact_state_received", "contact_user_id", "state", "received_on", "id"),
        # What position outcomes refer to, so the database keeps every outcome's slot within positions.
        sa.Index("uq_job_orders_id_positions", "id", "positions", unique=True),
        enum_check("channel", Channel),
        enum_check("state", JobOrderState),
        enum_check("unfilled_reason", UnfilledReason),
        # The front page's orders past their deadline, a centre's, oldest deadline first: only the
        # open ones with a deadline are in it (``deadlines.past_deadline_condition`` says the same).
        sa.Index("ix_job_orders_centre_deadline_open", "lead_centre_id", "deadline_on", "id",
                 sqlite_where=sa.text(OPEN_WITH_DEADLINE), postgresql_where=sa.text(OPEN_WITH_DEADLINE)),
        # Jobnet / DFDG order number: unique when given (partial index; SQLite and PostgreSQL alike).
        sa.Index("uq_job_orders_jobnet_number", "jobnet_number", unique=True,
                 sqlite_where=sa.text("jobnet_number IS NOT NULL"),
                 postgresql_where=sa.text("jobnet_number IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="companies.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="agreements.id", index=True)
    title: str = Field(max_length=200)
    positions: int = Field(default=1)
    place_of_work: str = Field(default="", max_length=300)
    received_on: date
    channel: Channel = Field(sa_type=enum_type(Channel), default=Channel.other)
    start_on: date | None = Field(default=None)
    deadline_on: date | None = Field(default=None)
    requirements: str = Field(default="", max_length=4000)
    #: The centre that works the order; the company's lead unless changed with a reason.
    lead_centre_id: int = Field(foreign_key="job_centres.id", index=True)
    contact_user_id: int | None = Field(default=None, foreign_key="users.id")
    state: JobOrderState = Field(sa_type=enum_type(JobOrderState, 16), default=JobOrderState.open)
    closed_on: date | None = Field(default=None)
    unfilled_reason: UnfilledReason | None = Field(default=None, sa_type=enum_type(UnfilledReason))
    unfilled_reason_text: str = Field(default="", max_length=500)
    #: The number in the spreadsheet used before NRS; with the company it identifies an imported order.
    reference: str | None = Field(default=None, max_length=40)
    note: str = Field(default="", max_length=4000)
    #: DISCO-08 major group ("1".."9", "0"), see ``nrs.joborders.occupations``; optional.
    occupational_group: str | None = Field(default=None, max_length=2)
    #: The order's number at Jobnet / DFDG, when it has one (unique, searchable).
    jobnet_number: str | None = Field(default=None, max_length=40)
    #: Set when the order was registered in error: it stays with its history but counts in no figure
    #: (``nrs.joborders.corrections``); cleared when restored. Who did it: the audit log.
    cancelled_on: date | None = Field(default=None, index=True)  # the period report counts those of a period
    cancel_reason: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    #: Compared in every UPDATE: whoever saves on an old version is told, nothing is overwritten.
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_on is not None

    @property
    def is_closed(self) -> bool:
        return JobOrderState(self.state).is_closed


def counted_order():
    """``JobOrder`` counts in figures: it was not cancelled (``nrs.joborders.corrections``). For the
    ``where`` of every query that counts orders, on any date: here, beside the column, so the
    figure modules need not import the corrections' services."""
    return JobOrder.cancelled_on.is_(None)


# One state, newest or oldest first (read backwards), and the list sorted by state with the newest
# first inside each: the same index in the list's own direction, so no sort on any of them.
sa.Index("ix_job_orders_state_received", JobOrder.state, JobOrder.received_on.desc(), JobOrder.id.desc())


class JobOrderEvent(SQLModel, table=True):
    """One step in an order's life: received (no from-state), or a change of state."""

    __tablename__ = "job_order_events"
    __table_args__ = (
        enum_check("from_state", JobOrderState),
        enum_check("to_state", JobOrderState),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_order_id: int = Field(foreign_key="job_orders.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    #: The business date of the change; figures "as of" a date read this, not ``at``.
    on_date: date = Field(index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    from_state: JobOrderState | None = Field(default=None, sa_type=enum_type(JobOrderState, 16))
    to_state: JobOrderState = Field(sa_type=enum_type(JobOrderState, 16))
    reason: str = Field(default="", max_length=1000)


class Referral(SQLModel, table=True):
    """A centre's candidate put forward for an order, known by the centre's own case reference."""

    __tablename__ = "referrals"
    __table_args__ = (enum_check("outcome", ReferralOutcome),)

    id: int | None = Field(default=None, primary_key=True)
    job_order_id: int = Field(foreign_key="job_orders.id", index=True)
    referring_centre_id: int = Field(foreign_key="job_centres.id", index=True)
    #: Indexed: an as-of status reads the referrals of the days after a month-end snapshot.
    referred_on: date = Field(index=True)
    #: The centre's own case number: never a CPR number.
    case_reference: str = Field(default="", max_length=60)
    outcome: ReferralOutcome = Field(sa_type=enum_type(ReferralOutcome, 16), default=ReferralOutcome.referred)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    note: str = Field(default="", max_length=1000)
    #: Set when the referring centre withdrew a referral registered in error: kept, never counted.
    withdrawn_on: date | None = Field(default=None)
    withdrawn_reason: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Hire(SQLModel, table=True):
    """A hire that filled an order: whose candidate (centre) and when. Belongs to the fill event."""

    __tablename__ = "hires"

    id: int | None = Field(default=None, primary_key=True)
    job_order_id: int = Field(foreign_key="job_orders.id", index=True)
    #: The event that closed the order filled; a reopening leaves old hires with their old event.
    event_id: int | None = Field(default=None, foreign_key="job_order_events.id", index=True)
    centre_id: int = Field(foreign_key="job_centres.id", index=True)
    hired_on: date
    referral_id: int | None = Field(default=None, foreign_key="referrals.id")
    #: The first working day, when known (``hired_on`` is when the hire was agreed).
    start_on: date | None = Field(default=None)
    #: The hired person's home municipality code, when known (never more about the person).
    home_municipality_code: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class PositionOutcome(SQLModel, table=True):
    """What happened to one position (slot 1..positions) of an order, recorded by an event.

    A reopening undoes the order's live outcomes (``undone_event_id``/``undone_on``); the rows stay
    as history. The database itself keeps the rule "never more outcomes than positions", also under
    concurrent requests: a live outcome owns a slot (unique per order among live ones), and the slot
    must lie within the order's positions, which the row carries through a foreign key that follows
    every change of ``job_orders.positions`` (ON UPDATE CASCADE), so lowering positions below a live
    slot is refused too.
    """

    __tablename__ = "position_outcomes"
    __table_args__ = (
        sa.ForeignKeyConstraint(["job_order_id", "order_positions"], ["job_orders.id", "job_orders.positions"],
                                onupdate="CASCADE", name="fk_position_outcomes_order_positions"),
        sa.CheckConstraint("slot >= 1 AND slot <= order_positions", name="slot_within_positions"),
        sa.CheckConstraint("(kind = 'hired') = (hire_id IS NOT NULL)", name="hired_has_hire"),
        sa.CheckConstraint("kind <> 'unfilled' OR unfilled_reason IS NOT NULL", name="unfilled_reason"),
        sa.CheckConstraint("(undone_event_id IS NULL) = (undone_on IS NULL)", name="undone"),
        sa.Index("uq_position_outcomes_live_slot", "job_order_id", "slot", unique=True,
                 sqlite_where=sa.text("undone_event_id IS NULL"), postgresql_where=sa.text("undone_event_id IS NULL")),
        enum_check("kind", PositionOutcomeKind),
        enum_check("unfilled_reason", UnfilledReason),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_order_id: int = Field(index=True)
    #: A copy of the order's positions kept by the foreign key above (never written by hand).
    order_positions: int
    slot: int
    kind: PositionOutcomeKind = Field(sa_type=enum_type(PositionOutcomeKind, 16))
    #: The event that recorded it; ``on_date`` is that event's business date.
    event_id: int = Field(foreign_key="job_order_events.id", index=True)
    on_date: date = Field(index=True)
    hire_id: int | None = Field(default=None, foreign_key="hires.id", unique=True)
    unfilled_reason: UnfilledReason | None = Field(default=None, sa_type=enum_type(UnfilledReason))
    text: str = Field(default="", max_length=500)
    undone_event_id: int | None = Field(default=None, foreign_key="job_order_events.id")
    undone_on: date | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class HelpRequest(SQLModel, table=True):
    """The lead centre (or NRS itself, ``by_id`` null) asks the other centres for candidates."""

    __tablename__ = "help_requests"

    id: int | None = Field(default=None, primary_key=True)
    job_order_id: int = Field(foreign_key="job_orders.id", index=True)
    asked_at: datetime = Field(default_factory=utcnow)
    by_id: int | None = Field(default=None, foreign_key="users.id")
    message: str = Field(default="", max_length=1000)
    #: Set when a referral arrives or the order closes.
    resolved: bool = Field(default=False, index=True)


class JobOrderTally(SQLModel, table=True):
    """Today's figures as running counts, so the front page need not read ten years of history.

    One row per lead centre and current state; a filled row also keeps how many orders took how
    many days from received to filled (for the median). Kept by ``nrs.joborders.tally`` in the
    same transaction as every change to an order; the history (``nrs.reports.queries``) stays the
    answer for past dates, and the two must agree for today.
    """

    __tablename__ = "job_order_tally"
    __table_args__ = (enum_check("state", JobOrderState),)

    lead_centre_id: int = Field(foreign_key="job_centres.id", primary_key=True)
    state: JobOrderState = Field(sa_type=enum_type(JobOrderState, 16), primary_key=True)
    orders: int = Field(default=0)
    #: Live hires (positions) by a centre other than the lead.
    other_hires: int = Field(default=0)
    #: The orders' positions, and how many of them are live hired / other outcomes.
    positions: int = Field(default=0)
    positions_hired: int = Field(default=0)
    positions_other: int = Field(default=0)
    #: Filled only: ``{"days to fill": orders}`` as JSON text (a few hundred entries per centre).
    days_to_fill: str = Field(default="{}", sa_type=sa.Text)
