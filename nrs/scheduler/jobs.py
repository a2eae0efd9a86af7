"""The one table of scheduled jobs, with the functions themselves.

One signature for every job: ``fn(session, *, now, settings)``, called inside one write
transaction the runner opens and commits. ``now`` is the due time (UTC), ``settings`` the app's:
no job reads the environment or the Flask app itself. The outbox is the one job that sends
outside a transaction (it claims rows, talks to the SMTP server, then records the outcome), so it
is marked ``own_transactions`` and gets the engine where the others get the session, with the
same keywords.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger

from nrs.campaigns.jobs import refresh_running_campaigns
from nrs.clock import COPENHAGEN
from nrs.config import Settings
from nrs.enquiries.mailbox import fetch_mailbox
from nrs.joborders.deadlines import close_past_deadline
from nrs.joborders.jobs import check_tally, request_help_for_idle_orders
from nrs.mail.jobs import send_outbox
from nrs.notifications.jobs import agreements_ending, send_digests, tasks_due
from nrs.privacy.jobs import run_retention
from nrs.reports.scheduled import send_due as send_period_reports
from nrs.reports.snapshots import nightly as rebuild_report_snapshots
from nrs.reports.weekly import weekly_job


@dataclass(frozen=True)
class Job:
    id: str
    #: A cron expression (minute hour day month weekday) or a function of the settings giving one.
    cron: str | Callable[[Settings], str]
    #: ``fn(session, *, now, settings)``; ``fn(engine, *, now, settings)`` if ``own_transactions``.
    fn: Callable[..., object]
    own_transactions: bool = False

    def expression(self, settings: Settings) -> str:
        return self.cron(settings) if callable(self.cron) else self.cron

    def trigger(self, settings: Settings) -> CronTrigger:
        # Cron week days, as APScheduler reads them: mon … sun (0 is Monday there, not Sunday).
        return CronTrigger.from_crontab(self.expression(settings), timezone=COPENHAGEN)

    @property
    def target(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


JOBS: tuple[Job, ...] = (
    Job("weekly_email", lambda s: s.weekly_email_cron, weekly_job),
    Job("campaign_refresh", lambda s: s.campaign_refresh_cron, refresh_running_campaigns),
    Job("outbox", "* * * * *", send_outbox, own_transactions=True),
    Job("help_requests", "0 6 * * *", request_help_for_idle_orders),
    Job("deadline_close", "15 5 * * *", close_past_deadline),
    Job("retention", "0 3 * * *", run_retention),
    Job("job_order_tally", "30 4 * * *", check_tally),
    Job("report_snapshots", "45 4 * * *", rebuild_report_snapshots),
    Job("period_reports", "0 6 * * *", send_period_reports),
    Job("agreement_notices", "15 6 * * *", agreements_ending),
    Job("task_notices", "20 6 * * *", tasks_due),
    Job("notification_digest", "0 15 * * *", send_digests),
    Job("enquiry_mailbox", "*/5 * * * *", fetch_mailbox, own_transactions=True),
)


def job_by_id(job_id: str) -> Job:
    for job in JOBS:
        if job.id == job_id:
            return job
    raise KeyError(job_id)
