"""``nrs orders import FILE [--skip-invalid]``, ``nrs orders centre-joined CODE YYYY-MM-DD``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlmodel import select

from nrs.commands import engine, run_file_import
from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.joborders.importer import run_import
from nrs.municipalities.models import JobCentre
from nrs.municipalities.services import set_joined_on


@click.group("orders")
def orders():
    """Job orders."""


@orders.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Write the valid rows even when some rows are invalid.")
@with_appcontext
def import_cmd(path: Path, skip_invalid: bool):
    """Import job orders from the old spreadsheet (CSV); every row is checked before writing.

    Known orders (same reference and CVR number) are left as they are. Exit status 0 only when
    every row was valid.
    """
    run_file_import(run_import, path, skip_invalid=skip_invalid)


@orders.command("centre-joined")
@click.argument("code", type=int)
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@with_appcontext
def centre_joined_cmd(code: int, day):
    """Set the day a centre (municipality code) joined NRS: orders received before it are refused."""
    with session_scope(engine()) as s:
        centre = s.exec(select(JobCentre).where(JobCentre.municipality_code == code)).first()
        if centre is None:
            raise click.ClickException(f"no job centre with municipality code {code}")
        try:
            set_joined_on(s, centre, by=None, joined_on=day.date())
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        name, joined = centre.name, centre.joined_on
    click.echo(f"{name} joined NRS on {joined.isoformat()}")


COMMANDS = (orders,)
