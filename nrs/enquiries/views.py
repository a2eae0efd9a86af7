"""Enquiry pages: the centres' queues, logging one, working it, converting it; and /kontakt."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from nrs import confirm, pickers
from nrs.activities.services import at_from
from nrs.auth import throttle
from nrs.auth.models import User
from nrs.auth.throttle import client_address
from nrs.clock import local, today
from nrs.collation import danish
from nrs.companies.models import Company
from nrs.companies.models import Contact as CompanyContact
from nrs.db import db_session, get_or_404
from nrs.enquiries import policy, queries, services
from nrs.enquiries.forms import (
    ActivityForm,
    AgreementForm,
    ContactForm,
    EnquiryForm,
    OrderForm,
    RerouteForm,
    StepForm,
)
from nrs.enquiries.models import (
    Enquiry,
    EnquiryAttachment,
    EnquiryChannel,
    EnquiryStatus,
    EnquirySubject,
)
from nrs.errors import DomainError, StaleObjectError
from nrs.municipalities.models import JobCentre
from nrs.privacy.services import log_access
from nrs.sectors.queries import offered_sectors
from nrs.security import access

bp = Blueprint("enquiries", __name__, url_prefix="/henvendelser")
public = Blueprint("kontakt", __name__, url_prefix="/kontakt")


def _settings():
    return current_app.config["NRS"]


def _centres():
    return db_session().exec(select(JobCentre).order_by(danish(JobCentre.name))).all()


@bp.app_template_global("enquiries_for_order")
def _enquiries_for_order(order_id: int):
    """The enquiries a job order was made from, for the order page's link back."""
    return queries.for_order(db_session(), order_id)


@bp.app_template_global("channel_label")
def _channel_label(value: str):
    return EnquiryChannel(value).label


@bp.app_template_global("subject_label")
def _subject_label(value: str):
    return EnquirySubject(value).label


# --- the queues ------------------------------------------------------------------------------------

@bp.route("/")
@access("user")
def index():
    """A centre's queue (default: the user's own), or the coordinators' queue."""
    wanted = request.args.get("centre", "")
    if wanted == queries.COORDINATORS:
        centre = None
    elif wanted.isdigit():
        centre = db_session().get(JobCentre, int(wanted)) or abort(404)
    else:
        centre = db_session().get(JobCentre, current_user.job_centre_id)
    settings = _settings()
    rows = queries.queue(db_session(), centre.id if centre else None, today=today(),
                         working_days=settings.enquiry_response_working_days)
    return render_template("enquiries/index.html", rows=rows, centre=centre, centres=_centres(),
                           working_days=settings.enquiry_response_working_days)


@bp.route("/ny", methods=["GET", "POST"])
@access("user")
def new():
    s = db_session()
    form = EnquiryForm()
    if request.method == "GET" and request.args.get("company", type=int):
        company = s.get(Company, request.args.get("company", type=int))
        form.cvr.data = company.cvr if company else ""
    searching = request.method == "POST" and pickers.searching(form)
    if request.method == "POST" and not searching and form.validate():
        try:
            enquiry = services.create_enquiry(
                s, by=current_user, channel=form.channel.data, subject=form.subject.data,
                cvr=form.cvr.data or "", company_name=form.company_name.data or "", text=form.text.data,
                contact=services.Contact(form.contact_name.data or "", form.contact_phone.data or "",
                                         form.contact_email.data or ""),
                settings=_settings(),
            )
        except DomainError as exc:
            form.show_error(exc, "text")
        else:
            centre = s.get(JobCentre, enquiry.lead_centre_id) if enquiry.lead_centre_id else None
            flash(_("Henvendelsen er sendt til %(c)s.", c=centre.name) if centre
                  else _("Henvendelsen er sendt til koordinatorernes kø."), "success")
            return redirect(url_for(".detail", enquiry_id=enquiry.id))
    status = 400 if request.method == "POST" and not searching else 200
    return render_template("enquiries/form.html", form=form), status


# --- one enquiry -----------------------------------------------------------------------------------

def _page(enquiry: Enquiry, *, reroute_form=None, status: int = 200):
    s = db_session()
    log_access(s, user=current_user, action="read", entity_type="enquiry", entity_id=enquiry.id)
    settings = _settings()
    row = queries.to_rows([(enquiry, s.get(Company, enquiry.company_id) if enquiry.company_id else None,
                            s.get(JobCentre, enquiry.lead_centre_id) if enquiry.lead_centre_id else None,
                            s.get(User, enquiry.taken_by_id) if enquiry.taken_by_id else None)],
                          today=today(), working_days=settings.enquiry_response_working_days)[0]
    if reroute_form is None:
        reroute_form = RerouteForm(formdata=None, centre=str(enquiry.lead_centre_id or ""))
    reroute_form.centre.choices = [("", _("Koordinatorernes kø"))] + [(str(c.id), c.name) for c in _centres()]
    return render_template(
        "enquiries/detail.html", row=row, e=enquiry, step_form=StepForm(formdata=None),
        reroute_form=reroute_form, attachments=queries.attachments(s, enquiry.id),
        can_work=policy.may_work(current_user, enquiry), can_reroute=policy.may_reroute(current_user, enquiry),
        is_open=enquiry.status in (EnquiryStatus.new, EnquiryStatus.taken, EnquiryStatus.answered),
    ), status


@bp.route("/<int:enquiry_id>")
@access("user")
def detail(enquiry_id: int):
    return _page(get_or_404(Enquiry, enquiry_id))


def _step(enquiry_id: int, step, done: str, ask: tuple[str, str] | None = None):
    enquiry = get_or_404(Enquiry, enquiry_id)
    form = StepForm()
    policy.ensure_may_work(current_user, enquiry)
    if not form.validate():
        abort(400)
    if ask is not None:
        confirm.ask(ask[0], yes=ask[1], back=url_for(".detail", enquiry_id=enquiry_id))
    try:
        step(db_session(), enquiry, by=current_user, version=form.version.data)
    except StaleObjectError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".detail", enquiry_id=enquiry_id)), 409
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".detail", enquiry_id=enquiry_id))
    flash(done, "success")
    return redirect(url_for(".detail", enquiry_id=enquiry_id))


@bp.route("/<int:enquiry_id>/tag", methods=["POST"])
@access("user")
def take(enquiry_id: int):
    return _step(enquiry_id, services.take, _("Du har taget henvendelsen."))


@bp.route("/<int:enquiry_id>/besvar", methods=["POST"])
@access("user")
def answer(enquiry_id: int):
    return _step(enquiry_id, services.answer, _("Henvendelsen er markeret som besvaret."))


@bp.route("/<int:enquiry_id>/luk", methods=["POST"])
@access("user")
def close(enquiry_id: int):
    return _step(enquiry_id, services.close, _("Henvendelsen er lukket."),
                 ask=(_("Henvendelsen lukkes uden at være besvaret her."), _("Ja, luk henvendelsen")))


@bp.route("/<int:enquiry_id>/videresend", methods=["POST"])
@access("coordinator")
def reroute(enquiry_id: int):
    enquiry = get_or_404(Enquiry, enquiry_id)
    policy.ensure_may_reroute(current_user, enquiry)
    form = RerouteForm()
    form.centre.choices = [("", "")] + [(str(c.id), c.name) for c in _centres()]
    if form.validate():
        try:
            services.reroute(db_session(), enquiry, by=current_user, version=form.version.data,
                             centre_id=int(form.centre.data) if (form.centre.data or "").strip() else None,
                             reason=form.reason.data, cvr=form.cvr.data or "", settings=_settings())
        except DomainError as exc:
            form.show_error(exc, "reason")
        else:
            flash(_("Henvendelsen er sendt videre."), "success")
            return redirect(url_for(".detail", enquiry_id=enquiry_id))
    db_session().rollback()
    return _page(db_session().get(Enquiry, enquiry_id), reroute_form=form, status=400)


@bp.route("/<int:enquiry_id>/jobordre", methods=["GET", "POST"])
@access("user")
def to_order(enquiry_id: int):
    """Convert into a job order: the form starts from the enquiry."""
    s = db_session()
    enquiry = get_or_404(Enquiry, enquiry_id)
    if request.method == "POST":
        policy.ensure_may_work(current_user, enquiry)
    form = OrderForm()
    if request.method == "GET":
        form.requirements.data = enquiry.text[:4000]
        form.version.data = enquiry.version
    if request.method == "POST" and form.validate():
        try:
            order = services.convert_to_order(s, enquiry, by=current_user, version=form.version.data,
                                              title=form.title.data, positions=form.positions.data,
                                              requirements=form.requirements.data or "")
        except DomainError as exc:
            s.rollback()
            form.show_error(exc, "title")
        else:
            flash(_("Jobordren er oprettet fra henvendelsen."), "success")
            return redirect(url_for("joborders.detail", order_id=order.id))
    status = 400 if request.method == "POST" else 200
    company = s.get(Company, enquiry.company_id) if enquiry.company_id else None
    return render_template("enquiries/order_form.html", form=form, e=enquiry, company=company), status


@bp.route("/<int:enquiry_id>/aftale", methods=["GET", "POST"])
@access("user")
def to_agreement(enquiry_id: int):
    """Convert into an agreement (unsigned until the company signs); the form starts from the enquiry."""
    s = db_session()
    enquiry = get_or_404(Enquiry, enquiry_id)
    if request.method == "POST":
        policy.ensure_may_work(current_user, enquiry)
    form = AgreementForm()
    form.focus_sector_id.choices = [(0, _("— ingen —"))] + [
        (f.id, f"{f.year}: {f.name}") for f in offered_sectors(s)]
    if request.method == "GET":
        form.valid_from.data = today()
        form.version.data = enquiry.version
    if request.method == "POST" and form.validate():
        try:
            agreement = services.convert_to_agreement(s, enquiry, by=current_user, version=form.version.data,
                                                      kind=form.kind.data, valid_from=form.valid_from.data,
                                                      focus_sector_id=form.focus_sector_id.data or None)
        except DomainError as exc:
            s.rollback()
            form.show_error(exc, "kind")
        else:
            flash(_("Aftalen er oprettet fra henvendelsen."), "success")
            return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    status = 400 if request.method == "POST" else 200
    company = s.get(Company, enquiry.company_id) if enquiry.company_id else None
    return render_template("enquiries/agreement_form.html", form=form, e=enquiry, company=company), status


@bp.route("/<int:enquiry_id>/aktivitet", methods=["GET", "POST"])
@access("user")
def to_activity(enquiry_id: int):
    """Convert into an activity on the company: the form starts from the enquiry (``services.activity_defaults``)."""
    s = db_session()
    enquiry = get_or_404(Enquiry, enquiry_id)
    if request.method == "POST":
        policy.ensure_may_work(current_user, enquiry)
    form = ActivityForm()
    form.contact.choices = [(0, _("— ingen —"))] + [
        (c.id, c.name) for c in s.exec(select(CompanyContact).where(CompanyContact.company_id == enquiry.company_id)
                                       .order_by(danish(CompanyContact.name))).all()]
    if request.method == "GET":
        defaults = services.activity_defaults(s, enquiry)
        form.kind.data, form.day.data = defaults["kind"].value, defaults["day"]
        form.summary.data, form.contact.data = defaults["summary"], defaults["contact_id"] or 0
        form.version.data = enquiry.version
    if request.method == "POST" and form.validate():
        try:
            services.convert_to_activity(
                s, enquiry, by=current_user, version=form.version.data, kind=form.kind.data,
                at=at_from(form.day.data, local(enquiry.received_at).time() if form.day.data ==
                           local(enquiry.received_at).date() else None),
                summary=form.summary.data, outcome=form.outcome.data or "", contact_id=form.contact.data)
        except StaleObjectError as exc:
            s.rollback()
            form.form_errors.append(exc.message)
        except DomainError as exc:
            s.rollback()
            form.show_error(exc, "summary")
        else:
            flash(_("Aktiviteten er registreret fra henvendelsen."), "success")
            return redirect(url_for("enquiries.detail", enquiry_id=enquiry.id))
    status = 400 if request.method == "POST" else 200
    company = s.get(Company, enquiry.company_id) if enquiry.company_id else None
    return render_template("enquiries/activity_form.html", form=form, e=enquiry, company=company), status


@bp.app_template_global("enquiries_for_activity")
def _enquiries_for_activity(activity_id: int):
    """The enquiries an activity was made from, for the activity's page's link back."""
    return queries.for_activity(db_session(), activity_id)


@bp.route("/<int:enquiry_id>/filer/<int:attachment_id>")
@access("user")
def attachment(enquiry_id: int, attachment_id: int):
    found = db_session().get(EnquiryAttachment, attachment_id)
    if found is None or found.enquiry_id != enquiry_id:
        abort(404)
    log_access(db_session(), user=current_user, action="read", entity_type="enquiry", entity_id=enquiry_id,
               criterion=f"attachment={attachment_id}")
    path = _settings().instance_path / "enquiries" / found.path
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.filename)


# --- /kontakt ----------------------------------------------------------------------------------------

@public.route("", methods=["GET", "POST"])
@access("public")
def form():
    """A company writes to NRS without logging in; throttled per address, with a honeypot."""
    s = db_session()
    form = ContactForm()
    if request.method == "POST":
        if not throttle.count(s, f"kontakt:{client_address(request.remote_addr)}", limit=_settings().contact_form_per_hour):
            return render_template("enquiries/contact.html", form=form, throttled=True), 429
        if form.validate():
            if form.website.data:  # a robot: answer as if it went through, keep nothing
                cookie["kontakt_centre"] = None
                return redirect(url_for(".thanks"))
            try:
                enquiry = services.create_enquiry(
                    s, by=None, channel=EnquiryChannel.web, cvr=form.cvr.data or "",
                    company_name=form.company_name.data, text=form.message.data,
                    contact=services.Contact(form.contact_name.data, form.phone.data or "", form.email.data),
                    settings=_settings(),
                )
            except DomainError as exc:
                form.show_error(exc, "message")
            else:
                services.send_receipt(s, enquiry, settings=_settings())
                cookie["kontakt_centre"] = enquiry.lead_centre_id
                return redirect(url_for(".thanks"))
    status = 400 if request.method == "POST" else 200
    return render_template("enquiries/contact.html", form=form, throttled=False), status


@public.route("/tak")
@access("public")
def thanks():
    centre_id = cookie.get("kontakt_centre")
    centre = db_session().get(JobCentre, centre_id) if isinstance(centre_id, int) else None
    return render_template("enquiries/thanks.html", centre=centre)

