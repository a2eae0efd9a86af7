"""The ``nrs`` command. Each command exits non-zero with a one-line reason and changes nothing then."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlmodel import select

from nrs.config import ConfigError
from nrs.registry import optional_module


def _create_app():
    from nrs import create_app

    return create_app()


def engine():
    return current_app.extensions["nrs_engine"]


def fail(message: str) -> None:
    """Stop the command with one line on stderr and exit status 1."""
    raise click.ClickException(message)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def cli():
    """NRS: Nordsjællands Rekrutteringsservice."""


@cli.command("init")
@with_appcontext
def init_cmd():
    """Create or upgrade the schema to the latest migration and load the reference data."""
    from nrs.db import session_scope, upgrade
    from nrs.municipalities.services import load_reference_data

    upgrade(current_app.config["NRS"].database_url)
    with session_scope(engine()) as s:
        load_reference_data(s)
    click.echo("Databasen er klar (seneste migrering og referencedata).")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduled jobs in this process.")
@with_appcontext
def serve_cmd(host: str, port: int, no_scheduler: bool):
    """Run the development server (with the scheduler in-process unless told otherwise)."""
    app = current_app._get_current_object()
    if not no_scheduler and app.config["NRS"].run_scheduler:
        try:
            from nrs.scheduler import start_in_process
        except ModuleNotFoundError:
            pass
        else:
            start_in_process(app)
    click.echo(f"NRS kører på http://{host}:{port}")
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database already has users.")
@click.option("--seed", default=2016, type=int, show_default=True)
@with_appcontext
def demo_cmd(if_empty: bool, seed: int):
    """Load a realistic demo data set into an empty database."""
    from nrs.auth.models import User
    from nrs.db import session_scope
    from nrs.demo import load_demo

    with session_scope(engine()) as s:
        if s.exec(select(User)).first() is not None:
            if if_empty:
                click.echo("Databasen har allerede data; demodata springes over.")
                return
            fail("the database is not empty; demo data goes into an empty database only")
        login = load_demo(s, seed=seed)
    path = current_app.config["NRS"].instance_path / "demo-login.txt"
    path.write_text(f"{login[0]} {login[1]}\n")
    path.chmod(0o600)
    click.echo(f"Demodata indlæst. Log ind som {login[0]} med adgangskoden {login[1]}")


def run_file_import(run_import, path, *, skip_invalid: bool) -> None:
    """Run an importer on ``path`` in one transaction and report like every NRS import does.

    Every bad row is printed with its line number, then the summary; the exit status is 0 only
    when every row was valid.
    """
    from nrs.db import session_scope
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


#: Domain command groups: ``nrs.<domain>.cli.group`` is added when the module exists.
DOMAIN_GROUPS = ("auth", "companies", "sectors", "agreements", "joborders", "campaigns", "reports",
                 "mail", "privacy", "scheduler_cli")


def _add_domain_groups() -> None:
    for name in DOMAIN_GROUPS:
        module = optional_module(f"nrs.{name}.cli" if name != "scheduler_cli" else "nrs.scheduler")
        if module is None:
            continue
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


_add_domain_groups()


def main() -> None:
    try:
        cli.main(prog_name="nrs")
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
