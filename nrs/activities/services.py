"""Writes for activities and tasks. Services flush, never commit; every change is audited.

The API other domains build on (notifications, campaign lists):
``record_activity``, ``update_activity``, ``delete_activity``, ``create_task``, ``update_task``,
``reassign_task``, ``complete_task``, ``reopen_task``.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlmodel import Session, select

from nrs.activities import policy
from nrs.activities.models import Activity, ActivityKind, Task
from nrs.agreements.models import Agreement
from nrs.audit.services import apply_changes, record
from nrs.auth.models import User
from nrs.campaigns.models import CampaignTarget
from nrs.clock import COPENHAGEN, local, utcnow
from nrs.companies.models import Company, Contact
from nrs.errors import DomainError
from nrs.joborders.models import JobOrder
from nrs.locking import check, saving
from nrs.notifications import events as notifications

#: ``version=CURRENT`` (the default): the caller holds the object as loaded now (the CLI, another
#: service). A view passes the version its form carried; a missing one (None) counts as old.
CURRENT = object()

#: The task title made from an activity's follow-up date when none is given.
FOLLOW_UP_TITLE = "Følg op: %(summary)s"


def at_from(day: date, clock: time | None = None) -> datetime:
    """A Copenhagen date (and time, default 12:00) as the aware UTC instant stored."""
    return datetime.combine(day, clock or time(12, 0), tzinfo=COPENHAGEN).astimezone(utcnow().tzinfo)


def _id(obj):
    return getattr(obj, "id", obj)


def _check_links(session: Session, company: Company, *, contact, job_order, agreement, target) -> dict:
    """The optional links, each of the same company: ``{column: id}``."""
    links = {}
    for column, model, value, message in (
        ("contact_id", Contact, contact, _("Kontaktpersonen hører ikke til virksomheden.")),
        ("job_order_id", JobOrder, job_order, _("Jobordren hører ikke til virksomheden.")),
        ("agreement_id", Agreement, agreement, _("Aftalen hører ikke til virksomheden.")),
        ("target_id", CampaignTarget, target, _("Kampagnemålet hører ikke til virksomheden.")),
    ):
        if value is None:
            links[column] = None
            continue
        obj = value if isinstance(value, model) else session.get(model, value)
        if obj is None or obj.company_id != company.id:
            raise DomainError(message, field=column.removesuffix("_id"))
        links[column] = obj.id
    return links


def _text(value: str | None, *, field: str, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Skriv et resumé af kontakten."), field=field)
    if len(value) > limit:
        raise DomainError(_("Teksten er for lang (højst %(n)d tegn).", n=limit), field=field)
    return value


def _check_at(at: datetime, *, now: datetime) -> None:
    if local(at).date() > local(now).date():
        raise DomainError(_("En aktivitet registreres, når den har fundet sted: datoen ligger i fremtiden."),
                          field="at")


def record_activity(
    session: Session, *, company: Company, kind: ActivityKind | str, author: User | None, at: datetime,
    summary: str, centre=None, contact=None, job_order=None, agreement=None, target=None,
    outcome: str | None = None, follow_up: date | None = None, assignee: User | None = None,
    follow_up_title: str | None = None, now: datetime | None = None,
) -> Activity:
    """Record one contact with ``company``; a ``follow_up`` date also makes a task (``Task.activity_id``).

    ``centre`` defaults to the author's centre; the task goes to ``assignee`` or the author.
    """
    now = now or utcnow()
    if not policy.may_record(author, company):
        raise DomainError(_("Du kan ikke registrere aktiviteter."))
    try:
        kind = ActivityKind(kind)
    except ValueError:
        raise DomainError(_("Ukendt type aktivitet."), field="kind") from None
    _check_at(at, now=now)
    centre_id = _id(centre) if centre is not None else getattr(author, "job_centre_id", None)
    if centre_id is None:
        raise DomainError(_("Vælg jobcentret, der havde kontakten."), field="centre")
    if follow_up is not None and follow_up < local(at).date():
        raise DomainError(_("Opfølgningen kan ikke ligge før aktiviteten."), field="follow_up")
    activity = Activity(
        company_id=company.id, kind=kind, at=at, author_id=_id(author), centre_id=centre_id,
        summary=_text(summary, field="summary", required=True, limit=2000),
        outcome=_text(outcome, field="outcome", required=False, limit=1000),
        **_check_links(session, company, contact=contact, job_order=job_order, agreement=agreement,
                       target=target),
    )
    session.add(activity)
    session.flush()
    record(session, by=author, entity="activity", entity_id=activity.id, action="create",
           changes={"company_id": [None, company.id], "kind": [None, kind], "summary": [None, activity.summary]})
    if follow_up is not None:
        title = follow_up_title or FOLLOW_UP_TITLE % {"summary": activity.summary[:150]}
        create_task(
            session, title=title[:200], due=follow_up, assignee=assignee or author, creator=author,
            company=company, job_order=activity.job_order_id, activity=activity)
    return activity


def update_activity(session: Session, activity: Activity, *, by: User | None, values: dict,
                    version=CURRENT, now: datetime | None = None) -> Activity:
    """Change one's own activity within the day (``policy.EDIT_WINDOW``): kind, time, summary, outcome."""
    now = now or utcnow()
    policy.ensure_may_edit_activity(by, activity, now=now)
    if version is not CURRENT:
        check(session, activity, version)
    new = {}
    if "kind" in values:
        new["kind"] = ActivityKind(values["kind"])
    if "at" in values:
        _check_at(values["at"], now=now)
        new["at"] = values["at"]
    if "summary" in values:
        new["summary"] = _text(values["summary"], field="summary", required=True, limit=2000)
    if "outcome" in values:
        new["outcome"] = _text(values["outcome"], field="outcome", required=False, limit=1000)
    with saving(session, activity):
        changes = apply_changes(activity, new)
        if changes:
            activity.updated_at = now
    if changes:
        record(session, by=by, entity="activity", entity_id=activity.id, action="update", changes=changes)
    return activity


def delete_activity(session: Session, activity: Activity, *, by: User | None, version=CURRENT,
                    now: datetime | None = None) -> None:
    """Delete one's own activity within the day; a task it made stays (its link is cleared)."""
    now = now or utcnow()
    policy.ensure_may_edit_activity(by, activity, now=now)
    if version is not CURRENT:
        check(session, activity, version)
    for task in session.exec(select(Task).where((Task.activity_id == activity.id)
                                                | (Task.closing_activity_id == activity.id))):
        if task.activity_id == activity.id:
            task.activity_id = None
        if task.closing_activity_id == activity.id:
            task.closing_activity_id = None
    record(session, by=by, entity="activity", entity_id=activity.id, action="delete",
           changes={"company_id": [activity.company_id, None], "summary": [activity.summary, None]})
    session.delete(activity)
    session.flush()


# --- tasks ----------------------------------------------------------------------------------------

def _task_company(session: Session, company, job_order) -> tuple[Company, int | None]:
    order = None
    if job_order is not None:
        order = job_order if isinstance(job_order, JobOrder) else session.get(JobOrder, job_order)
        if order is None:
            raise DomainError(_("Ukendt jobordre."), field="job_order")
    if company is None:
        if order is None:
            raise DomainError(_("En opgave hører til en virksomhed eller en jobordre."), field="company")
        company = session.get(Company, order.company_id)
    elif not isinstance(company, Company):
        company = session.get(Company, company)
        if company is None:
            raise DomainError(_("Ukendt virksomhed."), field="company")
    if order is not None and order.company_id != company.id:
        raise DomainError(_("Jobordren hører ikke til virksomheden."), field="job_order")
    return company, (order.id if order is not None else None)


def _assignee(session: Session, assignee, company: Company, *, author) -> User:
    user = assignee if isinstance(assignee, User) or assignee is None else session.get(User, assignee)
    if not policy.may_be_assigned(user, company, author=author):
        raise DomainError(_("Opgaven kan kun gives til en medarbejder i virksomhedens ledende jobcenter."),
                          field="assignee")
    return user


def _title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Giv opgaven en titel."), field="title")
    if len(title) > 200:
        raise DomainError(_("Titlen er for lang (højst 200 tegn)."), field="title")
    return title


def create_task(
    session: Session, *, title: str, due: date, assignee: User | int, creator: User | None,
    company: Company | int | None = None, job_order: JobOrder | int | None = None,
    activity: Activity | int | None = None,
) -> Task:
    """A task on a company (or one of its job orders) for ``assignee`` by ``due``."""
    company, job_order_id = _task_company(session, company, job_order)
    if due is None:
        raise DomainError(_("Vælg en dato for opgaven."), field="due")
    user = _assignee(session, assignee, company, author=creator)
    task = Task(title=_title(title), due=due, assignee_id=user.id, creator_id=_id(creator),
                company_id=company.id, job_order_id=job_order_id,
                activity_id=_id(activity) if activity is not None else None)
    session.add(task)
    session.flush()
    record(session, by=creator, entity="task", entity_id=task.id, action="create",
           changes={"title": [None, task.title], "due": [None, due], "assignee_id": [None, user.id],
                    "company_id": [None, company.id]})
    notifications.task_assigned(session, task, by=creator)
    return task


def _change(session: Session, task: Task, *, by, version, action: str, values: dict) -> Task:
    company = session.get(Company, task.company_id)
    policy.ensure_may_change_task(by, task, company)
    if version is not CURRENT:
        check(session, task, version)
    with saving(session, task):
        changes = apply_changes(task, values)
        if changes:
            task.updated_at = utcnow()
    if changes:
        record(session, by=by, entity="task", entity_id=task.id, action=action, changes=changes)
    return task


def update_task(session: Session, task: Task, *, by: User | None, title: str, due: date, version=CURRENT) -> Task:
    if due is None:
        raise DomainError(_("Vælg en dato for opgaven."), field="due")
    return _change(session, task, by=by, version=version, action="update", values={"title": _title(title), "due": due})


def reassign_task(session: Session, task: Task, *, by: User | None, assignee: User | int, version=CURRENT) -> Task:
    """Give the task to another user of the company's lead centre."""
    company = session.get(Company, task.company_id)
    user = _assignee(session, assignee, company, author=None)
    before = task.assignee_id
    _change(session, task, by=by, version=version, action="reassign", values={"assignee_id": user.id})
    if task.assignee_id != before:
        notifications.task_assigned(session, task, by=by)
    return task


def complete_task(session: Session, task: Task, *, by: User | None, note: str | None = None, version=CURRENT,
                  now: datetime | None = None) -> Task:
    """Mark the task done; a closing ``note`` becomes a note activity on the company."""
    if task.done:
        raise DomainError(_("Opgaven er allerede udført."))
    now = now or utcnow()
    closing = None
    note = (note or "").strip()
    if note:
        company = session.get(Company, task.company_id)
        closing = record_activity(session, company=company, kind=ActivityKind.note, author=by, at=now,
                                  summary=note, job_order=task.job_order_id, now=now,
                                  centre=None if by is not None else company.lead_centre_id)
    return _change(session, task, by=by, version=version, action="complete", values={
        "done": True, "done_at": now, "done_by_id": _id(by),
        "closing_activity_id": closing.id if closing else None})


def reopen_task(session: Session, task: Task, *, by: User | None, version=CURRENT) -> Task:
    if not task.done:
        raise DomainError(_("Opgaven er ikke udført."))
    return _change(session, task, by=by, version=version, action="reopen",
                   values={"done": False, "done_at": None, "done_by_id": None})
