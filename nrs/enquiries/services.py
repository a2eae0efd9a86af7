"""Writes for enquiries: log one, route it, take, answer, close, re-route, convert; each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nrs.activities.models import ActivityKind
from nrs.activities.services import record_activity
from nrs.agreements.services import create_agreement
from nrs.audit.services import apply_changes, record
from nrs.auth.models import Role, User
from nrs.clock import local, utcnow
from nrs.companies.models import Company
from nrs.companies.models import Contact as CompanyContact
from nrs.config import Settings
from nrs.enquiries import policy
from nrs.enquiries.models import (
    Enquiry,
    EnquiryAttachment,
    EnquiryChannel,
    EnquiryStatus,
    EnquirySubject,
)
from nrs.errors import DomainError
from nrs.forms import cvr_problem, email_problem
from nrs.joborders.models import Channel
from nrs.joborders.services import log_job_order
from nrs.locking import check, saving
from nrs.mail.services import enqueue
from nrs.municipalities.models import JobCentre
from nrs.notifications import events as notification_events

#: Longest text kept from an enquiry (a long e-mail thread is cut, with a note).
MAX_TEXT = 20000
#: The kind of activity an enquiry's channel becomes when it is converted into one.
ACTIVITY_KIND = {EnquiryChannel.phone: ActivityKind.call, EnquiryChannel.mailbox: ActivityKind.email,
                 EnquiryChannel.web: ActivityKind.email, EnquiryChannel.visit: ActivityKind.visit}
#: The job-order channel an enquiry's channel becomes when it is converted.
ORDER_CHANNEL = {EnquiryChannel.phone: Channel.shared_phone, EnquiryChannel.mailbox: Channel.shared_mailbox,
                 EnquiryChannel.visit: Channel.visit}


@dataclass(frozen=True)
class Contact:
    """The person who contacted us (a business contact)."""

    name: str = ""
    phone: str = ""
    email: str = ""


def route(company: Company | None) -> int | None:
    """The centre an enquiry goes to: the company's lead centre, as ``assign_lead`` set it.

    ``nrs.companies.services.assign_lead`` is the one lead rule; an enquiry follows its result.
    A prospect, or a company outside the nine, goes to the coordinators' queue (None).
    """
    return company.lead_centre_id if company is not None else None


def find_company(session: Session, cvr: str) -> Company | None:
    return session.exec(select(Company).where(Company.cvr == cvr)).first()


def _clean_contact(contact: Contact) -> Contact:
    email = (contact.email or "").strip()
    if email and email_problem(email):
        raise DomainError(_("E-mailadressen er ikke gyldig."), field="email")
    return Contact(name=(contact.name or "").strip()[:200], phone=(contact.phone or "").strip()[:40],
                   email=email[:254])


def create_enquiry(
    session: Session, *, by, channel: EnquiryChannel | str, text: str, settings: Settings | None,
    company: Company | None = None, cvr: str = "", company_name: str = "", contact: Contact = Contact(),
    subject: EnquirySubject | str = EnquirySubject.other, received_at: datetime | None = None,
    message_id: str | None = None, cpr_masked: bool = False, notify: bool = True,
) -> Enquiry | None:
    """Log an enquiry and tell its centre; None if ``message_id`` is already an enquiry.

    The company is ``company``, else the one with CVR number ``cvr``; otherwise the enquiry is
    for a prospect (``company_name``, and ``cvr`` if given) to be matched later. A unique
    Message-ID decides between two fetches of the same e-mail (the loser's savepoint rolls back).
    """
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Skriv hvad henvendelsen drejer sig om."), field="text")
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\n[…]"
    cvr = (cvr or "").strip()
    if company is None and cvr:
        if cvr_problem(cvr):
            raise DomainError(cvr_problem(cvr), field="cvr")
        company = find_company(session, cvr)
    company_name = (company_name or "").strip()
    if company is None and not company_name and not cvr:
        raise DomainError(_("Angiv virksomhedens CVR-nummer eller navn."), field="company_name")
    contact = _clean_contact(contact)
    enquiry = Enquiry(
        received_at=received_at or utcnow(), channel=EnquiryChannel(channel), subject=EnquirySubject(subject),
        company_id=company.id if company else None,
        prospect_name="" if company else company_name[:300], prospect_cvr="" if company else cvr,
        contact_name=contact.name, contact_phone=contact.phone, contact_email=contact.email,
        text=text, cpr_masked=cpr_masked, lead_centre_id=route(company), message_id=message_id,
        created_by_id=getattr(by, "id", by),
    )
    if message_id is None:  # only a message's Message-ID can clash (a concurrent fetch of the same mail)
        session.add(enquiry)
        session.flush()
    else:
        try:
            with session.begin_nested():
                session.add(enquiry)
                session.flush()
        except IntegrityError:
            if session.exec(select(Enquiry.id).where(Enquiry.message_id == message_id)).first() is not None:
                return None
            raise
    record(session, by=by, entity="enquiry", entity_id=enquiry.id, action="create",
           changes={"channel": [None, enquiry.channel.value], "company_id": [None, enquiry.company_id],
                    "lead_centre_id": [None, enquiry.lead_centre_id]})
    if notify:
        tell_centre(session, enquiry, settings=settings)
    return enquiry


def coordinators(session: Session, centre_id: int | None) -> list[User]:
    """The coordinators told of a new enquiry: the centre's, or all of them for the coordinators' queue."""
    stmt = select(User).where(User.active.is_(True), User.role == Role.coordinator)
    if centre_id is not None:
        stmt = stmt.where(User.job_centre_id == centre_id)
    return list(session.exec(stmt.order_by(User.id)))


def label(session: Session, enquiry: Enquiry) -> str:
    """The company's name, or the prospect's."""
    if enquiry.company_id is not None:
        return session.get(Company, enquiry.company_id).name
    return enquiry.prospect_name or enquiry.prospect_cvr or _("ukendt virksomhed")


def tell_centre(session: Session, enquiry: Enquiry, *, settings: Settings) -> None:
    """E-mail the lead centre's coordinators through the outbox, once per enquiry and person, and
    notify them (and the centre's staff who opted in) in the app (``notifications.events``)."""
    name = label(session, enquiry)
    notification_events.enquiry_received(session, enquiry, company_name=name)
    link = f"{settings.base_url.rstrip('/')}/henvendelser/{enquiry.id}"
    when = local(enquiry.received_at).strftime("%d-%m-%Y %H:%M")
    for user in coordinators(session, enquiry.lead_centre_id):
        enqueue(session, key=f"enquiry:{enquiry.id}:{user.id}", to=user.email,
                subject=_("Ny henvendelse fra %(name)s", name=name),
                text=_("Der er kommet en ny henvendelse (%(channel)s, %(when)s) fra %(name)s.\n\n%(link)s\n",
                       channel=enquiry.channel.label, when=when, name=name, link=link))


def _respond(enquiry: Enquiry, now: datetime) -> None:
    if enquiry.first_response_at is None:
        enquiry.first_response_at = now


def _step(session: Session, enquiry: Enquiry, *, by, version, action: str, values: dict, note: str = "") -> None:
    policy.ensure_may_work(by, enquiry)
    check(session, enquiry, version)
    now = utcnow()
    with saving(session, enquiry):
        changes = apply_changes(enquiry, values)
        if action in ("take", "answer"):
            _respond(enquiry, now)
        enquiry.updated_at = now
    record(session, by=by, entity="enquiry", entity_id=enquiry.id, action=action, changes=changes, note=note)


def _open(enquiry: Enquiry) -> None:
    if enquiry.status in (EnquiryStatus.closed, EnquiryStatus.converted):
        raise DomainError(_("Henvendelsen er afsluttet."))


def take(session: Session, enquiry: Enquiry, *, by, version, user_id: int | None = None) -> None:
    """A named consultant of the lead centre takes it (``user_id``, default: ``by``)."""
    policy.ensure_may_work(by, enquiry)
    _open(enquiry)
    user_id = user_id or getattr(by, "id", None)
    user = session.get(User, user_id) if user_id else None
    if user is None or not user.active or (enquiry.lead_centre_id is not None
                                            and user.job_centre_id != enquiry.lead_centre_id):
        raise DomainError(_("Henvendelsen tages af en medarbejder i det ansvarlige jobcenter."), field="user")
    _step(session, enquiry, by=by, version=version, action="take",
          values={"status": EnquiryStatus.taken, "taken_by_id": user.id, "taken_at": utcnow()})


def answer(session: Session, enquiry: Enquiry, *, by, version) -> None:
    policy.ensure_may_work(by, enquiry)
    _open(enquiry)
    values = {"status": EnquiryStatus.answered, "answered_at": utcnow()}
    if enquiry.taken_by_id is None and by is not None:
        values["taken_by_id"] = by.id
    _step(session, enquiry, by=by, version=version, action="answer", values=values)


def close(session: Session, enquiry: Enquiry, *, by, version) -> None:
    policy.ensure_may_work(by, enquiry)
    _open(enquiry)
    _step(session, enquiry, by=by, version=version, action="close",
          values={"status": EnquiryStatus.closed, "closed_at": utcnow()})


def reroute(session: Session, enquiry: Enquiry, *, by, version, centre_id: int | None, reason: str,
            settings: Settings, cvr: str = "") -> None:
    """A coordinator sends it to another centre (or matches the prospect to a company), with a reason."""
    policy.ensure_may_reroute(by, enquiry)
    _open(enquiry)
    check(session, enquiry, version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Skriv hvorfor henvendelsen sendes videre."), field="reason")
    values: dict = {}
    cvr = (cvr or "").strip()
    if cvr:
        company = find_company(session, cvr)
        if company is None:
            raise DomainError(_("Virksomheden med CVR-nummer %(c)s findes ikke i NRS.", c=cvr), field="cvr")
        values.update(company_id=company.id, prospect_name="", prospect_cvr="")
        if not centre_id:
            centre_id = route(company)
    if centre_id and session.get(JobCentre, centre_id) is None:
        raise DomainError(_("Ukendt jobcenter."), field="centre")
    values["lead_centre_id"] = centre_id or None
    if values["lead_centre_id"] != enquiry.lead_centre_id:
        values.update(status=EnquiryStatus.new, taken_by_id=None, taken_at=None)
    with saving(session, enquiry):
        changes = apply_changes(enquiry, values)
        enquiry.updated_at = utcnow()
    record(session, by=by, entity="enquiry", entity_id=enquiry.id, action="reroute", changes=changes, note=reason)
    if "lead_centre_id" in changes:
        tell_centre(session, enquiry, settings=settings)


def _converting(session: Session, enquiry: Enquiry, by) -> Company:
    policy.ensure_may_work(by, enquiry)
    _open(enquiry)
    if enquiry.company_id is None:
        raise DomainError(_("Vælg først virksomheden (send henvendelsen videre med CVR-nummeret)."))
    return session.get(Company, enquiry.company_id)


def _converted(session: Session, enquiry: Enquiry, *, by, version, link: dict) -> None:
    check(session, enquiry, version)
    now = utcnow()
    values = {"status": EnquiryStatus.converted, "closed_at": now, **link}
    if enquiry.taken_by_id is None and by is not None:
        values["taken_by_id"] = by.id
    with saving(session, enquiry):
        changes = apply_changes(enquiry, values)
        _respond(enquiry, now)
        enquiry.updated_at = now
    record(session, by=by, entity="enquiry", entity_id=enquiry.id, action="convert", changes=changes)


def order_defaults(enquiry: Enquiry) -> dict:
    """What a job order made from the enquiry starts with."""
    return {"received_on": local(enquiry.received_at).date(),
            "channel": ORDER_CHANNEL.get(enquiry.channel, Channel.other),
            "note": _("Fra henvendelse #%(id)s.", id=enquiry.id)}


def convert_to_order(session: Session, enquiry: Enquiry, *, by, version, title: str, positions: int = 1,
                     requirements: str = "", received_on: date | None = None):
    """Make the job order the enquiry asked for; the two point at each other."""
    company = _converting(session, enquiry, by)
    defaults = order_defaults(enquiry)
    order = log_job_order(session, by=by, company=company, title=title, positions=positions,
                          received_on=received_on or defaults["received_on"], channel=defaults["channel"],
                          requirements=requirements, lead_centre_id=enquiry.lead_centre_id or None,
                          note=defaults["note"])
    _converted(session, enquiry, by=by, version=version, link={"job_order_id": order.id})
    return order


def convert_to_agreement(session: Session, enquiry: Enquiry, *, by, version, kind, valid_from: date,
                         focus_sector_id: int | None = None):
    """Register the agreement (unsigned) the enquiry led to; the two point at each other."""
    company = _converting(session, enquiry, by)
    agreement = create_agreement(session, by=by, company=company, kind=kind, valid_from=valid_from,
                                 focus_sector_id=focus_sector_id,
                                 notes=_("Fra henvendelse #%(id)s.", id=enquiry.id))
    _converted(session, enquiry, by=by, version=version, link={"agreement_id": agreement.id})
    return agreement


def activity_defaults(session: Session, enquiry: Enquiry) -> dict:
    """What an activity made from the enquiry starts with: its day, the kind its channel stands for,
    the text as the summary, and the company's contact person who wrote or called, if known."""
    contact_id = None
    if enquiry.company_id is not None and (enquiry.contact_email or enquiry.contact_name):
        for contact in session.exec(select(CompanyContact).where(CompanyContact.company_id == enquiry.company_id)
                                    .order_by(CompanyContact.id)).all():
            if ((enquiry.contact_email and contact.email.lower() == enquiry.contact_email.lower())
                    or (enquiry.contact_name and contact.name.strip().lower() == enquiry.contact_name.lower())):
                contact_id = contact.id
                break
    return {"kind": ACTIVITY_KIND.get(enquiry.channel, ActivityKind.note), "day": local(enquiry.received_at).date(),
            "summary": (enquiry.text or "")[:2000], "contact_id": contact_id}


def convert_to_activity(session: Session, enquiry: Enquiry, *, by, version, kind, at: datetime, summary: str,
                        outcome: str = "", contact_id: int | None = None):
    """Record the contact the enquiry was as an activity on the company; the two point at each other.

    Through ``activities.services.record_activity``, so its policy, its checks (a date not in the
    future, the contact of the same company) and the stored-text rule (no CPR number) apply.
    """
    company = _converting(session, enquiry, by)
    check(session, enquiry, version)  # a stale page records nothing
    activity = record_activity(session, company=company, kind=kind, author=by, at=at, summary=summary,
                               outcome=outcome, contact=contact_id or None,
                               centre=enquiry.lead_centre_id or getattr(by, "job_centre_id", None))
    _converted(session, enquiry, by=by, version=version, link={"activity_id": activity.id})
    return activity


# --- retention -----------------------------------------------------------------------------------

def forget_closed(session: Session, *, now: datetime, months: int, instance_path, cutoff: datetime) -> int:
    """Delete the texts and attachments of enquiries closed (or converted) before ``cutoff``.

    The row stays (channel, subject, centre, dates) for the figures; the text may name citizens.
    """
    stmt = select(Enquiry).where(Enquiry.closed_at.is_not(None), Enquiry.closed_at < cutoff,
                                 Enquiry.text_deleted_at.is_(None)).order_by(Enquiry.id)
    done = 0
    for enquiry in session.exec(stmt).all():
        for attachment in session.exec(select(EnquiryAttachment).where(
                EnquiryAttachment.enquiry_id == enquiry.id)).all():
            (instance_path / "enquiries" / attachment.path).unlink(missing_ok=True)
            session.delete(attachment)
        enquiry.text = ""
        enquiry.contact_name = enquiry.contact_phone = enquiry.contact_email = ""
        enquiry.text_deleted_at = now
        session.add(enquiry)
        done += 1
    session.flush()
    if done:
        record(session, by=None, entity="retention", entity_id=now.date().isoformat(), action="enquiries",
               changes={"enquiry_texts_deleted": done, "months": months})
    return done


def send_receipt(session: Session, enquiry: Enquiry, *, settings: Settings) -> None:
    """The company's receipt for a /kontakt message: what we got and who will call back."""
    if not enquiry.contact_email:
        return
    centre = session.get(JobCentre, enquiry.lead_centre_id) if enquiry.lead_centre_id else None
    who = (_("%(c)s kontakter dig inden for %(n)s arbejdsdag(e).", c=centre.name,
             n=settings.enquiry_response_working_days) if centre
           else _("En koordinator i NRS finder det rette jobcenter, som kontakter dig."))
    enqueue(session, key=f"enquiry-receipt:{enquiry.id}", to=enquiry.contact_email,
            subject=_("Tak for din henvendelse til NRS"),
            text=_("Kære %(name)s\n\nTak for din henvendelse til Nordsjællands Rekrutteringsservice "
                   "(sag %(id)s). %(who)s\n\nDin besked:\n%(text)s\n",
                   name=enquiry.contact_name, id=enquiry.id, who=who, text=enquiry.text))
