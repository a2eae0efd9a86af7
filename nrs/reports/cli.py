from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from nrs.clock import utcnow
from nrs.commands import engine, fail
from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.reports import documents, scheduled, snapshots
from nrs.reports.period import Period, centre_by_code, period_report


@click.group("reports")
def reports():
    """Figures: status as of a date, the weekly e-mail."""


@reports.command("status")
@click.option("--as-of", "as_of", required=True, help="The date, YYYY-MM-DD: figures at the end of that day.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def status_cmd(as_of: str, as_json: bool):
    """Job-order figures as of a date, computed from the order history (paused counts as open)."""
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    with session_scope(engine()) as s:
        figures = snapshots.status_as_of(s, day)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"Status pr. {day.strftime('%d-%m-%Y')}")
    for key in ("orders_received", "orders_filled", "orders_unfilled", "orders_open", "agreements_active",
                "hires_from_other_centres"):
        click.echo(f"  {key:<26}{figures[key]:>6}")
    click.echo("  centre  received  filled  unfilled  open")
    for code, row in figures["by_centre"].items():
        click.echo(f"  {code:>6}  {row['orders_received']:>8}  {row['orders_filled']:>6}  "
                   f"{row['orders_unfilled']:>8}  {row['orders_open']:>4}")


@reports.command("period")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--centre", "centre", type=int, default=None, help="A centre's municipality code (201): that centre only.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]), default=None, help="Write a file instead.")
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="The file to write (with --format).")
@with_appcontext
def period_cmd(start: str, end: str, centre: int | None, as_json: bool, fmt: str | None, output: str | None):
    """The committee report for a period: orders, hires, agreements and campaigns, per centre and sector."""

    try:
        period = Period(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError:
        fail(f"--from {start!r} --to {end!r}: two dates (YYYY-MM-DD), the first not after the second")
    if bool(fmt) != bool(output) or (fmt and as_json):
        fail("use either --json or --format xlsx|pdf with --output FILE")
    with session_scope(engine()) as s:
        centre_id = None
        if centre is not None:
            centre_id = centre_by_code(s, centre)
            if centre_id is None:
                fail(f"--centre {centre}: no job centre has that municipality code")
        report = period_report(s, period, centre_id=centre_id,
                               response_days=current_app.config["NRS"].enquiry_response_working_days)
        if fmt:
            data = documents.render(fmt, s, report)
    if fmt:
        with open(output, "wb") as fh:
            fh.write(data)
        click.echo(f"{output}: {len(data)} bytes")
        return
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"Periode {period.start.strftime('%d-%m-%Y')} - {period.end.strftime('%d-%m-%Y')}")
    for key in ("orders_open_at_start", "orders_received", "orders_filled", "orders_unfilled", "orders_reopened",
                "orders_open_at_end", "hires", "hires_from_other_centres", "agreements_active_at_end"):
        click.echo(f"  {key:<26}{report[key]:>7}")


@reports.command("rebuild-snapshots")
@with_appcontext
def rebuild_snapshots_cmd():
    """Count the month-end snapshots again from the job-order history (after a bulk load; also nightly)."""

    with session_scope(engine(), write=True) as s:
        n = snapshots.rebuild(s)
    click.echo(f"month snapshots (report_month_figures, report_centre_code_months, report_star_months): {n} rows")


@reports.command("subscribe")
@click.option("--name", default="", help="What the list is (Styregruppen).")
@click.option("--to", "recipients", required=True, help="Addresses, comma-separated.")
@click.option("--every", type=click.Choice(["month", "quarter"]), default="quarter")
@click.option("--centre", "centre", type=int, default=None, help="A centre's municipality code: its report only.")
@with_appcontext
def subscribe_cmd(name: str, recipients: str, every: str, centre: int | None):
    """Send the period report as a PDF to an address list after every month or quarter."""

    try:
        with session_scope(engine(), write=True) as s:
            sub = scheduled.subscribe(s, name=name, recipients=recipients, every=every, centre_code=centre)
            click.echo(f"subscription {sub.id}: {', '.join(sub.addresses)} every {every}")
    except DomainError as exc:
        fail(str(exc))


@reports.command("send-scheduled")
@with_appcontext
def send_scheduled_cmd():
    """Queue the due period reports now (the scheduler does this daily; each period goes once)."""

    with session_scope(engine(), write=True) as s:
        n = scheduled.send_due(s, now=utcnow(), settings=current_app.config["NRS"])
    click.echo(f"queued {n}")


COMMANDS = (reports,)
