"""Finding companies, the company page, manual create and edit, contacts, lead, and the import page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import select

from nrs import confirm, pickers
from nrs.activities import panels as activity_panels
from nrs.agreements import queries as agreement_queries
from nrs.auth.models import Role
from nrs.companies import bulk, policy, queries, services
from nrs.companies.fields import employees_text
from nrs.companies.forms import CompanyForm, ContactForm, ContactPersonForm, ImportForm, LeadForm
from nrs.companies.importer import run_import
from nrs.companies.models import Company, Contact
from nrs.db import db_session, get_or_404
from nrs.enquiries import queries as enquiry_queries
from nrs.errors import DomainError, StaleObjectError
from nrs.forms import Form
from nrs.importfile import ImportFileError
from nrs.joborders import queries as job_order_queries
from nrs.refdata import industry_name
from nrs.savedfilters import services as savedfilters
from nrs.security import access, has_role, safe_next

bp = Blueprint("companies", __name__, url_prefix="/virksomheder")

#: Other domains' lists on the company page: ``for_company(session, company_id)`` gives the list
#: that ``template`` renders (with ``company``) under ``name``.
COMPANY_SECTIONS = (
    (agreement_queries.for_company, "agreements/_company_list.html", "agreements"),
    (job_order_queries.for_company, "joborders/_company_list.html", "job_orders"),
    (enquiry_queries.for_company, "enquiries/_company_list.html", "enquiries"),
    # One timeline of everything that happened with the company (replaces the raw audit history).
    (activity_panels.company_timeline, "activities/_company_timeline.html", "timeline"),
)


@bp.app_template_filter("employees")
def _employees_filter(company) -> str:
    return employees_text(company.employees_min, company.employees_max)


@bp.app_template_global("industry_name")
def _industry_name(code):
    return industry_name(code)


# --- list ---------------------------------------------------------------------------------------

#: The company list's filter parameters: what a user's saved filters hold.
FILTER_ARGS = ("q", "cvr", "municipality", "lead", "industry", "min_employees", "status", "protected", "contact",
               "sort", "desc")


@bp.get("/")
@access("user")
def index():
    if (restore := savedfilters.remember(FILTER_ARGS)) is not None:
        return restore
    return _index()


def _index(status: int = 200, bulk_form: bulk.BulkLeadForm | None = None):
    """The list for ``request.args`` (also behind a refused bulk action, whose URL carries the list's)."""
    s = db_session()
    criteria = queries.Criteria.from_args(request.args)
    page = queries.search_page(s, criteria, page=request.args.get("page", 1, type=int) or 1)
    centres = queries.centres(s)
    may_bulk = has_role(current_user, Role.coordinator)
    if may_bulk and bulk_form is None:
        bulk_form = bulk.BulkLeadForm(formdata=None)
    if bulk_form is not None:
        bulk_form.centre.choices = [(c.id, c.name) for c in centres]
    return render_template(
        "companies/index.html", page=page, criteria=criteria, municipalities=queries.municipality_names(s),
        centres=centres, centre_names={c.id: c.name for c in centres}, bulk_form=bulk_form if may_bulk else None,
        filtered=savedfilters.is_filtered(FILTER_ARGS), restored=savedfilters.RESTORED in request.args,
    ), status


@bp.post("/ledende")
@access("coordinator")
def bulk_lead():
    """The list's "give a lead centre" to the checked companies without one; all or nothing."""
    form = bulk.BulkLeadForm()
    form.centre.choices = [(c.id, c.name) for c in queries.centres(db_session())]
    if not form.validate():
        return _index(400, form)
    try:
        done = bulk.give_lead(db_session(), form.ids.data or [], by=current_user, centre_id=form.centre.data,
                              reason=form.reason.data)
    except DomainError as exc:
        form.show_error(exc, "ids")
        return _index(400, form)
    flash(_("%(n)d virksomheder har fået et ledende jobcenter.", n=len(done)), "success")
    return redirect(url_for(".index", **request.args))


# --- create and edit -----------------------------------------------------------------------------

def _company_form(**kwargs) -> CompanyForm:
    return CompanyForm(municipalities=queries.municipalities(db_session()), **kwargs)


@bp.route("/ny", methods=["GET", "POST"])
@access("user")
def new():
    form = _company_form()
    back = safe_next(request.args.get("next"))  # a picker's "Opret ny virksomhed": back to that form after
    if request.method == "GET":
        form.name.data = request.args.get("name", "")[:300]
        form.cvr.data = request.args.get("cvr", "")[:20]
    if request.method == "POST" and form.validate():
        try:
            company = services.create_company(db_session(), by=current_user, values=form.values())
        except DomainError as exc:
            form.show_error(exc, "cvr")
            _link_duplicate(form)
        else:
            flash(_("Virksomheden %(name)s er oprettet.", name=company.name), "success")
            if back:
                return redirect(f"{back}{'&' if '?' in back else '?'}company={company.id}")
            return redirect(url_for(".detail", company_id=company.id))
    status = 400 if request.method == "POST" else 200
    return render_template("companies/form.html", form=form, company=None), status


def _link_duplicate(form: CompanyForm) -> None:
    """A refused CVR number that is already in NRS links to that company, so the user can go on there."""
    existing = db_session().exec(select(Company).where(Company.cvr == form.cvr.parsed)).first()
    if existing is not None:
        link = Markup('<a href="{}" data-testid="duplicate">{}</a>').format(
            url_for(".detail", company_id=existing.id), existing.name)
        form.cvr.errors = [*form.cvr.errors[:-1], Markup(_("Der findes allerede en virksomhed med CVR-nummer "
                                                           "%(cvr)s: %(link)s.", cvr=existing.cvr, link=link))]


@bp.route("/<int:company_id>/ret", methods=["GET", "POST"])
@access("user")
def edit(company_id: int):
    company = get_or_404(Company, company_id)
    policy.ensure_may_change(current_user, company)
    form = _edit_form(company, formdata=None if request.method == "GET" else request.form)
    if request.method == "POST" and form.validate():
        try:
            services.update_company(db_session(), company, by=current_user, values=form.values(),
                                    version=form.version.data)
        except StaleObjectError as exc:
            # The one now saved, with its version: the user sees what changed and edits that.
            company = get_or_404(Company, company_id)
            return render_template("companies/form.html", form=_edit_form(company, formdata=None),
                                   company=company, stale=exc.message), 409
        except DomainError as exc:
            form.show_error(exc, "name")
        else:
            flash(_("Virksomheden er gemt."), "success")
            return redirect(url_for(".detail", company_id=company.id))
    status = 400 if request.method == "POST" else 200
    return render_template("companies/form.html", form=form, company=company), status


def _edit_form(company: Company, *, formdata) -> CompanyForm:
    """The edit form; without form data it shows the company as saved, with the version it has."""
    form = _company_form(obj=company, formdata=formdata)
    del form.cvr
    if formdata is None:
        form.employees.data = employees_text(company.employees_min, company.employees_max, unknown="")
        form.municipality_code.data = f"{company.municipality_code:03d}"
        form.version.data = company.version
    return form


# --- the company page ---------------------------------------------------------------------------

def company_sections(session, company: Company) -> list[Markup]:
    """Agreements and job orders, each rendered by its own domain's template."""
    return [Markup(render_template(template, company=company, **{name: for_company(session, company.id)}))
            for for_company, template, name in COMPANY_SECTIONS]


def _detail(company: Company, *, lead_form=None, person_form=None, status: int = 200):
    s = db_session()
    if lead_form is None:
        lead_form = LeadForm(formdata=None, centre=company.lead_centre_id)
    centres = queries.centres(s)
    lead_form.centre.choices = [(c.id, c.name) for c in centres]
    staff = services.lead_centre_staff(s, company)
    if person_form is None:
        person_form = ContactPersonForm(formdata=None, user=company.contact_user_id)
    person_form.user.choices = [("", _("(ingen)"))] + pickers.user_choices(s, staff)
    names = queries.user_names(s, [company.contact_user_id, company.lead_override_by_id])
    centre_names = {c.id: c.name for c in centres}
    return render_template(
        "companies/detail.html", company=company, contacts=queries.contacts(s, company.id),
        sections=company_sections(s, company),
        municipality=queries.municipality_names(s).get(company.municipality_code, ""),
        centre_names=centre_names, user_names=names, lead_form=lead_form, person_form=person_form,
        may_change=policy.may_change(current_user, company),
        may_override=policy.may_override(current_user, company),
    ), status


@bp.get("/<int:company_id>")
@access("user")
def detail(company_id: int):
    return _detail(get_or_404(Company, company_id))


@bp.post("/<int:company_id>/ledende")
@access("coordinator")
def lead(company_id: int):
    company = get_or_404(Company, company_id)
    policy.ensure_may_override(current_user, company)
    form = LeadForm()
    form.centre.choices = [(c.id, c.name) for c in queries.centres(db_session())]
    if form.validate():
        try:
            services.override_lead(db_session(), company, by=current_user, centre_id=form.centre.data,
                                   reason=form.reason.data)
        except DomainError as exc:
            form.show_error(exc, "reason")
        else:
            flash(_("Det ledende jobcenter er ændret."), "success")
            return redirect(url_for(".detail", company_id=company.id))
    return _detail(company, lead_form=form, status=400)


@bp.post("/<int:company_id>/ledende/regel")
@access("coordinator")
def lead_rule(company_id: int):
    company = get_or_404(Company, company_id)
    policy.ensure_may_override(current_user, company)

    if not Form().validate():
        abort(400)
    services.clear_lead_override(db_session(), company, by=current_user)
    flash(_("Det ledende jobcenter følger igen kommunen."), "success")
    return redirect(url_for(".detail", company_id=company.id))


@bp.post("/<int:company_id>/kontaktperson")
@access("user")
def contact_person(company_id: int):
    company = get_or_404(Company, company_id)
    policy.ensure_may_change(current_user, company)
    form = ContactPersonForm()
    form.user.choices = [("", "")] + pickers.user_choices(db_session(), services.lead_centre_staff(db_session(), company))
    if form.validate():
        try:
            services.set_contact_person(db_session(), company, by=current_user, user_id=form.user.data)
        except DomainError as exc:
            form.user.errors.append(exc.message)
        else:
            flash(_("Kontaktpersonen er gemt."), "success")
            return redirect(url_for(".detail", company_id=company.id))
    return _detail(company, person_form=form, status=400)


# --- contacts -----------------------------------------------------------------------------------

@bp.route("/<int:company_id>/kontakter/ny", methods=["GET", "POST"])
@access("user")
def contact_new(company_id: int):
    company = get_or_404(Company, company_id)
    policy.ensure_may_change(current_user, company)
    form = ContactForm()
    if request.method == "POST" and form.validate():
        services.add_contact(db_session(), company, by=current_user, values=_contact_values(form))
        flash(_("Kontakten er tilføjet."), "success")
        return redirect(url_for(".detail", company_id=company.id))
    status = 400 if request.method == "POST" else 200
    return render_template("companies/contact_form.html", form=form, company=company, contact=None), status


@bp.route("/<int:company_id>/kontakter/<int:contact_id>", methods=["GET", "POST"])
@access("user")
def contact_edit(company_id: int, contact_id: int):
    company = get_or_404(Company, company_id)
    contact = get_or_404(Contact, contact_id)
    if contact.company_id != company.id:
        abort(404)
    policy.ensure_may_change(current_user, company)
    form = ContactForm(obj=contact)
    if request.method == "GET":
        form.version.data = contact.version
    if request.method == "POST" and form.validate():
        try:
            services.update_contact(db_session(), contact, by=current_user, values=_contact_values(form),
                                    version=form.version.data)
        except StaleObjectError as exc:
            contact = get_or_404(Contact, contact_id)
            fresh = ContactForm(obj=contact, formdata=None)
            fresh.version.data = contact.version
            return render_template("companies/contact_form.html", form=fresh, company=company, contact=contact,
                                   stale=exc.message), 409
        flash(_("Kontakten er gemt."), "success")
        return redirect(url_for(".detail", company_id=company.id))
    status = 400 if request.method == "POST" else 200
    return render_template("companies/contact_form.html", form=form, company=company, contact=contact), status


@bp.post("/<int:company_id>/kontakter/<int:contact_id>/slet")
@access("user")
def contact_delete(company_id: int, contact_id: int):
    company = get_or_404(Company, company_id)
    contact = get_or_404(Contact, contact_id)
    if contact.company_id != company.id:
        abort(404)
    policy.ensure_may_change(current_user, company)

    if not Form().validate():
        abort(400)
    confirm.ask(_("Kontakten %(n)s slettes fra %(c)s.", n=contact.name, c=company.name),
                yes=_("Ja, slet kontakten"), back=url_for(".detail", company_id=company.id))
    services.delete_contact(db_session(), contact, by=current_user)
    flash(_("Kontakten er slettet."), "success")
    return redirect(url_for(".detail", company_id=company.id))


def _contact_values(form: ContactForm) -> dict:
    return {"name": form.name.data.strip(), "role": (form.role.data or "").strip(),
            "phone": (form.phone.data or "").strip(), "email": form.email.parsed}


# --- import -------------------------------------------------------------------------------------

@bp.route("/indlaes", methods=["GET", "POST"])
@access("coordinator")
def import_file():
    """Upload a company file. The whole file is checked, then written (or not) in one request;
    the page's script shows the upload's real progress, then waits for the summary."""
    form = ImportForm()
    if request.method == "POST" and form.validate():
        upload = form.file.data
        try:
            report = run_import(db_session(), upload.read(), filename=upload.filename or "",
                                by=current_user, skip_invalid=form.skip_invalid.data)
        except ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            return render_template("companies/import_result.html", report=report,
                                   filename=upload.filename)
    status = 400 if request.method == "POST" else 200
    return render_template("companies/import.html", form=form), status
