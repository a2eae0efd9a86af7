"""The one table of scheduled jobs, and the only module that imports APScheduler.

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

import importlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from nrs.clock import COPENHAGEN, utcnow
from nrs.config import Settings
from nrs.db import session_scope
from nrs.mail.models import SchedulerRun

log = logging.getLogger(__name__)

#: How late a job may still start (the process was busy or just started): an hour.
MISFIRE_GRACE_SECONDS = 3600
#: Lease rows older than this are removed by the outbox job, which runs every minute.
KEEP_RUNS = timedelta(days=60)


@dataclass(frozen=True)
class Job:
    id: str
    #: A cron expression (minute hour day month weekday) or a Settings attribute holding one.
    cron: str | Callable[[Settings], str]
    #: ``module:function``. ``session`` jobs are called as ``fn(session, *, now)`` inside one
    #: transaction; ``engine`` jobs as ``fn(engine, *, now, settings)`` and manage their own.
    target: str
    kind: str = "session"

    def expression(self, settings: Settings) -> str:
        return self.cron(settings) if callable(self.cron) else self.cron

    def trigger(self, settings: Settings) -> CronTrigger:
        # Cron week days, as APScheduler reads them: mon … sun (0 is Monday there, not Sunday).
        return CronTrigger.from_crontab(self.expression(settings), timezone=COPENHAGEN)


JOBS: tuple[Job, ...] = (
    Job("weekly_email", lambda s: s.weekly_email_cron, "nrs.reports.weekly:weekly_job"),
    Job("campaign_refresh", lambda s: s.campaign_refresh_cron,
        "nrs.campaigns.jobs:refresh_running_campaigns"),
    Job("outbox", "* * * * *", "nrs.mail.jobs:send_outbox", kind="engine"),
    Job("help_requests", "0 6 * * *", "nrs.joborders.jobs:request_help_for_idle_orders"),
    Job("retention", "0 3 * * *", "nrs.privacy.jobs:run_retention"),
    Job("job_order_tally", "30 4 * * *", "nrs.joborders.jobs:check_tally"),
)


def job_by_id(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(job_id)


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


def _resolve(target: str):
    module_name, name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if module_name == exc.name or module_name.startswith(f"{exc.name}."):
            return None
        raise
    return getattr(module, name, None)


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
    """Run ``job`` for ``due_at`` unless another process already has: ``ran``, ``skipped``…"""
    run_id = _take_lease(engine, job, due_at)
    if run_id is None:
        log.debug("job %s due %s: already taken by another process", job.id, due_at.isoformat())
        return "taken"
    fn = _resolve(job.target)
    if fn is None:
        log.info("job %s: %s is not installed; skipped", job.id, job.target)
        _finish(engine, run_id, "skipped")
        return "skipped"
    try:
        if job.kind == "engine":
            fn(engine, now=due_at, settings=settings)
        else:
            with session_scope(engine, write=True) as session:
                fn(session, now=due_at)
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


def _configure(scheduler, app) -> None:
    settings = app.config["NRS"]
    for job in JOBS:
        scheduler.add_job(_fire, job.trigger(settings), args=(app, job), id=job.id, name=job.id,
                          coalesce=True, max_instances=1, misfire_grace_time=MISFIRE_GRACE_SECONDS)


def start_in_process(app) -> BackgroundScheduler:
    """Run the jobs in a background thread of this process (the embedded default)."""
    scheduler = BackgroundScheduler(timezone=COPENHAGEN)
    _configure(scheduler, app)
    scheduler.start()
    app.extensions["nrs_scheduler"] = scheduler
    log.info("scheduler started in-process with %d jobs", len(JOBS))
    return scheduler


@click.group("scheduler", invoke_without_command=True)
@click.pass_context
@with_appcontext
def scheduler_cmd(ctx):
    """Run the scheduled jobs in this process until stopped (production: its own service)."""
    if ctx.invoked_subcommand is not None:
        return
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone=COPENHAGEN)
    _configure(scheduler, app)
    click.echo(f"NRS-planlægger kører med {len(JOBS)} job (Europe/Copenhagen). Stop med Ctrl-C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@scheduler_cmd.command("list")
@with_appcontext
def list_cmd():
    """Show each job, its schedule and its next run."""
    settings = current_app.config["NRS"]
    now = datetime.now(COPENHAGEN)
    for job in JOBS:
        nxt = job.trigger(settings).get_next_fire_time(None, now)
        click.echo(f"{job.id:18} {job.expression(settings):16} {nxt:%Y-%m-%d %H:%M %Z}  {job.target}")


@scheduler_cmd.command("fire")
@click.argument("job_id")
@click.option("--due", "due", default=None,
              help="The due time to run for (ISO, e.g. 2016-04-04T07:00+02:00); default: now.")
@click.option("--wait-for", "wait_for", default=None, type=click.Path(),
              help="Create FILE.ready.<pid>, then wait until FILE exists (to start processes together).")
@with_appcontext
def fire_cmd(job_id: str, due: str | None, wait_for: str | None):
    """Run one job once for one due time, under the same lease as the scheduler."""
    from nrs.cli import fail

    try:
        job = job_by_id(job_id)
    except KeyError:
        fail(f"unknown job {job_id!r}; known: {', '.join(j.id for j in JOBS)}")
    if due:
        try:
            due_at = datetime.fromisoformat(due)
        except ValueError:
            fail(f"--due: {due!r} is not an ISO date and time")
        if due_at.tzinfo is None:
            due_at = due_at.replace(tzinfo=COPENHAGEN)
        due_at = due_at.astimezone(UTC)
    else:
        due_at = utcnow().replace(microsecond=0)
    if wait_for:
        # say we are ready, then wait for the starting gun
        open(f"{wait_for}.ready.{os.getpid()}", "w").close()
        while not os.path.exists(wait_for):
            time.sleep(0.005)
    outcome = run_job(current_app.extensions["nrs_engine"], current_app.config["NRS"], job, due_at)
    click.echo(f"{job.id} {due_at.isoformat()}: {outcome}")
    if outcome == "failed":
        fail(f"job {job.id} failed; see the log and scheduler_runs")


COMMANDS = (scheduler_cmd,)
