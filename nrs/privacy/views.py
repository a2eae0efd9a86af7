"""The access log for admins, and data-subject requests about contact persons for coordinators."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from nrs.audit.words import access_words, entity_words, in_words, purpose_words
from nrs.companies.models import Company, Contact
from nrs.db import db_session, get_or_404
from nrs.errors import DomainError
from nrs.exports.spreadsheet import download
from nrs.paging import paginate
from nrs.privacy import queries, services
from nrs.privacy.forms import AccessLogSearchForm, EraseContactForm
from nrs.security import access, ensure_can_change_centre

bp = Blueprint("privacy", __name__, url_prefix="/persondata")
#: The access log's stored action, type and purpose in the reader's language.
LOG_WORDS = {"access_words": access_words, "entity_words": entity_words, "purpose_words": purpose_words}


def _search_form() -> tuple[AccessLogSearchForm, queries.AccessLogFilter | None]:
    form = AccessLogSearchForm(formdata=MultiDict(request.args) if request.args else None)
    if request.args and not form.validate():
        return form, None
    return form, queries.AccessLogFilter(
        user=form.user.data or "", date_from=form.date_from.data, date_to=form.date_to.data,
        action=form.action.data or "", entity_type=(form.entity_type.data or "").strip(),
        entity_id=(form.entity_id.data or "").strip(),
    )


@bp.get("/adgangslog")
@access("admin")
def access_log():
    form, flt = _search_form()
    if flt is None:
        return render_template("privacy/access_log.html", form=form, page=None, **LOG_WORDS), 400
    page = paginate(db_session(), queries.access_log_stmt(flt), per_page=50)
    return render_template("privacy/access_log.html", form=form, page=page, **LOG_WORDS)


@bp.get("/adgangslog/eksport")
@access("admin")
def access_log_export():
    form, flt = _search_form()
    if flt is None:
        return render_template("privacy/access_log.html", form=form, page=None, **LOG_WORDS), 400
    fmt = request.args.get("fmt", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400, description=_("Ukendt format: %(f)s", f=fmt[:20]))
    s = db_session()
    rows = list(queries.export_rows(s, flt))
    # Exporting the log is itself a use of personal data.
    services.log_access(s, user=current_user, action="export", entity_type="access_log",
                        criterion=flt.describe(), purpose="eksport af adgangslog")
    return download(fmt, "adgangslog", queries.EXPORT_HEADERS, rows)


def _contact_and_company(contact_id: int) -> tuple[Contact, Company]:
    contact = get_or_404(Contact, contact_id)
    return contact, get_or_404(Company, contact.company_id)


@bp.get("/kontakter/<int:contact_id>")
@access("coordinator")
def contact(contact_id: int):
    if db_session().get(Contact, contact_id) is None:
        # Deleted or erased: the page still finds its history, by id and without the values.
        history = queries.gone_contact_history(db_session(), contact_id)
        if not history:
            abort(404)
        history = list(zip(in_words(db_session(), [event for event, _who in history]),
                           [who for _event, who in history], strict=True))
        return render_template("privacy/contact_gone.html", contact_id=contact_id, history=history)
    contact, company = _contact_and_company(contact_id)
    return render_template("privacy/contact.html", contact=contact, company=company, form=EraseContactForm())


@bp.get("/kontakter/<int:contact_id>/eksport")
@access("coordinator")
def contact_export(contact_id: int):
    _contact_and_company(contact_id)
    fmt = request.args.get("fmt", "json")
    if fmt not in ("json", "csv"):
        abort(404)
    data = services.export_contact(db_session(), contact_id, by=current_user)
    if fmt == "csv":
        headers, rows = services.contact_export_rows(data)
        return download("csv", f"kontaktperson-{contact_id}", headers, rows)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="kontaktperson-{contact_id}.json"'},
    )


@bp.post("/kontakter/<int:contact_id>/slet")
@access("coordinator")
def contact_erase(contact_id: int):
    contact, company = _contact_and_company(contact_id)
    ensure_can_change_centre(current_user, company.lead_centre_id)
    form = EraseContactForm()
    if form.validate():
        try:
            services.erase_contact(db_session(), contact_id, by=current_user, reason=form.reason.data)
        except DomainError as exc:
            form.reason.errors.append(exc.message)
        else:
            flash(_("Kontaktpersonen er slettet."), "success")
            return redirect(_company_url(company))
    return render_template("privacy/contact.html", contact=contact, company=company, form=form), 400


def _company_url(company: Company) -> str:
    if "companies.detail" in current_app.view_functions:
        return url_for("companies.detail", company_id=company.id)
    return url_for("home.index")
