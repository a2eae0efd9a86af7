from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from nrs.api import tokens
from nrs.api.models import ApiToken
from nrs.api.queries import centre_codes, centre_id
from nrs.clock import utcnow
from nrs.commands import engine, fail
from nrs.db import session_scope
from nrs.errors import DomainError


@click.group("api-tokens")
def api_tokens():
    """Keys for the read-only API (/api/v1/): create, list, revoke."""


@api_tokens.command("create")
@click.option("--name", required=True, help="What the key is for (one key per integration), e.g. 'Hillerød DWH'.")
@click.option("--centre", "centre", type=int, default=None, help="Only this centre's data (its municipality code, 201).")
@click.option("--days", type=int, default=None, help="Valid for this many days (default: until revoked).")
@click.option("--referrals", is_flag=True, help="May read referral data (the orders' referrals; logged).")
@with_appcontext
def create_cmd(name: str, centre: int | None, days: int | None, referrals: bool):
    """Make a key; the key itself is printed once, as the last line, and never stored."""
    try:
        with session_scope(engine(), write=True) as s:
            scope = centre_id(s, centre)
            if centre is not None and scope is None:
                fail(f"--centre {centre}: no job centre has that municipality code")
            token, key = tokens.create(s, name=name, centre_id=scope, days=days, referrals=referrals)
            expires = token.expires_at.date().isoformat() if token.expires_at else "never"
            click.echo(f"{token.name}: centre {centre or 'all'}, referrals {'yes' if referrals else 'no'}, "
                       f"expires {expires}. Keep the key now; it is not shown again:")
    except DomainError as exc:
        fail(exc.message)
    click.echo(key)


@api_tokens.command("list")
@with_appcontext
def list_cmd():
    """Every key: name, start of the key, centre, scope, expiry, state, last use."""
    now = utcnow()
    with session_scope(engine()) as s:
        codes = centre_codes(s)
        for t in s.exec(select(ApiToken).order_by(ApiToken.name)):
            state = ("revoked" if t.revoked_at else "expired" if not tokens.usable(t, now) else "active")
            click.echo("\t".join([
                t.name, t.prefix + "…", str(codes.get(t.job_centre_id, "all")),
                "referrals" if t.referrals else "-",
                t.expires_at.date().isoformat() if t.expires_at else "never", state,
                t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never used",
            ]))


@api_tokens.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_cmd(name: str):
    """Stop a key at once (its next call is a 401)."""
    try:
        with session_scope(engine(), write=True) as s:
            tokens.revoke(s, name)
    except DomainError as exc:
        fail(exc.message)
    click.echo(f"{name}: revoked")


COMMANDS = (api_tokens,)
