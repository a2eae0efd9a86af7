"""``nrs companies import FILE [--skip-invalid]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from nrs.cli import engine, fail
from nrs.db import session_scope


@click.group("companies")
def companies():
    """Companies from the CVR register or a spreadsheet."""


@companies.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Write the valid rows even when some rows are invalid.")
@with_appcontext
def import_cmd(path: Path, skip_invalid: bool):
    """Import companies from a CSV file or CVR JSON Lines; every row is checked before writing.

    Exit status 0 only when every row was valid.
    """
    from nrs.companies.importer import run_import
    from nrs.importfile import ImportFileError

    try:
        with session_scope(engine()) as s:
            report = run_import(s, path.read_bytes(), filename=path.name, skip_invalid=skip_invalid)
    except ImportFileError as exc:
        fail(f"{path.name}: {exc}; nothing was written")
    for problem in report.problems:
        click.echo(problem)
    click.echo(report.summary())
    if not report.ok:
        if report.written:
            fail(f"{report.invalid} invalid rows were skipped; the valid rows were written")
        fail(f"{report.invalid} invalid rows; nothing was written (use --skip-invalid to write the valid rows)")


COMMANDS = (companies,)
