"""``nrs enquiries add|list|fetch``: log an enquiry, list them, read the shared mailbox."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from nrs.clock import utcnow
from nrs.commands import engine, fail
from nrs.db import session_scope
from nrs.enquiries import mailbox, queries, services
from nrs.enquiries.models import EnquiryChannel, EnquirySubject
from nrs.errors import DomainError
from nrs.municipalities.models import JobCentre


@click.group("enquiries")
def enquiries():
    """Enquiries from companies: the shared phone, the shared mailbox, the web form."""


@enquiries.command("add")
@click.option("--channel", required=True, type=click.Choice([c.value for c in EnquiryChannel]))
@click.option("--cvr", default="", help="The company's CVR number.")
@click.option("--company-name", default="", help="A company not (yet) in NRS: its name.")
@click.option("--contact-name", default="")
@click.option("--phone", default="")
@click.option("--email", default="")
@click.option("--subject", default=EnquirySubject.other.value, type=click.Choice([s.value for s in EnquirySubject]))
@click.option("--text", required=True)
@with_appcontext
def add(channel, cvr, company_name, contact_name, phone, email, subject, text):
    """Log an enquiry; it goes to the company's lead centre. The last line is ``enquiry ID``."""
    if bool(cvr) == bool(company_name):
        fail("give exactly one of --cvr and --company-name")
    try:
        with session_scope(engine(), write=True) as s:
            enquiry = services.create_enquiry(
                s, by=None, channel=channel, cvr=cvr, company_name=company_name, subject=subject, text=text,
                contact=services.Contact(name=contact_name, phone=phone, email=email),
                settings=current_app.config["NRS"],
            )
            centre = s.get(JobCentre, enquiry.lead_centre_id) if enquiry.lead_centre_id else None
            queue = f"{services.label(s, enquiry)} -> {centre.name if centre else 'koordinatorernes kø'}"
    except DomainError as exc:
        fail(exc.message)
    click.echo(queue)
    click.echo(f"enquiry {enquiry.id}")


@enquiries.command("list")
@click.option("--centre", "centre", type=int, default=None, help="The centre's municipality code, e.g. 219.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_cmd(centre, as_json):
    """Enquiries, newest first."""
    with session_scope(engine()) as s:
        rows = queries.listing(s, centre_code=centre)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']}\t{r['received_at'][:16]}\t{r['channel']}\t{r['status']}\t"
                   f"{r['company_cvr'] or r['company_name'] or ''}\t{r['lead_centre_code'] or '-'}")


@enquiries.command("fetch")
@with_appcontext
def fetch():
    """Read new messages from the shared mailbox (NRS_IMAP_*) into enquiries."""
    try:
        result = mailbox.fetch_mailbox(engine(), now=utcnow(), settings=current_app.config["NRS"])
    except mailbox.MailboxUnavailable as exc:
        fail(f"the shared mailbox cannot be read now ({exc}); the messages wait there")
    click.echo(f"{result.read} read, {result.created} new enquiries")
