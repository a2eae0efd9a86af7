"""Running the scheduled jobs (the table is ``nrs.scheduler.jobs``), each once per due time.

Every process may run the scheduler (``nrs serve`` in-process, ``nrs scheduler`` on its own);
each job still runs once per due time: before running, a process inserts the lease row
(job, due time) into ``scheduler_runs``. The UNIQUE constraint lets exactly one insert win; the
others skip. The jobs' effects are idempotent besides (one outbox row per week and recipient), so
an operator re-running a job by hand (``nrs scheduler fire``) does no harm.

A job whose lease was taken but which failed or whose process died is not retried for that due
time; ``scheduler_runs`` shows it (outcome ``failed`` or no ``finished_at``), and the job can be
fired by hand.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from nrs.clock import COPENHAGEN, utcnow
from nrs.config import Settings
from nrs.db import session_scope
from nrs.scheduler.jobs import JOBS, Job
from nrs.scheduler.models import SchedulerRun

log = logging.getLogger(__name__)

#: How late a job may still start (the process was busy or just started): an hour.
MISFIRE_GRACE_SECONDS = 3600
#: Lease rows older than this are removed by the outbox job, which runs every minute.
KEEP_RUNS = timedelta(days=60)


def due_time(job: Job, settings: Settings, now: datetime) -> datetime | None:
    """The due time this firing belongs to: the latest fire time at or before ``now``.

    Every process computes the same value from the same trigger, which is what the lease keys on.
    """
    trigger = job.trigger(settings)
    minute = now.astimezone(COPENHAGEN).replace(second=0, microsecond=0)
    for back in range(MISFIRE_GRACE_SECONDS // 60 + 1):
        candidate = minute - timedelta(minutes=back)
        if trigger.get_next_fire_time(None, candidate) == candidate:
            return candidate.astimezone(UTC)
    return None


def _take_lease(engine: Engine, job: Job, due_at: datetime) -> int | None:
    who = f"{socket.gethostname()}:{os.getpid()}"
    try:
        with engine.begin() as conn:
            result = conn.execute(
                sa.insert(SchedulerRun).values(job_id=job.id, due_at=due_at, claimed_by=who,
                                               started_at=utcnow())
            )
            return result.inserted_primary_key[0]
    except IntegrityError:
        return None


def _finish(engine: Engine, run_id: int, outcome: str, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(SchedulerRun).where(SchedulerRun.id == run_id)
                     .values(finished_at=utcnow(), outcome=outcome, error=error))


def run_job(engine: Engine, settings: Settings, job: Job, due_at: datetime) -> str:
    """Run ``job`` for ``due_at`` unless another process already has: ``ran``, ``taken`` or ``failed``."""
    run_id = _take_lease(engine, job, due_at)
    if run_id is None:
        log.debug("job %s due %s: already taken by another process", job.id, due_at.isoformat())
        return "taken"
    try:
        if job.own_transactions:
            job.fn(engine, now=due_at, settings=settings)
        else:
            with session_scope(engine, write=True) as session:
                job.fn(session, now=due_at, settings=settings)
    except Exception as exc:
        log.exception("job %s due %s failed", job.id, due_at.isoformat())
        _finish(engine, run_id, "failed", f"{type(exc).__name__}: {exc}"[:2000])
        return "failed"
    _finish(engine, run_id, "ok")
    if job.id == "outbox":
        with engine.begin() as conn:
            conn.execute(sa.delete(SchedulerRun).where(SchedulerRun.due_at < due_at - KEEP_RUNS))
    return "ran"


def _fire(app, job: Job) -> None:
    """What APScheduler calls: work out the due time and run under the lease."""
    settings = app.config["NRS"]
    due_at = due_time(job, settings, utcnow())
    if due_at is None:
        log.warning("job %s fired with no due time within the grace period; skipped", job.id)
        return
    with app.app_context():
        run_job(app.extensions["nrs_engine"], settings, job, due_at)


def configure(scheduler, app) -> None:
    settings = app.config["NRS"]
    for job in JOBS:
        scheduler.add_job(_fire, job.trigger(settings), args=(app, job), id=job.id, name=job.id,
                          coalesce=True, max_instances=1, misfire_grace_time=MISFIRE_GRACE_SECONDS)


def start_in_process(app) -> BackgroundScheduler:
    """Run the jobs in a background thread of this process (the embedded default)."""
    scheduler = BackgroundScheduler(timezone=COPENHAGEN)
    configure(scheduler, app)
    scheduler.start()
    app.extensions["nrs_scheduler"] = scheduler
    log.info("scheduler started in-process with %d jobs", len(JOBS))
    return scheduler
