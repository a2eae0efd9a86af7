from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from nrs.clock import format_date, utcnow
from nrs.commands import engine
from nrs.db import session_scope
from nrs.privacy.jobs import run_retention


@click.group("privacy")
def privacy():
    """Personal data: retention."""


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
@with_appcontext
def retention(dry_run: bool):
    """Purge old access-log entries and remove old referral case references (what runs daily)."""
    with session_scope(engine(), write=True) as s:  # reads, then writes: take SQLite's lock first
        result = run_retention(s, now=utcnow(), settings=current_app.config["NRS"], dry_run=dry_run)
    verb = "ville blive" if dry_run else "blev"
    click.echo(
        f"{result.access_log_purged} poster i adgangsloggen fra før {format_date(result.access_log_cutoff)} {verb} slettet; "
        f"{result.referrals_anonymised} henvisninger (ordre lukket eller, på en ikke lukket ordre, henvist senest "
        f"{format_date(result.referral_cutoff)}) "
        f"{verb} anonymiseret."
    )


COMMANDS = (privacy,)
