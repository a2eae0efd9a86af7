"""Every write about job orders. The only module that assigns a state.

Functions flush and never commit: the request, the command or the job owns the transaction.
Edits and state changes need the version the user saw (a hidden form field); the order is
versioned (``nrs.locking``), so of two people saving the same order at the same moment exactly
one wins and the other is told who changed it; nothing is overwritten silently. Who may do what
is ``nrs.joborders.policy``.
"""

from __future__ import annotations

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
from nrs.joborders import policy, tally
from nrs.joborders.models import (
    Channel,
    HelpRequest,
    Hire,
    JobOrder,
    JobOrderEvent,
    Referral,
    ReferralOutcome,
    UnfilledReason,
)
from nrs.joborders.states import CLOSED, JobOrderState, ensure_transition, is_reopening
from nrs.locking import check, saving
from nrs.municipalities.models import JobCentre
from nrs.notifications import events as notifications
from nrs.privacy.services import log_access
from nrs.security import has_role

#: Fields a lead-centre user may edit on an order (state fields go through ``transition``).
EDITABLE = ("title", "positions", "place_of_work", "received_on", "channel", "start_on", "deadline_on",
            "requirements", "lead_centre_id", "contact_user_id", "agreement_id", "note")
FREE_TEXT = ("title", "place_of_work", "requirements", "note", "reason", "unfilled_reason_text",
             "case_reference", "message")


@dataclass(frozen=True)
class NewHire:
    """One hire when an order is filled: the centre whose candidate got the job, and when."""

    centre_id: int
    hired_on: date
    referral_id: int | None = None


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


def _check_dates(received_on, start_on=None, deadline_on=None) -> None:
    if received_on is None:
        raise DomainError(_("Modtagelsesdato skal udfyldes."), field="received_on")
    if received_on > today():
        raise DomainError(_("Modtagelsesdatoen kan ikke ligge i fremtiden."), field="received_on")
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
    _check_dates(received_on, start_on, deadline_on)
    agreement_id = agreement_id or None
    _check_agreement(session, company.id, agreement_id)
    default_lead = company.lead_centre_id or getattr(by, "job_centre_id", None)
    lead = lead_centre_id or default_lead
    _centre_exists(session, lead, "lead_centre_id")
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
        state=JobOrderState.open, reference=reference, note=note or "",
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
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise DomainError(_("Stillingsbetegnelse skal udfyldes."), field="title")
    if "positions" in values and (values["positions"] is None or int(values["positions"]) < 1):
        raise DomainError(_("Antal stillinger skal være mindst 1."), field="positions")
    if "channel" in values:
        values["channel"] = Channel(values["channel"])
    _refers_to_existing(session, values)
    refuse_cpr(**{k: values.get(k) for k in ("title", "place_of_work", "requirements", "note")})
    _check_dates(values.get("received_on", order.received_on), values.get("start_on", order.start_on),
                 values.get("deadline_on", order.deadline_on))
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


def last_event(session: Session, order_id: int) -> JobOrderEvent | None:
    return session.exec(
        select(JobOrderEvent).where(JobOrderEvent.job_order_id == order_id)
        .order_by(JobOrderEvent.on_date.desc(), JobOrderEvent.id.desc())
    ).first()


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
) -> JobOrderEvent:
    """Move the order to ``to`` on the business date ``on_date``: one event, one audit entry.

    Filled needs at least one hire; unfilled needs a reason; reopening a closed order is a
    coordinator's action with a reason.
    """
    to = JobOrderState(to)
    on_date = on_date or today()
    reason = (reason or "").strip()
    refuse_cpr(reason=reason, unfilled_reason_text=unfilled_reason_text)
    old = JobOrderState(order.state)
    if is_reopening(old, to):
        policy.ensure_may_reopen(by, order)
    else:
        policy.ensure_may_work(by, order)
    check(session, order, expected_version)
    ensure_transition(old, to)
    if is_reopening(old, to) and not reason:
        raise DomainError(_("Skriv hvorfor jobordren genåbnes."), field="reason")
    _check_step_date(session, order, on_date)
    hires = list(hires)
    values: dict = {"state": to, "closed_on": on_date if to in CLOSED else None,
                    "unfilled_reason": None, "unfilled_reason_text": ""}
    if to == JobOrderState.filled:
        _check_hires(session, order, hires)
    if to == JobOrderState.unfilled:
        values.update(_unfilled(unfilled_reason, unfilled_reason_text))
    before = tally.contribution(session, order.id)
    _save(session, order, by=by, values=values)
    event = JobOrderEvent(job_order_id=order.id, on_date=on_date, user_id=getattr(by, "id", by),
                          from_state=old, to_state=to, reason=reason or _reason_text(to, unfilled_reason,
                                                                                       unfilled_reason_text))
    session.add(event)
    session.flush()
    _add_hires(session, order, event, hires, by=by)
    tally.record_change(session, before, tally.contribution(session, order.id))
    if to in CLOSED:
        _resolve_help(session, order.id)
    record(session, by=by, entity="job_order", entity_id=order.id, action="transition",
           changes={"state": [old, to], "closed_on": [None, values["closed_on"]],
                    **({"hires": [None, len(hires)]} if hires else {})},
           note=event.reason)
    session.flush()
    return event


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
    """At least one hire, each with a centre and a date, and a referral only of this order."""
    if not hires:
        raise DomainError(_("En besat jobordre skal have mindst én ansættelse (jobcenter og dato)."),
                          field="hires")
    for hire in hires:
        _centre_exists(session, hire.centre_id, "hires")
        if hire.hired_on is None:
            raise DomainError(_("Hver ansættelse skal have en dato."), field="hires")
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


def _add_hires(session: Session, order: JobOrder, event: JobOrderEvent, hires: list[NewHire], *, by) -> None:
    """The hires of a fill; a hire from a referral marks that referral hired (audited and access-logged)."""
    for hire in hires:
        session.add(Hire(job_order_id=order.id, event_id=event.id, centre_id=hire.centre_id,
                         hired_on=hire.hired_on, referral_id=hire.referral_id))
        if hire.referral_id:
            update_referral_outcome(session, session.get(Referral, hire.referral_id), by=by,
                                    outcome=ReferralOutcome.hired)
    session.flush()


def _reason_text(to: JobOrderState, code, text: str) -> str:
    if to == JobOrderState.unfilled and code:
        label = str(UnfilledReason(code).label)
        return f"{label}: {text}" if text else label
    return ""


def fill(session, order, *, by, expected_version, on_date=None, hires, reason=""):
    return transition(session, order, by=by, to=JobOrderState.filled, expected_version=expected_version,
                      on_date=on_date, hires=hires, reason=reason)


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
    if JobOrderState(order.state) != JobOrderState.open:
        raise DomainError(_("Der kan kun henvises kandidater til en åben jobordre."))
    case_reference = (case_reference or "").strip()
    refuse_cpr(case_reference=case_reference, note=note)
    centre_id = referring_centre_id or getattr(by, "job_centre_id", None)
    _centre_exists(session, centre_id, "referring_centre_id")
    if by is not None and not has_role(by, Role.admin) and centre_id != by.job_centre_id:
        raise DomainError(_("Du kan kun henvise fra dit eget jobcenter."), field="referring_centre_id")
    referred_on = referred_on or today()
    if referred_on < order.received_on:
        raise DomainError(_("Henvisningsdatoen kan ikke ligge før jobordren blev modtaget."), field="referred_on")
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
