from __future__ import annotations

import click
from flask.cli import with_appcontext

from nrs.commands import engine, fail
from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.sectors import queries, services


@click.group("sectors")
def sectors():
    """Focus sectors (fokusbrancher) per year."""


@sectors.command("set")
@click.option("--year", type=int, required=True)
@click.option("--name", required=True)
@click.option("--codes", required=True, help="DB07 prefixes of 2-6 digits, e.g. 41,42,43 or 49-53.")
@with_appcontext
def set_(year: int, name: str, codes: str):
    """Create the sector of that year, or replace its codes."""
    try:
        with session_scope(engine()) as s:
            existed = queries.sector_by_name(s, year=year, name=name) is not None
            sector = services.set_sector(s, by=None, year=year, name=name, codes=codes)
            verb = "erstattet" if existed else "oprettet"
            click.echo(f"{sector.year} {sector.name}: {sector.codes} ({verb})")
    except DomainError as exc:
        fail(exc.message)


@sectors.command("list")
@click.option("--year", type=int, default=None)
@with_appcontext
def list_(year: int | None):
    """List the sectors, newest year first (tab-separated: year, name, codes)."""
    with session_scope(engine()) as s:
        years = [year] if year else queries.sector_years(s)
        for y in years:
            for sector in queries.sectors_for_year(s, y):
                click.echo(f"{sector.year}\t{sector.name}\t{sector.codes}")


@sectors.command("delete")
@click.option("--year", type=int, required=True)
@click.option("--name", required=True)
@with_appcontext
def delete(year: int, name: str):
    """Delete a sector that no agreement refers to."""
    try:
        with session_scope(engine()) as s:
            sector = queries.sector_by_name(s, year=year, name=name)
            if sector is None:
                fail(f"no sector named {name!r} in {year}")
            services.delete_sector(s, sector, by=None)
            click.echo(f"{year} {name} slettet")
    except DomainError as exc:
        fail(exc.message)


COMMANDS = (sectors,)
