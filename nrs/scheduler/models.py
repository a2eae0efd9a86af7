"""The lease table of the scheduler: one row per job and due time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow


class SchedulerRun(SQLModel, table=True):
    """A lease: the process that inserts (job, due time) runs that job; the others skip it."""

    __tablename__ = "scheduler_runs"
    __table_args__ = (sa.UniqueConstraint("job_id", "due_at", name="uq_scheduler_runs_job_due"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=60)
    due_at: datetime
    #: ``host:pid`` of the process that won the lease.
    claimed_by: str = Field(max_length=120)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = Field(default=None)
    #: ``ok`` or ``failed``; none while it runs (or when its process died).
    outcome: str | None = Field(default=None, max_length=20)
    error: str | None = Field(default=None, sa_type=sa.Text)
