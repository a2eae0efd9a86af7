"""``nrs mail send`` and ``nrs reports weekly``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from nrs.clock import utcnow
from nrs.commands import engine, fail
from nrs.db import session_scope
from nrs.mail.services import SendReport, send_due
from nrs.reports import weekly
from nrs.reports.cli import reports


@click.group("mail")
def mail():
    """The outbox of e-mails."""


@mail.command("send")
@with_appcontext
def send_cmd():
    """Send every message that is due now (the scheduler does this every minute)."""
    total = _flush()
    click.echo(f"Sendt: {len(total.sent)}, prøves igen senere: {len(total.retrying)}, "
               f"fejlet: {len(total.failed)}")
    for key in total.retrying + total.failed:
        click.echo(f"  ikke sendt: {key}", err=True)


def _flush():
    total = SendReport()
    while True:
        report = send_due(engine(), settings=current_app.config["NRS"], limit=100)
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        if report.claimed < 100:
            return total


@reports.command("weekly")
@click.option("--week", default=None, help="ISO week, e.g. 2016-W13 (default: last week).")
@click.option("--dry-run", "mode", flag_value="dry-run", help="Print what would be sent.")
@click.option("--send", "mode", flag_value="send", help="Queue the messages and send them now.")
@click.option("--force", is_flag=True, help="Queue the week's messages again even if already sent.")
@with_appcontext
def weekly_cmd(week: str | None, mode: str | None, force: bool):
    """The weekly status e-mail: queue it (default), print it (--dry-run) or send it (--send)."""
    try:
        iso_week = weekly.parse_week(week) if week else weekly.previous_week(utcnow())
        weekly.ensure_not_future(iso_week, utcnow())
    except ValueError as exc:
        fail(f"--week: {exc}")
    if mode == "dry-run":
        with session_scope(engine()) as s:
            messages = weekly.render_all(s, week=iso_week)
            s.rollback()
        for m in messages:
            click.echo(f"Til: {m.to}\nEmne: {m.subject}\n\n{m.text}\n{'-' * 72}")
        click.echo(f"{len(messages)} beskeder for uge {iso_week} ville blive sendt.")
        return
    with session_scope(engine()) as s:
        queued = weekly.enqueue_weekly(s, week=iso_week, now=utcnow(), force=force)
    click.echo(f"Uge {iso_week}: {len(queued)} nye beskeder i udbakken.")
    if mode == "send":
        total = _flush()
        click.echo(f"Sendt: {len(total.sent)}, prøves igen senere: {len(total.retrying)}, "
                   f"fejlet: {len(total.failed)}")


COMMANDS = (mail,)
