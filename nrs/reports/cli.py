from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import with_appcontext

from nrs.commands import engine, fail
from nrs.db import session_scope
from nrs.reports.queries import status_figures


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
        figures = status_figures(s, as_of=day)
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


COMMANDS = (reports,)
