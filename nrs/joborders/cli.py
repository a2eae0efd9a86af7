"""``nrs orders import FILE [--skip-invalid]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from nrs.commands import run_file_import
from nrs.joborders.importer import run_import


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


COMMANDS = (orders,)
