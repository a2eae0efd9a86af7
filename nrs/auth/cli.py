from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlmodel import select

from nrs.auth import services, totp
from nrs.auth.models import Role, User
from nrs.commands import engine, fail
from nrs.db import session_scope
from nrs.errors import DomainError
from nrs.municipalities.models import JobCentre


@click.group("users")
def users():
    """Manage users."""


@users.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--centre", "centre", required=True, help="Municipality code of the user's job centre, e.g. 201.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--no-weekly-email", is_flag=True, help="Do not send this user the weekly status e-mail.")
@with_appcontext
def add(email, name, centre, role, password_stdin, no_weekly_email):
    """Create a user."""
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with session_scope(engine()) as s:
            job_centre = services.centre_by_code(s, centre)
            user = services.create_user(
                s, by=None, email=email, name=name, job_centre_id=job_centre.id, role=role,
                password=password, weekly_email=not no_weekly_email,
            )
            click.echo(f"{user.id} {user.email} oprettet ({user.role.value}, {job_centre.name})")
    except DomainError as exc:
        fail(exc.message)


@users.command("list")
@with_appcontext
def list_():
    """List users."""
    with session_scope(engine()) as s:
        for user, centre in s.exec(select(User, JobCentre).join(JobCentre).order_by(User.email)):
            flags = "" if user.active else " (deaktiveret)"
            click.echo(f"{user.id}\t{user.email}\t{user.name}\t{user.role.value}\t{centre.municipality_code}{flags}")


@users.command("reset-totp")
@click.option("--email", required=True)
@with_appcontext
def reset_totp(email):
    """Remove a user's second factor (the last admin's lost phone); audited."""
    with session_scope(engine()) as s:
        user = s.exec(select(User).where(User.email == services.normalise_email(email))).first()
        if user is None or not user.has_totp:
            fail(f"ingen bruger med totrinslogin: {email}")
        totp.reset(s, user, by=None)
        click.echo(f"totrinslogin nulstillet for {user.email}")


COMMANDS = (users,)
