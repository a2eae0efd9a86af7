"""The scheduler: one table of jobs, each run once per due time however many processes run."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from nrs.clock import COPENHAGEN
from nrs.config import Settings
from nrs.mail.models import OutboxMessage
from nrs.scheduler.jobs import JOBS, Job, job_by_id
from nrs.scheduler.models import SchedulerRun
from nrs.scheduler.runner import due_time, run_job, start_in_process
from tests.mail import smtp as _smtp
from tests.mail import weekly_data as _weekly

smtp_server = _smtp.smtp_server
week_data = _weekly.week_data

#: Monday of ISO week 14, 2016, 07:00 in Copenhagen (summer time): the run for week 13.
DUE = datetime(2016, 4, 4, 7, 0, tzinfo=COPENHAGEN).astimezone(UTC)
RECIPIENTS = ["karen@allerod.test", "lis@horsholm.test", "ole@hillerod.test", "styregruppe@nrs.test"]
calls: list[datetime] = []
#: For what needs no database: the schedule and the due times.
PLAIN = Settings(instance_path=Path("unused"), database_url="sqlite://", secret_key="x")


@pytest.fixture
def settings(settings, smtp_server):
    return settings.with_(smtp_host="127.0.0.1", smtp_port=smtp_server.port, mail_from="nrs@nrs.test")


def counting_job(session, *, now, settings):
    calls.append(now)
    time.sleep(0.05)


def broken_job(session, *, now, settings):
    raise RuntimeError("the data is broken")


def test_the_table_holds_every_job_with_its_schedule():
    assert [j.id for j in JOBS] == ["weekly_email", "campaign_refresh", "outbox", "help_requests",
                                    "deadline_close", "retention", "job_order_tally", "report_snapshots", "period_reports",
                                    "agreement_notices", "task_notices", "notification_digest", "enquiry_mailbox"]
    weekly = job_by_id("weekly_email").trigger(PLAIN)
    first = weekly.get_next_fire_time(None, datetime(2016, 3, 30, tzinfo=COPENHAGEN))
    assert first == datetime(2016, 4, 4, 7, 0, tzinfo=COPENHAGEN)
    custom = job_by_id("weekly_email").trigger(PLAIN.with_(weekly_email_cron="30 6 * * tue"))
    assert custom.get_next_fire_time(None, first) == datetime(2016, 4, 5, 6, 30, tzinfo=COPENHAGEN)


def test_due_time_is_the_same_in_every_process_and_follows_copenhagen():
    weekly = job_by_id("weekly_email")
    late = DUE + timedelta(seconds=40)
    assert due_time(weekly, PLAIN, late) == DUE
    assert due_time(weekly, PLAIN, DUE + timedelta(minutes=20)) == DUE
    assert due_time(weekly, PLAIN, DUE + timedelta(hours=3)) is None
    # winter time: Monday 07:00 is 06:00 UTC
    winter = datetime(2016, 3, 21, 6, 0, 5, tzinfo=UTC)
    assert due_time(weekly, PLAIN, winter) == datetime(2016, 3, 21, 6, 0, tzinfo=UTC)
    minute = job_by_id("outbox")
    assert due_time(minute, PLAIN, datetime(2016, 4, 4, 9, 13, 59, tzinfo=UTC)) == datetime(
        2016, 4, 4, 9, 13, tzinfo=UTC)


def test_a_job_runs_once_per_due_time(engine, settings, session):
    calls.clear()
    job = Job("test_counting", "* * * * *", counting_job)
    assert run_job(engine, settings, job, DUE) == "ran"
    assert run_job(engine, settings, job, DUE) == "taken"
    assert run_job(engine, settings, job, DUE + timedelta(minutes=1)) == "ran"
    assert calls == [DUE, DUE + timedelta(minutes=1)]
    runs = session.exec(select(SchedulerRun).where(SchedulerRun.job_id == "test_counting")).all()
    assert [r.outcome for r in runs] == ["ok", "ok"]


def test_four_threads_at_the_same_due_time_run_it_once(engine, settings, session):
    calls.clear()
    job = Job("test_counting", "* * * * *", counting_job)
    barrier = threading.Barrier(4)
    outcomes = []

    def fire():
        barrier.wait()
        outcomes.append(run_job(engine, settings, job, DUE))

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ran", "taken", "taken", "taken"]
    assert calls == [DUE]


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(engine, settings, session):
    broken = Job("test_broken", "0 2 * * *", broken_job)
    assert run_job(engine, settings, broken, DUE) == "failed"
    run = session.exec(select(SchedulerRun).where(SchedulerRun.job_id == "test_broken")).one()
    assert run.outcome == "failed" and "the data is broken" in run.error


def test_the_weekly_job_from_four_threads_queues_one_message_per_recipient(
        app, engine, settings, week_data, session):
    barrier = threading.Barrier(4)
    outcomes = []

    def fire():
        barrier.wait()
        with app.app_context():
            outcomes.append(run_job(engine, settings, job_by_id("weekly_email"), DUE))

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ran", "taken", "taken", "taken"]
    keys = sorted(session.exec(select(OutboxMessage.idempotency_key)).all())
    assert keys == [f"weekly:2016-W13:{e}" for e in RECIPIENTS]


def _nrs_env(database_url: str, tmp_path: Path, smtp_port: int) -> dict:
    env = dict(os.environ)
    env.update(
        NRS_DATABASE_URL=database_url, NRS_INSTANCE_PATH=str(tmp_path / "instance"),
        NRS_SECRET_KEY="test-secret-key-long-enough-for-a-key", NRS_BASE_URL="http://nrs.test",
        NRS_SMTP_HOST="127.0.0.1", NRS_SMTP_PORT=str(smtp_port), NRS_MAIL_FROM="nrs@nrs.test",
        NRS_RUN_SCHEDULER="false",
    )
    return env


def _start_together(args: list[str], env: dict, go: Path, n: int = 4) -> list[subprocess.CompletedProcess]:
    """Start ``n`` processes of ``nrs …``, release them at the same instant, collect their output."""
    nrs = str(Path(sys.executable).parent / "nrs")
    procs = [subprocess.Popen([nrs, *args, "--wait-for", str(go)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(n)]
    deadline = time.time() + 120
    while len(list(go.parent.glob(go.name + ".ready.*"))) < n and time.time() < deadline:
        time.sleep(0.05)
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return results


def test_four_scheduler_processes_against_one_postgresql_send_each_message_once(
        backend, database_url, week_data, smtp_server, session, tmp_path):
    if backend != "postgresql":
        pytest.skip("four OS processes against one server: PostgreSQL (SQLite has the thread test)")
    env = _nrs_env(database_url, tmp_path, smtp_server.port)
    results = _start_together(["scheduler", "fire", "weekly_email", "--due", DUE.isoformat()], env,
                              tmp_path / "go")
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    outcomes = sorted(r.stdout.strip().rsplit(" ", 1)[-1] for r in results)
    assert outcomes == ["ran", "taken", "taken", "taken"]
    runs = session.exec(select(SchedulerRun).where(SchedulerRun.job_id == "weekly_email")).all()
    assert len(runs) == 1 and runs[0].outcome == "ok"

    # four outbox jobs at once (different due times, so all four really send): SKIP LOCKED
    # lets each take its own rows, and every recipient gets one message
    senders = []
    for i in range(4):
        senders.append(subprocess.Popen(
            [str(Path(sys.executable).parent / "nrs"), "scheduler", "fire", "outbox", "--due",
             (DUE + timedelta(minutes=i)).isoformat()],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for p in senders:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == RECIPIENTS
    assert all(r.message.get_body(("html",)) is not None for r in smtp_server.received)


def test_stopping_the_smtp_server_during_a_run_loses_nothing(
        app, engine, settings, week_data, smtp_server, session):
    with app.app_context():
        run_job(engine, settings, job_by_id("weekly_email"), DUE)
        smtp_server.stop()
        run_job(engine, settings, job_by_id("outbox"), DUE)
        assert smtp_server.received == []
        smtp_server.start()
        for minute in range(1, 4):
            run_job(engine, settings, job_by_id("outbox"), DUE + timedelta(minutes=minute))
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == RECIPIENTS


def test_serve_starts_the_jobs_in_process(app):
    scheduler = start_in_process(app)
    try:
        assert sorted(j.id for j in scheduler.get_jobs()) == sorted(j.id for j in JOBS)
        assert all(j.next_run_time is not None for j in scheduler.get_jobs())
    finally:
        scheduler.shutdown(wait=False)


def test_scheduler_list_and_fire_from_the_command_line(cli_run, session):
    listing = cli_run("scheduler", "list")
    assert listing.exit_code == 0 and "weekly_email" in listing.output and "0 7 * * mon" in listing.output
    fired = cli_run("scheduler", "fire", "retention", "--due", "2016-04-04T03:00")
    assert fired.exit_code == 0 and fired.output.strip().split()[-1] == "ran"
    again = cli_run("scheduler", "fire", "retention", "--due", "2016-04-04T03:00")
    assert again.output.strip().endswith("taken")
    assert cli_run("scheduler", "fire", "nosuchjob").exit_code == 1


def test_every_job_has_the_one_signature():
    """``fn(session, *, now, settings)``; the outbox, which sends outside a transaction, the engine."""
    for job in JOBS:
        params = inspect.signature(job.fn).parameters
        first, *keywords = params.values()
        assert first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, job.id
        assert first.name == ("engine" if job.own_transactions else "session"), job.id
        required = [p.name for p in keywords if p.default is inspect.Parameter.empty]
        assert required == ["now", "settings"], job.id
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in keywords), job.id
    assert [j.id for j in JOBS if j.own_transactions] == ["outbox", "enquiry_mailbox"]


def test_every_job_in_the_table_runs_on_the_settings_given(app, engine, settings, week_data, session,
                                                            monkeypatch):
    """No job reads the environment again (which would also create files in ``instance/``)."""

    def no_environment(*args, **kwargs):
        raise AssertionError("a job read the environment")

    monkeypatch.setattr(Settings, "from_env", no_environment)
    before = sorted(settings.instance_path.rglob("*"))
    with app.app_context():
        outcomes = {job.id: run_job(engine, settings, job, DUE) for job in JOBS}
    assert outcomes == dict.fromkeys(outcomes, "ran")
    assert sorted(settings.instance_path.rglob("*")) == before
    runs = session.exec(select(SchedulerRun)).all()
    assert {r.job_id: r.outcome for r in runs} == dict.fromkeys(outcomes, "ok")
