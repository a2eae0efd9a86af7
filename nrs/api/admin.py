"""The steering group's page for API keys: the same services as ``nrs api-tokens``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from nrs import confirm
from nrs.api import tokens
from nrs.api.forms import TokenForm
from nrs.api.models import ApiToken
from nrs.clock import utcnow
from nrs.collation import danish
from nrs.db import db_session, get_or_404
from nrs.errors import DomainError
from nrs.municipalities.models import JobCentre
from nrs.security import access

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api-noegler")


def _form() -> TokenForm:
    form = TokenForm()
    centres = db_session().exec(select(JobCentre).order_by(danish(JobCentre.name))).all()
    form.centre.choices = [(0, _("Alle ni jobcentre"))] + [(c.id, c.name) for c in centres]
    return form


@bp.route("/", methods=["GET", "POST"])
@access("admin")
def tokens_page():
    """The keys, and a form for a new one; a new key is shown once, on the answer to the form."""
    s = db_session()
    form, key = _form(), None
    if request.method == "POST" and form.validate():
        try:
            _token, key = tokens.create(s, name=form.name.data, centre_id=form.centre.data or None,
                                        days=form.days.data, referrals=form.referrals.data, by=current_user)
        except DomainError as exc:
            form.show_error(exc, "name")
    status = 400 if request.method == "POST" and key is None else 200
    rows = s.exec(select(ApiToken, JobCentre).outerjoin(JobCentre, JobCentre.id == ApiToken.job_centre_id)
                  .order_by(ApiToken.name)).all()
    return render_template("api/tokens.html", form=form, rows=rows, key=key, now=utcnow(),
                           usable=tokens.usable), status


@bp.post("/<int:token_id>/tilbagekald")
@access("admin")
def revoke(token_id: int):
    token = get_or_404(ApiToken, token_id)
    confirm.ask(_("Nøglen %(name)s tilbagekaldes: systemer, der bruger den, får ikke længere adgang. "
                  "Det kan ikke fortrydes.", name=token.name), yes=_("Ja, tilbagekald nøglen"),
                back=url_for(".tokens_page"))
    tokens.revoke(db_session(), token.name, by=current_user)
    flash(_("Nøglen %(name)s er tilbagekaldt.", name=token.name), "success")
    return redirect(url_for(".tokens_page"))
