from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlmodel import select

from nrs.auth.models import User
from nrs.campaigns import importer, queries, services
from nrs.campaigns.models import Campaign, TargetStatus
from nrs.clock import utcnow
from nrs.commands import engine, fail, run_file_import
from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.exports.spreadsheet import render
from nrs.municipalities.models import JobCentre
from nrs.sectors.models import FocusSector


@click.group("campaigns")
def campaigns():
    """Outreach campaigns: create, build the target list, export it."""


@campaigns.command("create")
@click.option("--name", required=True)
@click.option("--year", type=int, required=True)
@click.option("--min-employees", type=int, default=5, show_default=True)
@click.option("--sector", "sectors", multiple=True, help="A focus sector of that year (default: all of them).")
@click.option("--prefix", "prefixes", multiple=True, help="An extra DB07 code prefix, e.g. 55.")
@click.option("--municipality", "municipalities", type=int, multiple=True,
              help="A municipality code (default: the nine).")
@click.option("--include-protected", is_flag=True, help="Keep advertising-protected companies on the list.")
@click.option("--exclude-agreements", is_flag=True, help="Leave out companies with an active agreement.")
@with_appcontext
def create(name, year, min_employees, sectors, prefixes, municipalities, include_protected, exclude_agreements):
    """Create a campaign; the last line starts with its id."""
    try:
        with session_scope(engine()) as s:
            ids = []
            for sector_name in sectors:
                sector = s.exec(select(FocusSector).where(FocusSector.year == year,
                                                          FocusSector.name == sector_name)).first()
                if sector is None:
                    fail(f"no focus sector named {sector_name!r} in {year}")
                ids.append(sector.id)
            campaign = services.create_campaign(
                s, by=None, name=name, year=year, sector_ids=ids, extra_prefixes=prefixes,
                min_employees=min_employees, municipality_codes=municipalities or None,
                exclude_advertising_protected=not include_protected,
                exclude_active_agreements=exclude_agreements,
            )
            click.echo(f"{campaign.id} {campaign.name} oprettet")
    except DomainError as exc:
        fail(exc.message)


def _campaign(s, campaign_id: int) -> Campaign:
    campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        fail(f"no campaign with id {campaign_id}")
    return campaign


@campaigns.command("build")
@click.argument("campaign_id", type=int)
@with_appcontext
def build(campaign_id: int):
    """Refresh the target list now; the last line starts with the number of targets."""
    try:
        with session_scope(engine(), write=True) as s:  # a refresh reads, then writes
            campaign = _campaign(s, campaign_id)
            result = services.build_campaign(s, campaign, now=utcnow())
            click.echo(f"tilføjet {result.added}, ikke længere matchende {result.removed}, "
                       f"reklamebeskyttede udeladt {result.excluded_protected}")
            click.echo(f"{result.targets} virksomheder på listen")
    except DomainError as exc:
        fail(exc.message)


@campaigns.command("export")
@click.argument("campaign_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--centre", type=int, default=None, help="The lead centre's municipality code, e.g. 219.")
@click.option("--status", type=click.Choice([s.value for s in TargetStatus]), default=None)
@with_appcontext
def export(campaign_id: int, fmt: str, output: Path, centre: int | None, status: str | None):
    """Write the target list (or one centre's part of it) as CSV or XLSX."""
    with session_scope(engine()) as s:
        campaign = _campaign(s, campaign_id)
        centre_id = None
        if centre is not None:
            jc = s.exec(select(JobCentre).where(JobCentre.municipality_code == centre)).first()
            if jc is None:
                fail(f"no job centre for municipality {centre}")
            centre_id = jc.id
        rows = queries.export_rows(s, campaign.id, centre_id=centre_id,
                                   status=TargetStatus(status) if status else None)
        output.write_bytes(render(fmt, queries.EXPORT_HEADERS, rows, sheet="Målliste"))
        services.record_export(s, campaign, by=None, fmt=fmt, centre_code=str(centre) if centre else "all", status=status, rows=len(rows))
        click.echo(f"{len(rows)} virksomheder skrevet til {output}")


@campaigns.command("import-outcomes")
@click.argument("campaign_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", "by_email", default=None,
              help="The user recording the outcomes (author of the activities, holder of the call-back tasks).")
@click.option("--skip-invalid", is_flag=True, help="Write the valid rows even when some rows are invalid.")
@with_appcontext
def import_outcomes(campaign_id: int, path: Path, by_email: str | None, skip_invalid: bool):
    """Read back an exported list with the outcome columns filled in (XLSX or CSV).

    Each filled row becomes an activity and a status (and a task for a call-back or a meeting);
    every row is checked first; a row imported before is left alone. Exit status 0 only when every
    row was valid.
    """
    def run(s, data: bytes, *, filename: str, skip_invalid: bool):
        campaign = _campaign(s, campaign_id)
        by = None
        if by_email:
            by = s.exec(select(User).where(User.email == by_email.strip().lower())).first()
            if by is None:
                fail(f"no user with e-mail {by_email}")
        return importer.run_import(s, campaign, data, filename=filename, by=by, skip_invalid=skip_invalid)

    run_file_import(run, path, skip_invalid=skip_invalid)


COMMANDS = (campaigns,)
