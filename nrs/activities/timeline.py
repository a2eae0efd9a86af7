"""The company timeline: one chronological, paged list built from the records NRS already keeps.

Each source is ``source(session, company, *, limit) -> list[Entry]``: the company's newest
``limit`` entries of one kind, newest first. A page merges the sources and cuts out its slice,
so each page costs a fixed number of queries per source however long the history is. Another
domain adds its records by appending ``(kind, label, source)`` to ``SOURCES`` (enquiries will).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from nrs.activities.models import Activity, Task
from nrs.agreements.models import Agreement
from nrs.audit import words
from nrs.audit.models import AuditEvent
from nrs.auth.models import User
from nrs.campaigns.models import Campaign, CampaignTarget, CampaignTargetEvent, TargetStatus
from nrs.clock import COPENHAGEN, format_date, today
from nrs.companies.models import Company
from nrs.enquiries.models import Enquiry
from nrs.joborders.models import JobOrder
from nrs.joborders.states import JobOrderState
from nrs.municipalities.models import JobCentre

PER_PAGE = 25


@dataclass
class Entry:
    """One line of the timeline; ``lines`` are the sentences under it (field changes in words)."""

    at: datetime
    kind: str
    text: str
    who: str = ""
    link: tuple[str, dict] | None = None  # (endpoint, values) for url_for
    lines: list[str] = field(default_factory=list)
    #: "overdue", "done", "open" for tasks; the activity's id for its edit link.
    state: str = ""
    ref: int | None = None
    #: Activities: who wrote it and when, so the page can offer its author the edit link.
    owner_id: int | None = None
    created: datetime | None = None
    editable: bool = False


def _on(day: date) -> datetime:
    """A date-only event sorts at noon of its day, Copenhagen time."""
    return datetime.combine(day, time(12, 0), tzinfo=COPENHAGEN).astimezone(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- the sources -------------------------------------------------------------------------------

def activities(session: Session, company: Company, *, limit: int) -> list[Entry]:
    rows = session.execute(
        sa.select(Activity, User.name, JobCentre.name)
        .outerjoin(User, User.id == Activity.author_id).join(JobCentre, JobCentre.id == Activity.centre_id)
        .where(Activity.company_id == company.id).order_by(Activity.at.desc(), Activity.id.desc()).limit(limit)
    ).all()
    entries = []
    for activity, author, centre in rows:
        lines = [activity.summary] + ([_("Resultat: %(o)s", o=activity.outcome)] if activity.outcome else [])
        entries.append(Entry(at=_aware(activity.at), kind="activity", text=str(activity.kind.label),
                             who=f"{author or _('systemet')}, {centre}", lines=lines, ref=activity.id,
                             state=activity.kind.value, owner_id=activity.author_id,
                             created=_aware(activity.created_at)))
    return entries


def tasks(session: Session, company: Company, *, limit: int) -> list[Entry]:
    rows = session.execute(
        sa.select(Task, User.name).join(User, User.id == Task.assignee_id)
        .where(Task.company_id == company.id).order_by(Task.created_at.desc(), Task.id.desc()).limit(limit)
    ).all()
    now = today()
    entries = []
    for task, assignee in rows:
        state = "done" if task.done else ("overdue" if task.is_overdue(now) else "open")
        entries.append(Entry(
            at=_aware(task.created_at), kind="task", text=_("Opgave: %(t)s", t=task.title), who=assignee,
            lines=[_("Frist %(d)s", d=format_date(task.due))], state=state, ref=task.id,
            link=("activities.task", {"task_id": task.id})))
    return entries


def job_orders(session: Session, company: Company, *, limit: int) -> list[Entry]:
    received = session.execute(
        sa.select(JobOrder.id, JobOrder.title, JobOrder.positions, JobOrder.received_on)
        .where(JobOrder.company_id == company.id).order_by(JobOrder.received_on.desc(), JobOrder.id.desc())
        .limit(limit)).all()
    closed = session.execute(
        sa.select(JobOrder.id, JobOrder.title, JobOrder.state, JobOrder.closed_on)
        .where(JobOrder.company_id == company.id, JobOrder.closed_on.is_not(None))
        .order_by(JobOrder.closed_on.desc(), JobOrder.id.desc()).limit(limit)).all()
    entries = [Entry(at=_on(on), kind="job_order", text=_("Jobordre modtaget: %(t)s", t=title),
                     lines=[_("%(n)d stillinger", n=n)] if n > 1 else [],
                     link=("joborders.detail", {"order_id": oid})) for oid, title, n, on in received]
    entries += [Entry(at=_on(on), kind="job_order",
                      text=_("Jobordre lukket: %(t)s (%(s)s)", t=title, s=JobOrderState(state).label),
                      link=("joborders.detail", {"order_id": oid})) for oid, title, state, on in closed]
    return entries


def agreements(session: Session, company: Company, *, limit: int) -> list[Entry]:
    signed = session.execute(
        sa.select(Agreement.id, Agreement.kind, Agreement.signed_on)
        .where(Agreement.company_id == company.id, Agreement.signed_on.is_not(None))
        .order_by(Agreement.signed_on.desc()).limit(limit)).all()
    ending = session.execute(
        sa.select(Agreement.id, Agreement.kind, Agreement.valid_to)
        .where(Agreement.company_id == company.id, Agreement.valid_to.is_not(None), Agreement.valid_to <= today())
        .order_by(Agreement.valid_to.desc()).limit(limit)).all()
    entries = [Entry(at=_on(on), kind="agreement", text=_("Aftale indgået: %(k)s", k=kind.label),
                     link=("agreements.detail", {"agreement_id": aid})) for aid, kind, on in signed]
    entries += [Entry(at=_on(on), kind="agreement", text=_("Aftale udløbet: %(k)s", k=kind.label),
                      link=("agreements.detail", {"agreement_id": aid})) for aid, kind, on in ending]
    return entries


def campaign_outcomes(session: Session, company: Company, *, limit: int) -> list[Entry]:
    rows = session.execute(
        sa.select(CampaignTargetEvent, Campaign.name, User.name, CampaignTarget.id)
        .join(CampaignTarget, CampaignTarget.id == CampaignTargetEvent.target_id)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .outerjoin(User, User.id == CampaignTargetEvent.user_id)
        .where(CampaignTarget.company_id == company.id)
        .order_by(CampaignTargetEvent.at.desc(), CampaignTargetEvent.id.desc()).limit(limit)).all()
    entries = []
    for event, campaign, who, target_id in rows:
        status = TargetStatus(event.to_status).label
        text = (_("Kampagnen %(c)s: %(a)s → %(b)s", c=campaign, a=TargetStatus(event.from_status).label, b=status)
                if event.from_status else _("Kampagnen %(c)s: %(b)s", c=campaign, b=status))
        entries.append(Entry(at=_aware(event.at), kind="campaign", text=text, who=who or "",
                             lines=[event.note] if event.note else [],
                             link=("campaigns.target", {"target_id": target_id})))
    return entries


# --- field changes in words (nrs/audit/words.py says them; the employee range is the timeline's own) ---

SILENT = {"source"}  # the timeline says where a company came from once, on its creation line
CONTACT_ACTIONS = {"contact_added", "contact_updated", "contact_deleted"}


def range_words(low, high) -> str:
    """Employees as ``5–9``, ``12``, ``1000+`` or ``ukendt``."""
    if low is None:
        return _("ukendt")
    if high is None or high >= 1000:
        return f"{low}+"
    return str(low) if high == low else f"{low}–{high}"


def change_lines(event: AuditEvent, names: words.Names, employees: tuple[tuple, tuple] | None) -> list[str]:
    """The event's changes as sentences; ``employees`` is the range (before, after) if it changed."""
    if event.action in ("contact_added", "contact_deleted"):
        name = words.pair(event.changes.get("name"))
        shown = name[1] or name[0] or ""
        return [str(shown)] if shown else []
    if event.action == "create":
        return []
    lines = []
    if employees is not None:
        lines.append(_("Ansatte ændret fra %(a)s til %(b)s", a=range_words(*employees[0]),
                       b=range_words(*employees[1])))
    return lines + words.change_lines("company", event.action, event.changes, names,
                                      skip={*SILENT, "employees_min", "employees_max"})


def field_changes(session: Session, company: Company, *, limit: int) -> list[Entry]:
    """The company's audit events in words. The employee range is rebuilt backwards from today's
    values, so a change of one bound still reads as the whole range before and after."""
    rows = session.execute(
        sa.select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity_type == "company", AuditEvent.entity_id == str(company.id))
        .order_by(AuditEvent.id.desc()).limit(limit)).all()
    names = words.Names(session, [event.changes for event, _who in rows])
    current = (company.employees_min, company.employees_max)
    entries = []
    for event, who in rows:
        employees = None
        if event.action not in CONTACT_ACTIONS and event.action != "create" and (
                "employees_min" in event.changes or "employees_max" in event.changes):
            low, high = current
            before_low = words.pair(event.changes["employees_min"])[0] if "employees_min" in event.changes else low
            before_high = words.pair(event.changes["employees_max"])[0] if "employees_max" in event.changes else high
            employees = ((before_low, before_high), current)
            current = (before_low, before_high)
        lines = change_lines(event, names, employees)
        if not lines and event.action not in ("create", *CONTACT_ACTIONS):
            continue
        entries.append(Entry(at=_aware(event.at), kind="change", who=who or _("systemet"),
                             text=words.action_words("company", event.action), lines=lines,
                             state=event.action))
    return entries


#: ``(kind, label, source)``: the timeline's sources, filterable by kind, in the filter's order.
def enquiries(session: Session, company: Company, *, limit: int) -> list[Entry]:
    """Enquiries from the company by channel and subject; their text (which may mention a citizen)
    stays on the enquiry's own page, which writes the access log."""
    rows = session.execute(
        sa.select(Enquiry.id, Enquiry.received_at, Enquiry.channel, Enquiry.subject, Enquiry.status)
        .where(Enquiry.company_id == company.id)
        .order_by(Enquiry.received_at.desc(), Enquiry.id.desc()).limit(limit)).all()
    return [Entry(at=_aware(at), kind="enquiry",
                  text=_("Henvendelse (%(c)s): %(s)s · %(st)s", c=channel.label, s=subject.label, st=status.label),
                  link=("enquiries.detail", {"enquiry_id": eid})) for eid, at, channel, subject, status in rows]


SOURCES = (
    ("activity", _l("Aktiviteter"), activities),
    ("task", _l("Opgaver"), tasks),
    ("job_order", _l("Jobordrer"), job_orders),
    ("agreement", _l("Aftaler"), agreements),
    ("campaign", _l("Kampagner"), campaign_outcomes),
    ("enquiry", _l("Henvendelser"), enquiries),
    ("change", _l("Ændringer"), field_changes),
)
KINDS = frozenset(kind for kind, _label, _source in SOURCES)


@dataclass
class TimelinePage:
    entries: list[Entry]
    page: int
    has_next: bool
    kinds: list[str]

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def timeline(session: Session, company: Company, *, kinds=None, page: int = 1,
             per_page: int = PER_PAGE) -> TimelinePage:
    """One page of the company's timeline, newest first; ``kinds`` limits it to those sources."""
    chosen = [k for k in (kinds or ()) if k in KINDS] or []
    page = max(1, min(page, 10_000 // per_page))
    limit = page * per_page + 1
    streams = [source(session, company, limit=limit) for kind, _label, source in SOURCES
               if not chosen or kind in chosen]
    merged = list(heapq.merge(*(sorted(s, key=lambda e: e.at, reverse=True) for s in streams),
                              key=lambda e: e.at, reverse=True))
    start = (page - 1) * per_page
    return TimelinePage(entries=merged[start:start + per_page], page=page,
                        has_next=len(merged) > page * per_page, kinds=chosen)
