"""Activities (a recorded contact with a company) and tasks (a follow-up someone must do)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check
from nrs.locking import VERSIONED


class ActivityKind(LabelledEnum):
    """How the contact was made; the CLI uses the values, people read the labels."""

    call = "call", _l("Opkald")
    visit = "visit", _l("Besøg")
    meeting = "meeting", _l("Møde")
    email = "email", _l("E-mail")
    note = "note", _l("Note")


class Activity(SQLModel, table=True):
    """One contact with a company, by a member of staff of any centre (the cooperation reads across all nine)."""

    __tablename__ = "activities"
    __table_args__ = (
        # The company timeline reads a company's activities newest first.
        sa.Index("ix_activities_company_at", "company_id", "at"),
        enum_check("kind", ActivityKind),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="companies.id")
    kind: ActivityKind = Field(sa_type=enum_type(ActivityKind, 16))
    #: When the contact took place (UTC); shown in Europe/Copenhagen.
    at: datetime
    author_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    centre_id: int = Field(foreign_key="job_centres.id", index=True)
    #: The company-side person, if any (a Contact of the same company).
    contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    job_order_id: int | None = Field(default=None, foreign_key="job_orders.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="agreements.id")
    target_id: int | None = Field(default=None, foreign_key="campaign_targets.id", index=True)
    summary: str = Field(max_length=2000)
    outcome: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking


class Task(SQLModel, table=True):
    """Something a user must do by a date: a follow-up from an activity, or made by hand."""

    __tablename__ = "tasks"
    __table_args__ = (
        # "Mit arbejde", the task list and the CLI: a user's open tasks, earliest due first and by
        # id within a day, read in that order (no sort).
        sa.Index("ix_tasks_assignee_done_due_id", "assignee_id", "done", "due", "id"),
        sa.Index("ix_tasks_company_created", "company_id", "created_at"),
        sa.CheckConstraint("NOT done OR done_at IS NOT NULL", name="done_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    due: date
    assignee_id: int = Field(foreign_key="users.id")
    creator_id: int | None = Field(default=None, foreign_key="users.id")
    #: Always set: a task on a job order is on the order's company too.
    company_id: int = Field(foreign_key="companies.id")
    job_order_id: int | None = Field(default=None, foreign_key="job_orders.id", index=True)
    #: The activity whose follow-up date made this task.
    activity_id: int | None = Field(default=None, foreign_key="activities.id", index=True)
    done: bool = Field(default=False)
    done_at: datetime | None = Field(default=None)
    done_by_id: int | None = Field(default=None, foreign_key="users.id")
    #: The note written when it was completed becomes this activity.
    closing_activity_id: int | None = Field(default=None, foreign_key="activities.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking

    def is_overdue(self, today: date) -> bool:
        """Not done and its day has passed: marked wherever the task is shown."""
        return not self.done and self.due < today


def open_task():
    """``Task`` is not done, as ``done = false``: the task indexes answer that, while
    ``done IS false`` is a different operator that PostgreSQL checks row by row in the table."""
    return Task.done == sa.false()
