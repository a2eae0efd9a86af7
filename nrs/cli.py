"""The ``nrs`` command. Each command exits non-zero with a one-line reason and changes nothing then."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlmodel import select
from werkzeug.serving import run_simple

from nrs import create_app, served
from nrs.activities import cli as activities_cli
from nrs.api import cli as api_cli
from nrs.auth import cli as auth_cli
from nrs.auth.models import User
from nrs.campaigns import cli as campaigns_cli
from nrs.commands import engine, fail
from nrs.companies import cli as companies_cli
from nrs.config import ConfigError
from nrs.db import session_scope, upgrade
from nrs.demo import load_demo
from nrs.enquiries import cli as enquiries_cli
from nrs.joborders import cli as joborders_cli
from nrs.mail import cli as mail_cli
from nrs.municipalities.services import load_reference_data
from nrs.privacy import cli as privacy_cli
from nrs.reports import cli as reports_cli
from nrs.scheduler import cli as scheduler_cli
from nrs.scheduler.runner import start_in_process
from nrs.sectors import cli as sectors_cli

#: Every domain's command group, in the order ``nrs --help`` lists them.
GROUPS = (
    auth_cli.users,
    companies_cli.companies,
    sectors_cli.sectors,
    joborders_cli.orders,
    campaigns_cli.campaigns,
    activities_cli.activities,
    activities_cli.tasks,
    enquiries_cli.enquiries,
    reports_cli.reports,
    mail_cli.mail,
    privacy_cli.privacy,
    scheduler_cli.scheduler_cmd,
    api_cli.api_tokens,
)


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def cli():
    """NRS: Nordsjællands Rekrutteringsservice."""


@cli.command("init")
@with_appcontext
def init_cmd():
    """Create or upgrade the schema to the latest migration and load the reference data."""
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
    app = served(current_app._get_current_object())
    if not no_scheduler and app.config["NRS"].run_scheduler:
        start_in_process(app)
    click.echo(f"NRS kører på http://{host}:{port}")
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) when the database already has users.")
@click.option("--seed", default=2016, type=int, show_default=True)
@with_appcontext
def demo_cmd(if_empty: bool, seed: int):
    """Load a realistic demo data set into an empty database."""
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


for _group in GROUPS:
    cli.add_command(_group)


def main() -> None:
    try:
        cli.main(prog_name="nrs")
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
