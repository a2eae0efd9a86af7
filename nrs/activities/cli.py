"""``nrs activities add`` and ``nrs tasks list|done``: each exits non-zero with one line on bad input."""

from __future__ import annotations

import json
from datetime import date, datetime

import click
from flask.cli import with_appcontext
from sqlmodel import select

from nrs.activities import queries, services
from nrs.activities.models import ActivityKind, Task
from nrs.auth.models import User
from nrs.clock import COPENHAGEN, today, utcnow
from nrs.commands import engine, fail
from nrs.companies.models import Company
from nrs.db import session_scope
from nrs.errors import DomainError, Forbidden


def _user(s, email: str) -> User:
    user = s.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        fail(f"no user with e-mail {email}")
    return user


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)")


def _at(text: str | None) -> datetime:
    """``YYYY-MM-DD`` (at 12:00) or ``YYYY-MM-DDTHH:MM``, Copenhagen time; default now."""
    if not text:
        return utcnow()
    try:
        if "T" in text:
            return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN).astimezone(utcnow().tzinfo)
        return services.at_from(date.fromisoformat(text))
    except ValueError:
        fail(f"--at: {text!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM)")


@click.group("activities")
def activities():
    """Contacts with companies: calls, visits, meetings, e-mails, notes."""


@activities.command("add")
@click.option("--company", "cvr", required=True, help="The company's CVR number.")
@click.option("--kind", type=click.Choice([k.value for k in ActivityKind]), required=True)
@click.option("--by", "by_email", required=True, help="The author's e-mail.")
@click.option("--at", "at_text", default=None, help="YYYY-MM-DD[THH:MM], Copenhagen time (default now).")
@click.option("--summary", required=True)
@click.option("--outcome", default="")
@click.option("--follow-up", "follow_up", default=None, help="YYYY-MM-DD: makes a task due that day.")
@click.option("--assign", "assign_email", default=None, help="Who gets the follow-up task (default the author).")
@with_appcontext
def add(cvr, kind, by_email, at_text, summary, outcome, follow_up, assign_email):
    """Record an activity; the last line is ``activity ID``."""
    follow_day = _day(follow_up, "--follow-up") if follow_up else None
    if assign_email and follow_day is None:
        fail("--assign needs --follow-up")
    at = _at(at_text)
    try:
        with session_scope(engine()) as s:
            company = s.exec(select(Company).where(Company.cvr == cvr.strip())).first()
            if company is None:
                fail(f"no company with CVR {cvr}")
            author = _user(s, by_email)
            assignee = _user(s, assign_email) if assign_email else None
            activity = services.record_activity(
                s, company=company, kind=kind, author=author, at=at, summary=summary, outcome=outcome,
                follow_up=follow_day, assignee=assignee)
            task = s.exec(select(Task).where(Task.activity_id == activity.id)).first()
            if task is not None:
                click.echo(f"task {task.id} due {task.due.isoformat()}")
            click.echo(f"activity {activity.id}")
    except DomainError as exc:
        fail(exc.message)


@click.group("tasks")
def tasks():
    """Follow-up tasks: list a user's, mark one done."""


@tasks.command("list")
@click.option("--user", "email", required=True)
@click.option("--due-before", "due_before", default=None, help="YYYY-MM-DD: only tasks due before that day.")
@click.option("--all", "include_done", is_flag=True, help="Done tasks too.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_cmd(email, due_before, include_done, as_json):
    """A user's open tasks by due date (overdue ones marked)."""
    before = _day(due_before, "--due-before") if due_before else None
    with session_scope(engine()) as s:
        user = _user(s, email)
        rows = queries.tasks_for_user(s, user.id, due_before=before, include_done=include_done)
        now = today()
        if as_json:
            click.echo(json.dumps([{
                "id": r.task.id, "title": r.task.title, "due": r.task.due.isoformat(), "done": r.task.done,
                "overdue": r.task.is_overdue(now), "company_cvr": r.company_cvr, "company_name": r.company_name,
                "assignee_email": user.email, "job_order_id": r.task.job_order_id,
            } for r in rows], ensure_ascii=False, indent=2))
            return
        for r in rows:
            mark = "done" if r.task.done else ("OVERDUE" if r.task.is_overdue(now) else "")
            click.echo(f"{r.task.id}\t{r.task.due.isoformat()}\t{mark}\t{r.company_cvr} {r.company_name}\t"
                       f"{r.task.title}")
        click.echo(f"{len(rows)} opgaver")


@tasks.command("done")
@click.argument("task_id", type=int)
@click.option("--note", default=None, help="A closing note; it becomes a note activity on the company.")
@click.option("--by", "by_email", default=None, help="Who completed it (default: NRS itself).")
@with_appcontext
def done_cmd(task_id, note, by_email):
    """Mark a task done."""
    try:
        with session_scope(engine()) as s:
            task = s.get(Task, task_id)
            if task is None:
                fail(f"no task with id {task_id}")
            by = _user(s, by_email) if by_email else None
            services.complete_task(s, task, by=by, note=note)
            click.echo(f"task {task.id} done")
    except Forbidden as exc:
        fail(exc.message)
    except DomainError as exc:
        fail(exc.message)


COMMANDS = (activities, tasks)
