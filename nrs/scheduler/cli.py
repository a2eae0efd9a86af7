"""``nrs scheduler``: run the jobs in this process, list them, or fire one by hand."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext

from nrs.clock import COPENHAGEN, utcnow
from nrs.commands import engine, fail
from nrs.scheduler.jobs import JOBS, job_by_id
from nrs.scheduler.runner import configure, run_job


@click.group("scheduler", invoke_without_command=True)
@click.pass_context
@with_appcontext
def scheduler_cmd(ctx):
    """Run the scheduled jobs in this process until stopped (production: its own service)."""
    if ctx.invoked_subcommand is not None:
        return
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone=COPENHAGEN)
    configure(scheduler, app)
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
    outcome = run_job(engine(), current_app.config["NRS"], job, due_at)
    click.echo(f"{job.id} {due_at.isoformat()}: {outcome}")
    if outcome == "failed":
        fail(f"job {job.id} failed; see the log and scheduler_runs")

