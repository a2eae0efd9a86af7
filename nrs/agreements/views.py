"""Agreements: everyone reads them; staff of the lead or coordinating centre and admins change them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from nrs import confirm, pickers
from nrs.agreements import documents, policy, queries, services
from nrs.agreements.forms import AgreementForm, DeleteForm
from nrs.agreements.models import Agreement, AgreementKind
from nrs.clock import today
from nrs.collation import danish
from nrs.companies.models import Company
from nrs.db import db_session, get_or_404
from nrs.errors import DomainError, StaleObjectError
from nrs.municipalities.models import JobCentre
from nrs.paging import paginate
from nrs.savedfilters import services as savedfilters
from nrs.sectors.queries import all_sectors, offered_sectors
from nrs.security import access

bp = Blueprint("agreements", __name__, url_prefix="/aftaler")


def _centres():
    return db_session().exec(select(JobCentre).order_by(danish(JobCentre.name))).all()


@bp.get("/")
@access("user")
def index():
    if (restore := savedfilters.remember(FILTER_ARGS)) is not None:
        return restore
    s = db_session()
    day = today()
    args = request.args
    status = args.get("status", "")
    filters = dict(
        centre_id=args.get("centre", type=int),
        kind=args.get("kind") if args.get("kind") in {k.value for k in AgreementKind} else None,
        sector_id=args.get("sector", type=int),
        status=status if status in queries.STATUSES else None,
        company_id=args.get("company", type=int),
        text=args.get("q", "").strip() or None,
    )
    page = paginate(s, queries.listing(day=day, **filters), per_page=50)
    page.items = queries.to_rows(page.items)
    return render_template(
        "agreements/index.html", page=page, day=day, args=args, centres=_centres(), sectors=all_sectors(s),
        kinds=list(AgreementKind), statuses=queries.STATUSES,
        by_centre=queries.counts_by_centre(s, on=day), by_sector=queries.counts_by_sector(s, on=day),
        active_total=queries.active_count(s, on=day), filtered=savedfilters.is_filtered(FILTER_ARGS),
        restored=savedfilters.RESTORED in request.args,
    )


#: The agreement list's filter parameters: what a user's saved filters hold.
FILTER_ARGS = ("q", "centre", "kind", "sector", "status", "company")


@bp.get("/virksomhed/<int:company_id>")
@access("user")
def company(company_id: int):
    company = get_or_404(Company, company_id)
    return render_template("agreements/company.html", company=company,
                           agreements=queries.for_company(db_session(), company.id), day=today())


@bp.get("/<int:agreement_id>")
@access("user")
def detail(agreement_id: int):
    agreement = get_or_404(Agreement, agreement_id)
    row = queries.for_company(db_session(), agreement.company_id)
    row = next(r for r in row if r.agreement.id == agreement.id)
    return render_template(
        "agreements/detail.html", row=row, day=today(), delete_form=DeleteForm(),
        can_change=policy.may_change(current_user, agreement, row.company),
        can_delete=policy.may_delete(current_user, agreement, row.company),
    )


def _form(obj=None, **kwargs) -> AgreementForm:
    s = db_session()
    form = AgreementForm(obj=obj, **kwargs)
    form.focus_sector_id.choices = [(0, _("— ingen —"))] + [
        (x.id, f"{x.year}: {x.name}") for x in offered_sectors(s, keep=[obj.focus_sector_id if obj else None])
    ]
    form.coordinating_centre_id.choices = [(0, _("Virksomhedens ansvarlige jobcenter"))] + [
        (c.id, c.name) for c in _centres()
    ]
    form.contact_user_id.prepare(s, current_user.job_centre_id, _("— ingen —"))
    return form


def _show(form: AgreementForm, agreement: Agreement) -> None:
    """Fill the fields the form cannot take from the row as it is (enum, nullable ids, version)."""
    form.kind.data = agreement.kind.value
    form.focus_sector_id.data = agreement.focus_sector_id or 0
    form.contact_user_id.data = agreement.contact_user_id
    form.contact_user_id.prepare(db_session(), current_user.job_centre_id, _("— ingen —"))
    form.version.data = agreement.version


def _upload(form: AgreementForm):
    file = form.document.data
    if not file or not getattr(file, "filename", ""):
        return None
    return documents.read_upload(file.stream, file.filename)


def _fields(form: AgreementForm) -> dict:
    return dict(
        kind=form.kind.data, focus_sector_id=form.focus_sector_id.data or None, signed_on=form.signed_on.data,
        valid_from=form.valid_from.data, valid_to=form.valid_to.data,
        coordinating_centre_id=form.coordinating_centre_id.data or None,
        contact_user_id=form.contact_user_id.data or None, notes=form.notes.data or "",
        confirm_sector_mismatch=bool(form.confirm_sector_mismatch.data),
    )


@bp.route("/ny", methods=["GET", "POST"])
@access("user")
def new():
    form = _form()
    company = None
    if request.method == "GET":
        # company_id from a company's page; company from a picker's "Opret ny virksomhed" coming back
        company_id = request.args.get("company_id", type=int) or request.args.get("company", type=int)
        company = db_session().get(Company, company_id) if company_id else None
        if company is not None:
            form.cvr.data = company.cvr
    searching = request.method == "POST" and pickers.searching(form)
    if request.method == "POST" and not searching and form.validate():
        company = form.cvr.company
        if company is not None:
            policy.ensure_may_create(current_user, company)
            try:
                agreement = services.create_agreement(
                    db_session(), by=current_user, company=company, document=_upload(form), **_fields(form)
                )
            except DomainError as exc:
                form.show_error(exc, "kind")
            else:
                flash(_("Aftalen med %(n)s er oprettet.", n=company.name), "success")
                return redirect(url_for(".detail", agreement_id=agreement.id))
    status = 400 if request.method == "POST" and not searching else 200
    return render_template("agreements/form.html", form=form, agreement=None, company=company), status


@bp.route("/<int:agreement_id>/ret", methods=["GET", "POST"])
@access("user")
def edit(agreement_id: int):
    s = db_session()
    agreement = get_or_404(Agreement, agreement_id)
    company = s.get(Company, agreement.company_id)
    policy.ensure_may_change(current_user, agreement, company)
    form = _form(obj=agreement)
    form.cvr.data = company.cvr  # the company of an agreement does not change
    if request.method == "GET":
        _show(form, agreement)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            try:
                services.update_agreement(
                    s, agreement, by=current_user, version=form.version.data,
                    document=_upload(form), **_fields(form),
                )
            except StaleObjectError as exc:
                flash(exc.message, "error")
                agreement = get_or_404(Agreement, agreement_id)
                current = _form(obj=agreement, formdata=None)
                current.cvr.data = company.cvr
                _show(current, agreement)
                return render_template("agreements/form.html", form=current, agreement=agreement,
                                       company=company), 409
            except DomainError as exc:
                form.show_error(exc, "kind")
            else:
                flash(_("Aftalen er gemt."), "success")
                return redirect(url_for(".detail", agreement_id=agreement.id))
    return render_template("agreements/form.html", form=form, agreement=agreement, company=company), status


@bp.post("/<int:agreement_id>/slet")
@access("coordinator")
def delete(agreement_id: int):
    s = db_session()
    agreement = get_or_404(Agreement, agreement_id)
    company = s.get(Company, agreement.company_id)
    policy.ensure_may_delete(current_user, agreement, company)
    if not DeleteForm().validate():
        abort(400)
    if agreement.document_name:
        what = _("Aftalen (%(k)s med %(c)s) og dens dokument %(d)s slettes. Det kan ikke fortrydes.",
                 k=agreement.kind.label, c=company.name, d=agreement.document_name)
    else:
        what = _("Aftalen (%(k)s med %(c)s) slettes. Det kan ikke fortrydes.", k=agreement.kind.label, c=company.name)
    confirm.ask(what, yes=_("Ja, slet aftalen"), back=url_for(".detail", agreement_id=agreement_id))
    try:
        services.delete_agreement(s, agreement, by=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".detail", agreement_id=agreement_id))
    flash(_("Aftalen er slettet."), "success")
    return redirect(url_for(".index"))


@bp.get("/<int:agreement_id>/dokument")
@access("user")
def document(agreement_id: int):
    agreement = get_or_404(Agreement, agreement_id)
    path = documents.path_of(agreement.document_path) if agreement.document_path else None
    if path is None:
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=agreement.document_name or "aftale.pdf")
