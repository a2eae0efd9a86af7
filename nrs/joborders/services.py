"""Every write about job orders. The only module that assigns a state.

Functions flush and never commit: the request, the command or the job owns the transaction.
Edits and state changes need the version the user saw (a hidden form field); the order is
versioned (``nrs.locking``), so of two people saving the same order at the same moment exactly
one wins and the other is told who changed it; nothing is overwritten silently. Who may do what
is ``nrs.joborders.policy``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.agreements.models import Agreement
from nrs.audit.services import apply_changes, diff, record
from nrs.auth.models import Role, User
from nrs.clock import today, utcnow
from nrs.companies.models import Company
from nrs.errors import DomainError
from nrs.forms import contains_cpr
from nrs.joborders import corrections, dates, jobnet, occupations, policy, states, tally
from nrs.joborders.models import (
    Channel,
    HelpRequest,
    Hire,
    JobOrder,
    JobOrderEvent,
    PositionOutcome,
    PositionOutcomeKind,
    Referral,
    ReferralOutcome,
    UnfilledReason,
)
from nrs.joborders.states import (
    CLOSED,
    JobOrderState,
    ensure_transition,
    is_reopening,
    state_from_positions,
)
from nrs.locking import check, saving, stale
from nrs.municipalities.models import JobCentre, Municipality
from nrs.notifications import events as notifications
from nrs.privacy.services import log_access
from nrs.security import has_role

#: Fields a lead-centre user may edit on an order (state fields go through ``transition``).
EDITABLE = ("title", "positions", "place_of_work", "received_on", "channel", "start_on", "deadline_on",
            "requirements", "lead_centre_id", "contact_user_id", "agreement_id", "note", "occupational_group",
            "jobnet_number")
FREE_TEXT = ("title", "place_of_work", "requirements", "note", "reason", "unfilled_reason_text",
             "case_reference", "message")


@dataclass(frozen=True)
class NewHire:
    """One hire when an order is filled: the centre whose candidate got the job, and when."""

    centre_id: int
    hired_on: date
    referral_id: int | None = None
    start_on: date | None = None
    home_municipality_code: int | None = None


@dataclass(frozen=True)
class NewOutcome:
    """What happened to one position: hired (with its ``hire``), outside NRS, withdrawn, or unfilled (a reason)."""

    kind: PositionOutcomeKind | str
    hire: NewHire | None = None
    unfilled_reason: UnfilledReason | str | None = None
    text: str = ""


#: An order closed unfilled with one of these reasons gives its remaining positions this outcome.
_KIND_OF_REASON = {UnfilledReason.company_withdrew: PositionOutcomeKind.withdrawn,
                   UnfilledReason.filled_by_company: PositionOutcomeKind.outside}
_REASON_OF_KIND = {v: k for k, v in _KIND_OF_REASON.items()}


def outcome_for_reason(code: UnfilledReason | str, text: str = "") -> NewOutcome:
    """The position outcome an unfilled reason stands for (withdrawn, outside NRS, or unfilled with it)."""
    code = UnfilledReason(code)
    kind = _KIND_OF_REASON.get(code, PositionOutcomeKind.unfilled)
    return NewOutcome(kind, unfilled_reason=code if kind == PositionOutcomeKind.unfilled else None, text=text)


def refuse_cpr(**fields: str | None) -> None:
    """NRS must never store a CPR number: refuse any free text that looks like one."""
    for name, value in fields.items():
        if contains_cpr(value):
            raise DomainError(
                _("Feltet ligner et CPR-nummer. NRS må ikke gemme CPR-numre; brug jobcentrets sagsnummer."),
                field=name,
            )


def _save(session: Session, order: JobOrder, *, by, values: dict) -> None:
    """Write ``values`` to the order; another transaction's save since it was loaded refuses it."""
    with saving(session, order):
        for key, value in values.items():
            setattr(order, key, value)
        order.updated_at = utcnow()
        order.updated_by_id = getattr(by, "id", by)


def _check_agreement(session: Session, company_id: int, agreement_id: int | None) -> None:
    """An order links only to an agreement with its own company."""
    if agreement_id is None:
        return
    owner = session.execute(sa.select(Agreement.company_id).where(Agreement.id == agreement_id)).scalar_one_or_none()
    if owner is None:
        raise DomainError(_("Aftalen findes ikke."), field="agreement_id")
    if owner != company_id:
        raise DomainError(_("Aftalen hører til en anden virksomhed end jobordren."), field="agreement_id")


def _check_dates(session, lead_centre_id, received_on, start_on=None, deadline_on=None) -> None:
    dates.check_received(session, received_on, lead_centre_id)
    if start_on and start_on < received_on:
        raise DomainError(_("Startdatoen kan ikke ligge før modtagelsesdatoen."), field="start_on")
    if deadline_on and deadline_on < received_on:
        raise DomainError(_("Fristen kan ikke ligge før modtagelsesdatoen."), field="deadline_on")


def _centre_exists(session: Session, centre_id: int | None, field: str) -> None:
    if centre_id is None or session.get(JobCentre, centre_id) is None:
        raise DomainError(_("Vælg et af de ni jobcentre."), field=field)


def _refers_to_existing(session: Session, values: dict) -> None:
    """An id chosen in a form must point at a row: a stale page or a forged post is a field error."""
    for field, model in (("agreement_id", Agreement), ("contact_user_id", User)):
        ident = values.get(field)
        if ident and session.get(model, ident) is None:
            raise DomainError(_("Det valgte findes ikke (længere)."), field=field)


def log_job_order(
    session: Session,
    *,
    by,
    company: Company,
    title: str,
    received_on: date,
    positions: int = 1,
    place_of_work: str = "",
    channel: Channel | str = Channel.other,
    start_on: date | None = None,
    deadline_on: date | None = None,
    requirements: str = "",
    lead_centre_id: int | None = None,
    lead_reason: str = "",
    contact_user_id: int | None = None,
    agreement_id: int | None = None,
    reference: str | None = None,
    note: str = "",
    occupational_group: str | None = None,
    jobnet_number: str | None = None,
) -> JobOrder:
    """Log a new order, open from ``received_on``; its history starts with that event.

    The lead centre is the company's lead; another centre needs a reason (kept in the audit log).
    """
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Stillingsbetegnelse skal udfyldes."), field="title")
    if positions is None or int(positions) < 1:
        raise DomainError(_("Antal stillinger skal være mindst 1."), field="positions")
    refuse_cpr(title=title, place_of_work=place_of_work, requirements=requirements, note=note)
    agreement_id = agreement_id or None
    _check_agreement(session, company.id, agreement_id)
    default_lead = company.lead_centre_id or getattr(by, "job_centre_id", None)
    lead = lead_centre_id or default_lead
    _centre_exists(session, lead, "lead_centre_id")
    _check_dates(session, lead, received_on, start_on, deadline_on)
    jobnet_number = jobnet.clean_jobnet_number(session, jobnet_number)
    _refers_to_existing(session, {"agreement_id": agreement_id, "contact_user_id": contact_user_id})
    if company.lead_centre_id and lead != company.lead_centre_id and not (lead_reason or "").strip():
        raise DomainError(
            _("Skriv en begrundelse, når et andet jobcenter end virksomhedens skal være ansvarligt."),
            field="lead_reason",
        )
    order = JobOrder(
        company_id=company.id, agreement_id=agreement_id, title=title, positions=int(positions),
        place_of_work=place_of_work or "", received_on=received_on, channel=Channel(channel),
        start_on=start_on, deadline_on=deadline_on, requirements=requirements or "",
        lead_centre_id=lead, contact_user_id=contact_user_id if contact_user_id else None,
        state=JobOrderState.open, reference=reference, note=note or "", jobnet_number=jobnet_number,
        occupational_group=_occupational_group(occupational_group),
        updated_by_id=getattr(by, "id", by),
    )
    session.add(order)
    session.flush()
    session.add(JobOrderEvent(job_order_id=order.id, on_date=received_on, user_id=getattr(by, "id", by),
                              from_state=None, to_state=JobOrderState.open, reason=_("Modtaget")))
    session.flush()
    tally.record_change(session, None, tally.contribution(session, order.id))
    record(session, by=by, entity="job_order", entity_id=order.id, action="create",
           changes={"title": [None, title], "company_id": [None, company.id], "lead_centre_id": [None, lead]},
           note=(lead_reason or "").strip())
    notifications.order_logged(session, order, by=by, company=company)
    session.flush()
    return order


def update_job_order(session: Session, order: JobOrder, *, by, expected_version: int, lead_reason: str = "",
                     **values) -> dict:
    """Save an edit of the order's facts; a change of lead centre needs a reason. Returns the changes."""
    policy.ensure_may_work(by, order)
    check(session, order, expected_version)
    corrections.ensure_not_cancelled(order)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise DomainError(_("Stillingsbetegnelse skal udfyldes."), field="title")
    if "positions" in values and (values["positions"] is None or int(values["positions"]) < 1):
        raise DomainError(_("Antal stillinger skal være mindst 1."), field="positions")
    _normalise(session, order, values)
    _refers_to_existing(session, values)
    refuse_cpr(**{k: values.get(k) for k in ("title", "place_of_work", "requirements", "note")})
    _check_dates(session, values.get("lead_centre_id", order.lead_centre_id),
                 values.get("received_on", order.received_on), values.get("start_on", order.start_on),
                 values.get("deadline_on", order.deadline_on))
    if "jobnet_number" in values:
        values["jobnet_number"] = jobnet.clean_jobnet_number(session, values["jobnet_number"], order_id=order.id)
    if order.closed_on and values.get("received_on", order.received_on) > order.closed_on:
        raise DomainError(_("Modtagelsesdatoen kan ikke ligge efter lukkedatoen."), field="received_on")
    changes = diff(order, values)
    if "received_on" in changes:
        first_step = session.execute(
            sa.select(sa.func.min(JobOrderEvent.on_date))
            .where(JobOrderEvent.job_order_id == order.id, JobOrderEvent.from_state.is_not(None))
        ).scalar_one_or_none()
        if first_step is not None and values["received_on"] > first_step:
            raise DomainError(_("Modtagelsesdatoen kan ikke ligge efter første ændring i historikken (%(d)s).",
                                d=first_step.strftime("%d-%m-%Y")), field="received_on")
    if "agreement_id" in changes:
        _check_agreement(session, order.company_id, values["agreement_id"])
    if "lead_centre_id" in changes:
        _centre_exists(session, values["lead_centre_id"], "lead_centre_id")
        if not (lead_reason or "").strip():
            raise DomainError(_("Skriv en begrundelse for at skifte ansvarligt jobcenter."), field="lead_reason")
    if not changes:
        return {}
    before = tally.contribution(session, order.id)
    _save(session, order, by=by, values={k: values[k] for k in changes})
    if "received_on" in changes:
        session.execute(
            sa.update(JobOrderEvent)
            .where(JobOrderEvent.job_order_id == order.id, JobOrderEvent.from_state.is_(None))
            .values(on_date=order.received_on)
        )
    tally.record_change(session, before, tally.contribution(session, order.id))
    record(session, by=by, entity="job_order", entity_id=order.id, action="update", changes=changes,
           note=(lead_reason or "").strip())
    session.flush()
    return changes


def _normalise(session: Session, order: JobOrder, values: dict) -> None:
    """An edit's channel, occupational group and positions as the order stores them (or refused)."""
    if "channel" in values:
        values["channel"] = Channel(values["channel"])
    if "occupational_group" in values:
        values["occupational_group"] = _occupational_group(values["occupational_group"])
    if "positions" in values and int(values["positions"]) != order.positions:
        _check_new_positions(session, order, int(values["positions"]))


def last_event(session: Session, order_id: int) -> JobOrderEvent | None:
    return session.exec(
        select(JobOrderEvent).where(JobOrderEvent.job_order_id == order_id)
        .order_by(JobOrderEvent.on_date.desc(), JobOrderEvent.id.desc())
    ).first()


def _occupational_group(code: str | None) -> str | None:
    code = (code or "").strip() or None
    if code is not None and code not in occupations.GROUPS:
        raise DomainError(_("Vælg en af faggrupperne på listen."), field="occupational_group")
    return code


def live_outcomes(session: Session, order_id: int) -> list[PositionOutcome]:
    """The order's outcomes not undone by a reopening, by slot."""
    return list(session.exec(
        select(PositionOutcome).where(PositionOutcome.job_order_id == order_id,
                                      PositionOutcome.undone_event_id.is_(None))
        .order_by(PositionOutcome.slot)
    ).all())


@dataclass(frozen=True)
class PositionCounts:
    positions: int
    hired: int
    other: int

    @property
    def open(self) -> int:
        return self.positions - self.hired - self.other


def position_counts(session: Session, order: JobOrder) -> PositionCounts:
    live = live_outcomes(session, order.id)
    hired = sum(1 for o in live if o.kind == PositionOutcomeKind.hired)
    return PositionCounts(order.positions, hired, len(live) - hired)


def _check_new_positions(session: Session, order: JobOrder, positions: int) -> None:
    """Positions never drop below the outcomes recorded; a closed order keeps its count (reopen first);
    an open order cannot be closed by an edit (say what happened to the positions instead)."""
    if positions < 1:
        return
    counts = position_counts(session, order)
    if order.is_closed:
        raise DomainError(_("Antal stillinger kan ikke ændres på en lukket jobordre. Genåbn den først."),
                          field="positions")
    if positions <= counts.hired + counts.other:
        raise DomainError(_("%(n)d stillinger har allerede et udfald. Antallet skal være større, "
                            "eller jobordren skal lukkes.", n=counts.hired + counts.other), field="positions")


def transition(
    session: Session,
    order: JobOrder,
    *,
    by,
    to: JobOrderState | str,
    expected_version: int,
    on_date: date | None = None,
    reason: str = "",
    hires: Iterable[NewHire] = (),
    unfilled_reason: UnfilledReason | str | None = None,
    unfilled_reason_text: str = "",
    remaining: NewOutcome | None = None,
) -> JobOrderEvent:
    """Move the order to ``to`` on the business date ``on_date``: one event, one audit entry.

    Closing says what happened to every position still open: ``hires`` for those hired, then
    ``remaining`` for the rest (closing unfilled: the reason's outcome). The state itself follows
    from the positions (``states.state_from_positions``), so closing "unfilled" an order with a
    hire closes it filled. Reopening a closed order is a coordinator's action with a reason and
    undoes its outcomes (the positions are open again).
    """
    to = JobOrderState(to)
    old = JobOrderState(order.state)
    if to in CLOSED:
        policy.ensure_may_work(by, order)
        check(session, order, expected_version)
        if old in CLOSED:
            ensure_transition(old, to)
        outcomes = [NewOutcome(PositionOutcomeKind.hired, hire=h) for h in hires]
        if to == JobOrderState.filled and not outcomes and not position_counts(session, order).hired:
            raise DomainError(_("En besat jobordre skal have mindst én ansættelse (jobcenter og dato)."),
                              field="hires")
        if to == JobOrderState.unfilled:
            values = _unfilled(unfilled_reason, unfilled_reason_text)
            remaining = outcome_for_reason(values["unfilled_reason"], values["unfilled_reason_text"])
        return resolve_positions(session, order, by=by, expected_version=expected_version, on_date=on_date,
                                 outcomes=outcomes, remaining=remaining, reason=reason, closing=True)
    reason = (reason or "").strip()
    refuse_cpr(reason=reason)
    if is_reopening(old, to):
        policy.ensure_may_reopen(by, order)
    else:
        policy.ensure_may_work(by, order)
    check(session, order, expected_version)
    corrections.ensure_not_cancelled(order)
    ensure_transition(old, to)
    if is_reopening(old, to) and not reason:
        raise DomainError(_("Skriv hvorfor jobordren genåbnes."), field="reason")
    on_date = on_date or today()
    _check_step_date(session, order, on_date)
    values = {"state": to, "closed_on": None, "unfilled_reason": None, "unfilled_reason_text": ""}
    before = tally.contribution(session, order.id)
    _save(session, order, by=by, values=values)
    event = JobOrderEvent(job_order_id=order.id, on_date=on_date, user_id=getattr(by, "id", by),
                          from_state=old, to_state=to, reason=reason)
    session.add(event)
    session.flush()
    undone = 0
    if is_reopening(old, to):
        undone = session.execute(
            sa.update(PositionOutcome)
            .where(PositionOutcome.job_order_id == order.id, PositionOutcome.undone_event_id.is_(None))
            .values(undone_event_id=event.id, undone_on=on_date)
            .execution_options(synchronize_session=False)
        ).rowcount
    tally.record_change(session, before, tally.contribution(session, order.id))
    record(session, by=by, entity="job_order", entity_id=order.id, action="transition",
           changes={"state": [old, to], **({"outcomes": [undone, 0]} if undone else {})}, note=event.reason)
    session.flush()
    return event


def resolve_positions(
    session: Session,
    order: JobOrder,
    *,
    by,
    expected_version: int,
    on_date: date | None = None,
    outcomes: Iterable[NewOutcome] = (),
    remaining: NewOutcome | None = None,
    reason: str = "",
    closing: bool = False,
) -> JobOrderEvent:
    """Record what happened to some of the order's open positions, as one event in its history.

    ``remaining`` (if given) is the outcome of every position still open after ``outcomes``;
    ``closing`` asks that none stays open. The state follows from the positions: closed when
    all have an outcome (``states.state_from_positions``). Never more outcomes than positions
    (refused here, and by the database: see ``PositionOutcome``).
    """
    reason = (reason or "").strip()
    refuse_cpr(reason=reason, unfilled_reason_text=getattr(remaining, "text", ""),
               **{f"text{i}": o.text for i, o in enumerate(outcomes)})
    policy.ensure_may_work(by, order)
    check(session, order, expected_version)
    # Lock the order's row before counting its open positions: a concurrent writer that got there
    # first has then committed, and this one is told the order changed (not "no position open").
    locked = session.execute(sa.select(JobOrder.version).where(JobOrder.id == order.id).with_for_update())
    if locked.scalar_one() != order.version:
        raise stale(session, order)
    old = JobOrderState(order.state)
    if old in CLOSED:
        ensure_transition(old, JobOrderState.filled)  # says: reopen it first
    on_date = on_date or today()
    _check_step_date(session, order, on_date)
    counts = position_counts(session, order)
    outcomes = [_checked_outcome(session, order, o) for o in outcomes]
    if len(outcomes) > counts.open:
        raise DomainError(_("Jobordren har %(n)d åbne stillinger; der kan ikke registreres flere udfald end det.",
                            n=counts.open), field="hires")
    if remaining is not None:
        outcomes += [_checked_outcome(session, order, remaining)] * (counts.open - len(outcomes))
    if not outcomes:
        raise DomainError(_("Angiv hvad der skete med mindst én stilling."), field="hires")
    hired = counts.hired + sum(1 for o in outcomes if o.kind == PositionOutcomeKind.hired)
    new_state = state_from_positions(old, positions=order.positions, hired=hired,
                                     other=counts.hired + counts.other + len(outcomes) - hired)
    if closing and new_state not in CLOSED:
        raise DomainError(_("Angiv hvad der skete med de %(n)d øvrige stillinger.",
                            n=counts.open - len(outcomes)), field="remaining")
    if new_state != old:
        ensure_transition(old, new_state)
    values: dict = {"state": new_state, "closed_on": on_date if new_state in CLOSED else None,
                    "unfilled_reason": None, "unfilled_reason_text": ""}
    if new_state == JobOrderState.unfilled:
        first = next(o for o in outcomes)
        values.update(unfilled_reason=first.unfilled_reason or _REASON_OF_KIND.get(first.kind, UnfilledReason.other),
                      unfilled_reason_text=first.text)
    before = tally.contribution(session, order.id)
    _save(session, order, by=by, values=values)
    event = JobOrderEvent(job_order_id=order.id, on_date=on_date, user_id=getattr(by, "id", by),
                          from_state=old, to_state=new_state,
                          reason=reason or _outcomes_text(outcomes, order.positions, hired))
    session.add(event)
    session.flush()
    _add_outcomes(session, order, event, outcomes, by=by)
    tally.record_change(session, before, tally.contribution(session, order.id))
    if new_state in CLOSED:
        _resolve_help(session, order.id)
    record(session, by=by, entity="job_order", entity_id=order.id, action="transition",
           changes={"state": [old, new_state], "closed_on": [None, values["closed_on"]],
                    "outcomes": [None, [o.kind.value for o in outcomes]]},
           note=event.reason)
    session.flush()
    return event


def undo_outcome(session: Session, order: JobOrder, *, by, expected_version: int, outcome_id: int,
                 reason: str, on_date: date | None = None) -> JobOrderEvent:
    """Undo one position's outcome recorded in error (a wrong "hired" or "withdrawn"), as one event.

    The order's row is locked as in ``resolve_positions``; the outcome stays as history, undone from
    ``on_date`` (so figures as of earlier dates keep it); the position is open again and the state
    follows from the positions (``states.state_from_positions``): a closed order reopens. Like a
    reopening it is the lead centre's coordinator's correction, with a reason.
    """
    reason = (reason or "").strip()
    refuse_cpr(reason=reason)
    policy.ensure_may_reopen(by, order)
    check(session, order, expected_version)
    corrections.ensure_not_cancelled(order)
    if not reason:
        raise DomainError(_("Skriv hvorfor udfaldet fortrydes."), field="reason")
    locked = session.execute(sa.select(JobOrder.version).where(JobOrder.id == order.id).with_for_update())
    if locked.scalar_one() != order.version:
        raise stale(session, order)
    outcome = session.get(PositionOutcome, outcome_id) if outcome_id else None
    if outcome is None or outcome.job_order_id != order.id or outcome.undone_event_id is not None:
        raise DomainError(_("Vælg et af stillingernes registrerede udfald."), field="outcome_id")
    on_date = on_date or today()
    _check_step_date(session, order, on_date)  # not before the outcome's own event, nor in the future
    old = JobOrderState(order.state)
    counts = position_counts(session, order)
    was_hired = PositionOutcomeKind(outcome.kind) == PositionOutcomeKind.hired
    hired = counts.hired - was_hired
    new_state = state_from_positions(old, positions=order.positions, hired=hired,
                                     other=counts.other - (not was_hired))
    if new_state != old:
        ensure_transition(old, new_state)
    before = tally.contribution(session, order.id)
    _save(session, order, by=by, values={"state": new_state, "closed_on": None, "unfilled_reason": None,
                                         "unfilled_reason_text": ""})
    what = _("Stilling %(n)d: %(kind)s fortrudt", n=outcome.slot, kind=PositionOutcomeKind(outcome.kind).label)
    event = JobOrderEvent(job_order_id=order.id, on_date=on_date, user_id=getattr(by, "id", by),
                          from_state=old, to_state=new_state, reason=f"{what}: {reason}")
    session.add(event)
    session.flush()
    outcome.undone_event_id, outcome.undone_on = event.id, on_date
    session.add(outcome)
    session.flush()
    tally.record_change(session, before, tally.contribution(session, order.id))
    record(session, by=by, entity="job_order", entity_id=order.id, action="undo_outcome",
           changes={"state": [old, new_state], "outcome": [PositionOutcomeKind(outcome.kind).value, None],
                    "slot": [outcome.slot, None]}, note=reason)
    session.flush()
    return event


def _checked_outcome(session: Session, order: JobOrder, outcome: NewOutcome) -> NewOutcome:
    kind = PositionOutcomeKind(outcome.kind)
    text = (outcome.text or "").strip()
    if kind == PositionOutcomeKind.hired:
        if outcome.hire is None:
            raise DomainError(_("En ansættelse skal have jobcenter og dato."), field="hires")
        _check_hires(session, order, [outcome.hire])
        return NewOutcome(kind, hire=outcome.hire)
    if kind == PositionOutcomeKind.unfilled:
        values = _unfilled(outcome.unfilled_reason, text)
        return NewOutcome(kind, unfilled_reason=values["unfilled_reason"], text=values["unfilled_reason_text"])
    return NewOutcome(kind, text=text)


def _outcomes_text(outcomes: list[NewOutcome], positions: int, hired: int) -> str:
    def label(o: NewOutcome) -> str:  # an unfilled position says why ("Ikke besat (Fristen udløb)")
        kind = PositionOutcomeKind(o.kind)
        if kind == PositionOutcomeKind.unfilled and o.unfilled_reason:
            return f"{kind.label} ({UnfilledReason(o.unfilled_reason).label})"
        return str(kind.label)

    parts = [f"{text}: {n}" for text, n in Counter(label(o) for o in outcomes).items()]
    return "; ".join(parts) + (f" ({states.filled_text(positions, hired)})" if positions > 1 else "")


def _check_step_date(session: Session, order: JobOrder, on_date: date) -> None:
    """A step is dated between the order's receipt (and its latest step) and today."""
    if on_date > today():
        raise DomainError(_("Datoen kan ikke ligge i fremtiden."), field="on_date")
    if on_date < order.received_on:
        raise DomainError(_("Datoen kan ikke ligge før jobordren blev modtaget (%(d)s).",
                            d=order.received_on.strftime("%d-%m-%Y")), field="on_date")
    previous = last_event(session, order.id)
    if previous is not None and on_date < previous.on_date:
        raise DomainError(_("Datoen kan ikke ligge før seneste ændring i historikken (%(d)s).",
                            d=previous.on_date.strftime("%d-%m-%Y")), field="on_date")


def _check_hires(session: Session, order: JobOrder, hires: list[NewHire]) -> None:
    """Each hire with a centre and a date, and a referral only of this order."""
    for hire in hires:
        _centre_exists(session, hire.centre_id, "hires")
        if hire.hired_on is None:
            raise DomainError(_("Hver ansættelse skal have en dato."), field="hires")
        dates.check_after_receipt(hire.hired_on, order.received_on, "hire", "hires")
        if hire.home_municipality_code and session.get(Municipality, hire.home_municipality_code) is None:
            raise DomainError(_("Bopælskommunen findes ikke (skriv kommunekoden, fx 201)."), field="hires")
        if hire.start_on is not None and hire.start_on < order.received_on:
            raise DomainError(_("Startdatoen kan ikke ligge før jobordren blev modtaget."), field="hires")
        if hire.referral_id is not None:
            referral = session.get(Referral, hire.referral_id)
            if referral is None or referral.job_order_id != order.id:
                raise DomainError(_("En ansættelse peger på en henvisning til en anden jobordre."), field="hires")


def _unfilled(code: UnfilledReason | str | None, text: str) -> dict:
    """The reason an order closes unfilled; "other" needs words."""
    if not code:
        raise DomainError(_("Vælg hvorfor jobordren lukkes uden besættelse."), field="unfilled_reason")
    code = UnfilledReason(code)
    text = (text or "").strip()
    if code == UnfilledReason.other and not text:
        raise DomainError(_("Beskriv årsagen, når du vælger 'Andet'."), field="unfilled_reason_text")
    return {"unfilled_reason": code, "unfilled_reason_text": text}


def _add_outcomes(session: Session, order: JobOrder, event: JobOrderEvent, outcomes: list[NewOutcome], *,
                  by) -> None:
    """One row per position, in the free slots; a hire from a referral marks that referral hired."""
    taken = {o.slot for o in live_outcomes(session, order.id)}
    free = (slot for slot in range(1, order.positions + 1) if slot not in taken)
    for outcome, slot in zip(outcomes, free, strict=False):
        hire_id = None
        if outcome.hire is not None:
            h = outcome.hire
            row = Hire(job_order_id=order.id, event_id=event.id, centre_id=h.centre_id, hired_on=h.hired_on,
                       referral_id=h.referral_id, start_on=h.start_on, home_municipality_code=h.home_municipality_code)
            session.add(row)
            session.flush()
            hire_id = row.id
            if h.referral_id:
                update_referral_outcome(session, session.get(Referral, h.referral_id), by=by,
                                        outcome=ReferralOutcome.hired)
        session.add(PositionOutcome(job_order_id=order.id, order_positions=order.positions, slot=slot,
                                    kind=PositionOutcomeKind(outcome.kind), event_id=event.id,
                                    on_date=event.on_date, hire_id=hire_id, unfilled_reason=outcome.unfilled_reason,
                                    text=outcome.text))
    session.flush()


def fill(session, order, *, by, expected_version, on_date=None, hires, reason="", remaining=None):
    return transition(session, order, by=by, to=JobOrderState.filled, expected_version=expected_version,
                      on_date=on_date, hires=hires, reason=reason, remaining=remaining)


def close_unfilled(session, order, *, by, expected_version, on_date=None, unfilled_reason, unfilled_reason_text=""):
    return transition(session, order, by=by, to=JobOrderState.unfilled, expected_version=expected_version,
                      on_date=on_date, unfilled_reason=unfilled_reason, unfilled_reason_text=unfilled_reason_text)


def pause(session, order, *, by, expected_version, on_date=None, reason=""):
    return transition(session, order, by=by, to=JobOrderState.paused, expected_version=expected_version,
                      on_date=on_date, reason=reason)


def resume(session, order, *, by, expected_version, on_date=None, reason=""):
    return transition(session, order, by=by, to=JobOrderState.open, expected_version=expected_version,
                      on_date=on_date, reason=reason)


def reopen(session, order, *, by, expected_version, on_date=None, reason):
    if not JobOrderState(order.state).is_closed:
        raise DomainError(_("Kun en lukket jobordre kan genåbnes."))
    return transition(session, order, by=by, to=JobOrderState.open, expected_version=expected_version,
                      on_date=on_date, reason=reason)


def _resolve_help(session: Session, order_id: int) -> None:
    session.execute(
        sa.update(HelpRequest)
        .where(HelpRequest.job_order_id == order_id, HelpRequest.resolved.is_(False))
        .values(resolved=True)
        .execution_options(synchronize_session=False)
    )


def add_referral(
    session: Session,
    order: JobOrder,
    *,
    by,
    referred_on: date | None = None,
    case_reference: str = "",
    referring_centre_id: int | None = None,
    outcome: ReferralOutcome | str = ReferralOutcome.referred,
    note: str = "",
) -> Referral:
    """Any centre refers a candidate to an open order, known by the centre's own case number."""
    corrections.ensure_not_cancelled(order)
    if JobOrderState(order.state) != JobOrderState.open:
        raise DomainError(_("Der kan kun henvises kandidater til en åben jobordre."))
    case_reference = (case_reference or "").strip()
    refuse_cpr(case_reference=case_reference, note=note)
    centre_id = referring_centre_id or getattr(by, "job_centre_id", None)
    _centre_exists(session, centre_id, "referring_centre_id")
    if by is not None and not has_role(by, Role.admin) and centre_id != by.job_centre_id:
        raise DomainError(_("Du kan kun henvise fra dit eget jobcenter."), field="referring_centre_id")
    referred_on = referred_on or today()
    dates.check_after_receipt(referred_on, order.received_on, "referral", "referred_on")
    referral = Referral(job_order_id=order.id, referring_centre_id=centre_id, referred_on=referred_on,
                        case_reference=case_reference, outcome=ReferralOutcome(outcome),
                        user_id=getattr(by, "id", by), note=(note or "").strip())
    session.add(referral)
    session.flush()
    _resolve_help(session, order.id)
    record(session, by=by, entity="referral", entity_id=referral.id, action="create",
           changes={"job_order_id": [None, order.id], "referring_centre_id": [None, centre_id]})
    log_access(session, user=by, action="create", entity_type="referral", entity_id=referral.id,
               purpose="henvisning til jobordre")
    return referral


def update_referral_outcome(session: Session, referral: Referral, *, by, outcome: ReferralOutcome | str,
                            note: str | None = None) -> dict:
    """The referring centre or the lead centre records how it went (interview, hired, rejected)."""
    policy.ensure_may_change_referral(by, referral, session.get(JobOrder, referral.job_order_id))
    values = {"outcome": ReferralOutcome(outcome)}
    if note is not None:
        refuse_cpr(note=note)
        values["note"] = note.strip()
    changes = apply_changes(referral, values)
    if changes:
        referral.updated_at = utcnow()
        record(session, by=by, entity="referral", entity_id=referral.id, action="update", changes=changes)
        log_access(session, user=by, action="update", entity_type="referral", entity_id=referral.id,
                   purpose="resultat af henvisning")
    session.flush()
    return changes


def request_help(session: Session, order: JobOrder, *, by, message: str = "") -> HelpRequest:
    """Ask the other centres for candidates; the order shows on every centre's "help wanted" list.

    ``by`` None is NRS asking by itself (see ``jobs.request_help_for_idle_orders``).
    """
    if JobOrderState(order.state) != JobOrderState.open:
        raise DomainError(_("Der kan kun bedes om hjælp til en åben jobordre."))
    policy.ensure_may_work(by, order)
    refuse_cpr(message=message)
    existing = session.exec(
        select(HelpRequest).where(HelpRequest.job_order_id == order.id, HelpRequest.resolved.is_(False))
    ).first()
    if existing is not None:
        raise DomainError(_("Der er allerede bedt om hjælp til denne jobordre."))
    help_request = _ask(session, order.id, by=by, message=message)
    session.flush()
    return help_request


def ask_automatically(session: Session, order_ids: Iterable[int], *, message: str) -> int:
    """NRS asks for help on behalf of idle open orders (the caller picked them; see jobs.py)."""
    n = 0
    for order_id in order_ids:
        _ask(session, order_id, by=None, message=message)
        n += 1
    session.flush()
    return n


def _ask(session: Session, order_id: int, *, by, message: str) -> HelpRequest:
    help_request = HelpRequest(job_order_id=order_id, by_id=getattr(by, "id", by), message=(message or "").strip())
    session.add(help_request)
    session.flush()
    notifications.help_asked(session, help_request, now=help_request.asked_at)
    record(session, by=by, entity="job_order", entity_id=order_id, action="help_request",
           note=help_request.message or ("automatisk" if by is None else ""))
    return help_request
