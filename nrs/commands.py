"""What every ``nrs`` command shares: the engine, the one-line failure, the file import.

A leaf module: it imports no domain and not ``nrs.cli``, so each domain's ``cli`` module can use it
and ``nrs.cli`` can import every domain's command group without an import cycle.
"""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy.engine import Engine

from nrs.db import session_scope
from nrs.importfile import ImportFileError


def engine() -> Engine:
    return current_app.extensions["nrs_engine"]


def fail(message: str) -> None:
    """Stop the command with one line on stderr and exit status 1."""
    raise click.ClickException(message)


def run_file_import(run_import, path, *, skip_invalid: bool) -> None:
    """Run an importer on ``path`` in one transaction and report like every NRS import does.

    Every bad row is printed with its line number, then the summary; the exit status is 0 only
    when every row was valid.
    """
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
