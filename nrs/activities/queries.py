"""Reads for activities and tasks: a user's tasks, a company's, the lead centre's staff to pick from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs.activities.models import Activity, Task, open_task
from nrs.auth.models import Role, User
from nrs.collation import danish
from nrs.companies.models import Company


@dataclass
class TaskRow:
    task: Task
    company_cvr: str
    company_name: str
    assignee_name: str


def task_rows(rows) -> list[TaskRow]:
    """Rows of a ``_task_select`` statement as TaskRows."""
    return [TaskRow(task, cvr, name, who or "") for task, cvr, name, who in rows]


def _task_rows(session: Session, stmt) -> list[TaskRow]:
    return task_rows(session.execute(stmt).all())


def _task_select():
    return (sa.select(Task, Company.cvr, Company.name, User.name)
            .join(Company, Company.id == Task.company_id)
            .join(User, User.id == Task.assignee_id))


def _user_tasks_where(user_id: int, due_before: date | None, include_done: bool) -> list:
    where = [Task.assignee_id == user_id]
    if not include_done:
        where.append(open_task())
    if due_before is not None:
        where.append(Task.due < due_before)
    return where


def user_tasks_stmt(user_id: int, *, due_before: date | None = None, include_done: bool = False):
    """A user's tasks, earliest due first (the overdue at the top); the done ones last."""
    return (_task_select().where(*_user_tasks_where(user_id, due_before, include_done))
            .order_by(Task.done, Task.due, Task.id))


#: A user's task list counts this many at most (the bench's admin holds 25,000 open tasks).
TASKS_COUNTED = 1_000


def user_tasks_ids(user_id: int, *, include_done: bool = False):
    """The ids ``user_tasks_stmt`` finds, from the index alone (no company or user joined), to count."""
    return sa.select(Task.id).where(*_user_tasks_where(user_id, None, include_done))


def tasks_for_user(session: Session, user_id: int, *, due_before: date | None = None,
                   include_done: bool = False, limit: int = 500) -> list[TaskRow]:
    return _task_rows(session, user_tasks_stmt(user_id, due_before=due_before, include_done=include_done)
                      .limit(limit))


def tasks_due(session: Session, *, today: date, user_id: int | None = None, centre_id: int | None = None,
              limit: int = 200) -> list[TaskRow]:
    """Open tasks due today or overdue: one user's, or everyone's at a centre (who holds what)."""
    stmt = _task_select().where(open_task(), Task.due <= today)
    if user_id is not None:
        stmt = stmt.where(Task.assignee_id == user_id)
    if centre_id is not None:
        stmt = stmt.where(User.job_centre_id == centre_id)
    return _task_rows(session, stmt.order_by(Task.due, Task.id).limit(limit))


def centre_tasks_stmt(centre_id: int):
    """Every open task held by a centre's staff, earliest due first: who holds what."""
    return (_task_select().where(open_task(), User.job_centre_id == centre_id)
            .order_by(Task.due, Task.id))


def open_tasks_for_company(session: Session, company_id: int) -> list[TaskRow]:
    return _task_rows(session, _task_select().where(Task.company_id == company_id, open_task())
                      .order_by(Task.due, Task.id))


def assignable_users(session: Session, company: Company, *, author=None) -> list[User]:
    """Whom a task on ``company`` can go to: the lead centre's active staff (and the author), not every user."""
    cond = sa.and_(User.job_centre_id == company.lead_centre_id, User.role != Role.admin) \
        if company.lead_centre_id is not None else sa.false()
    if author is not None:
        cond = sa.or_(cond, User.id == author.id)
    return list(session.exec(select(User).where(User.active.is_(True), cond).order_by(danish(User.name))))


def follow_up_task(session: Session, activity_id: int) -> Task | None:
    return session.exec(select(Task).where(Task.activity_id == activity_id).order_by(Task.id)).first()


def activity_count(session: Session, company_id: int) -> int:
    return session.execute(sa.select(sa.func.count(Activity.id)).where(Activity.company_id == company_id)).scalar_one()
