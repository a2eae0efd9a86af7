"""Job-order pages: the list, logging and editing, the state changes, referrals, help wanted."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import FieldList

from nrs import confirm, pickers, refcache
from nrs.auth.models import User
from nrs.clock import parse_date, today
from nrs.companies.fields import fold
from nrs.companies.models import Company
from nrs.db import begin_write, db_session, get_or_404
from nrs.errors import DomainError, StaleObjectError
from nrs.exports.spreadsheet import download
from nrs.inputs import whole_number
from nrs.joborders import deadlines, occupations, policy, queries, services, states
from nrs.joborders.forms import (
    EditJobOrderForm,
    FillForm,
    HelpForm,
    JobOrderForm,
    PositionsForm,
    ReferralForm,
    ReferralOutcomeForm,
    ReopenForm,
    StepForm,
    UndoOutcomeForm,
    UnfilledForm,
)
from nrs.joborders.models import JobOrder, PositionOutcomeKind, Referral, ReferralOutcome
from nrs.joborders.states import JobOrderState
from nrs.keyset import BadCursor, jump_cursor, keyset_paginate
from nrs.municipalities.models import JobCentre
from nrs.privacy.services import log_access
from nrs.savedfilters import services as savedfilters
from nrs.security import access

bp = Blueprint("joborders", __name__, url_prefix="/jobordrer")


# --- helpers -----------------------------------------------------------------------------------

def _centres():
    return refcache.centres(db_session())


def _centre_choices(blank: str | None = None):
    choices = [(c.id, c.name) for c in _centres()]
    return ([("", blank)] if blank is not None else []) + choices


def _prepare_order_form(form, company_id: int | None, centre_id: int | None = None):
    form.lead_centre_id.choices = _centre_choices(_("Virksomhedens ansvarlige jobcenter"))
    form.contact_user_id.prepare(db_session(), centre_id or current_user.job_centre_id)
    form.agreement_id.choices = pickers.agreement_choices(
        db_session(), company_id, "—" if company_id else _("Vælg virksomheden først"))
    return form


def _may_work(order: JobOrder) -> None:
    policy.ensure_may_work(current_user, order)


#: At most this many open positions get a row in the positions form at once (the rest on the next round).
POSITION_ROWS = 20


def _prepare_step_form(form) -> None:
    """The choices of a form's repeated rows (centres, outcomes), set after the form is built."""
    if isinstance(form, FillForm):
        for entry in form.hires.entries:
            entry.centre_id.choices = _centre_choices("—")
    if isinstance(form, PositionsForm):
        form.prepare(_centre_choices("—"))
    if isinstance(form, UndoOutcomeForm) and not form.outcome_id.choices:
        form.outcome_id.choices = [("", "—")]


def _positions_form(order: JobOrder, open_positions: int, hired_referrals) -> PositionsForm:
    """One row per open position; the referrals marked hired (and not yet a hire) pre-fill the first rows."""
    form = PositionsForm(formdata=None, prefix="positions")
    rows = max(1, min(open_positions, POSITION_ROWS))
    while len(form.positions.entries) < rows:
        form.positions.append_entry()
    for entry, referral in zip(form.positions.entries, hired_referrals, strict=False):
        entry.kind.data = PositionOutcomeKind.hired.value
        entry.centre_id.data = referral.referring_centre_id
        entry.hired_on.data = today()
        entry.referral_id.data = referral.id
    form.prepare(_centre_choices("—"))
    return form


def _step_forms(order: JobOrder, referral_rows, counts, hired_ids) -> dict:
    """Empty forms for the actions the detail page offers, carrying the version the user sees."""
    hired = [r for r, _c, _n in referral_rows if r.outcome == ReferralOutcome.hired and r.id not in hired_ids]
    forms = {
        "positions_form": _positions_form(order, counts.open, hired),
        "pause_form": StepForm(formdata=None, prefix="pause"),
        "resume_form": StepForm(formdata=None, prefix="resume"),
        "fill_form": FillForm(formdata=None, prefix="fill"),
        "unfilled_form": UnfilledForm(formdata=None, prefix="unfilled"),
        "reopen_form": ReopenForm(formdata=None, prefix="reopen"),
        "undo_outcome_form": UndoOutcomeForm(formdata=None, prefix="undo"),
        "referral_form": ReferralForm(formdata=None, prefix="referral"),
        "help_form": HelpForm(formdata=None, prefix="help"),
    }
    for form in forms.values():
        if hasattr(form, "version"):
            form.version.data = order.version
        if hasattr(form, "on_date"):
            form.on_date.data = today()
    forms["referral_form"].referred_on.data = today()
    for entry, referral in zip(forms["fill_form"].hires.entries, hired, strict=False):
        entry.centre_id.data = referral.referring_centre_id
        entry.hired_on.data = today()
        entry.referral_id.data = referral.id
    for entry in forms["fill_form"].hires.entries:
        entry.centre_id.choices = _centre_choices("—")
    return forms


def _detail(order: JobOrder, status: int = 200, *, stale: str | None = None, **forms):
    s = db_session()
    referral_rows = queries.referrals(s, order.id)
    log_access(s, user=current_user, action="read", entity_type="job_order_referrals", entity_id=order.id,
               purpose="jobordre")
    counts = services.position_counts(s, order)
    outcomes = queries.outcomes(s, order.id)
    hired_ids = {hire.referral_id for _o, hire, _n in outcomes if hire is not None and hire.referral_id}
    ctx = _step_forms(order, referral_rows, counts, hired_ids)
    for form in forms.values():
        _prepare_step_form(form)
    undo = forms.get("undo_outcome_form", ctx["undo_outcome_form"])
    undo.outcome_id.choices = [(o.id, _outcome_label(o, centre_name)) for o, _h, centre_name in outcomes]
    ctx.update(forms)
    problems = [e for form in forms.values() for e in getattr(form, "form_errors", [])]
    outcome_forms = {}
    for referral, _centre, _name in referral_rows:
        f = ReferralOutcomeForm(formdata=None, prefix=f"outcome{referral.id}")
        f.outcome.data = referral.outcome.value
        outcome_forms[referral.id] = f
    return render_template(
        "joborders/detail.html",
        order=order,
        company=s.get(Company, order.company_id),
        lead=refcache.centre(s, order.lead_centre_id),
        contact=s.get(User, order.contact_user_id) if order.contact_user_id else None,
        events=queries.history(s, order.id),
        referrals=referral_rows,
        outcome_forms=outcome_forms,
        hires=queries.hires(s, order.id),
        counts=counts,
        outcomes=outcomes,
        filled_text=states.filled_text(counts.positions, counts.hired),
        occupation=occupations.name(order.occupational_group),
        occupation_guess=None if order.occupational_group else occupations.name(occupations.suggest(order.title)),
        help_requests=queries.help_requests(s, order.id),
        can_edit=policy.may_work(current_user, order),
        can_reopen=policy.may_reopen(current_user, order),
        can_cancel=policy.may_cancel(current_user, order),
        may_withdraw=lambda referral: policy.may_withdraw_referral(current_user, referral),
        past_deadline=deadlines.is_past_deadline(order),
        stale=stale,
        problems=problems,
        State=JobOrderState,
        **ctx,
    ), status


def _version(form) -> int | None:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def _outcome_label(outcome, centre_name: str | None) -> str:
    """ "Stilling 2: Ansat · Jobcenter Egedal" in the undo form's choice of outcomes."""
    text = _("Stilling %(n)d: %(kind)s", n=outcome.slot, kind=outcome.kind.label)
    return f"{text} · {centre_name}" if centre_name else text


def _run_step(order_id: int, form_cls, prefix: str, form_name: str, do, done: str, *, ensure=None, ask=None):
    """One state change from the detail page; ``ensure`` is the policy's check, before the form is read;
    ``ask(order)`` gives (what, yes) for a closing step that is confirmed first (nrs.confirm)."""
    s = db_session()
    order = get_or_404(JobOrder, order_id)
    if ensure is not None:
        ensure(order)
    form = form_cls(prefix=prefix)
    _prepare_step_form(form)
    if not form.validate():
        return _detail(order, 400, **{form_name: form})
    if ask is not None:
        what, yes = ask(order)
        confirm.ask(what, yes=yes, back=url_for(".detail", order_id=order_id))
    try:
        do(s, order, form)
    except StaleObjectError as exc:
        begin_write(s)  # a fresh transaction sees the winner's change
        return _detail(s.get(JobOrder, order_id), 409, stale=exc.message)
    except DomainError as exc:
        field = getattr(form, exc.field, None) if exc.field else None
        if field is not None and not isinstance(field, FieldList):
            field.errors.append(exc.message)
        else:
            form.form_errors.append(exc.message)
        begin_write(s)
        return _detail(s.get(JobOrder, order_id), 400, **{form_name: form})
    flash(done, "success")
    return redirect(url_for(".detail", order_id=order_id))


# --- list, export, help wanted -----------------------------------------------------------------

#: The list's filter parameters: what a user's saved filters hold (not the paging or the export format).
FILTER_ARGS = ("state", "centre", "sector", "company", "agreement", "from", "to", "jobnet", "frist", "q", "mine",
               "sort")


def _filter_from_args() -> tuple[queries.OrderFilter, dict[str, str]]:
    """The list's filter from the query string, and a message per malformed parameter (that filter is not used)."""
    args = request.args
    problems: dict[str, str] = {}

    def int_arg(name):
        try:
            return whole_number(args.get(name) or 0) or None
        except ValueError:
            problems[name] = _("Ugyldig værdi; filteret er ikke brugt.")
            return None

    def date_arg(name):
        text = (args.get(name) or "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            problems[name] = (_("Datoen findes ikke; filteret er ikke brugt.") if _DATE_SHAPE.match(text)
                              else _("Skriv datoen som dd-mm-åååå; filteret er ikke brugt."))
            return None

    state = args.get("state") or None
    if state is not None and state not in {s.value for s in JobOrderState}:
        problems["state"] = _("Ukendt status; filteret er ikke brugt.")
        state = None
    mine = args.get("mine") or None
    if mine is not None and mine not in queries.MINE:
        problems["mine"] = _("Ukendt valg; filteret er ikke brugt.")
        mine = None
    received_from, received_to = date_arg("from"), date_arg("to")
    if received_from and received_to and received_from > received_to:
        problems["to"] = _("Til-datoen ligger før fra-datoen; ingen jobordrer kan matche.")
    return queries.OrderFilter(
        state=state, lead_centre_id=int_arg("centre"), sector_id=int_arg("sector"), company_id=int_arg("company"),
        agreement_id=int_arg("agreement"), received_from=received_from, received_to=received_to,
        jobnet_number=(args.get("jobnet") or "").strip()[:40] or None,
        past_deadline=True if args.get("frist") == "overskredet" else None,
        text=(args.get("q") or "").strip()[:200] or None,
        mine=mine, mine_user_id=current_user.id, mine_centre_id=current_user.job_centre_id,
        sort=args.get("sort") if args.get("sort") in queries.SORTS else "received_desc",
    ), problems


#: dd-mm-åååå (or the other written forms): a date in the right shape that may still not exist (31-02-2016).
_DATE_SHAPE = re.compile(r"^\d{1,2}[-./]\d{1,2}[-./]\d{4}$|^\d{4}-\d{1,2}-\d{1,2}$")


def _sectors():
    return refcache.sectors(db_session())


@bp.get("/")
@access("user")
def index():
    s = db_session()
    fmt = request.args.get("format")
    if fmt not in ("csv", "xlsx") and (restore := savedfilters.remember(FILTER_ARGS)) is not None:
        return restore
    flt, problems = _filter_from_args()
    if fmt in ("csv", "xlsx"):
        log_access(s, user=current_user, action="export", entity_type="job_order_referrals",
                   criterion=flt.criterion(), purpose="eksport af jobordrer")
        return download(fmt, "jobordrer", queries.EXPORT_HEADERS, list(queries.export_rows(s, flt)))
    log_access(s, user=current_user, action="search", entity_type="job_order_referrals",
               criterion=flt.criterion(), purpose="liste over jobordrer")
    keys = queries.sort_keys(flt)
    after, jump_error = request.args.get("after"), None
    if request.args.get("at") and not (request.args.get("after") or request.args.get("before")):
        after, jump_error = _jump_cursor(keys, flt.sort, request.args["at"])
    try:
        page = keyset_paginate(s, queries.list_rows(s, flt), keys, after=after, before=request.args.get("before"),
                               number=request.args.get("page", type=int), per_page=50)
    except BadCursor:
        abort(400, description=_("Linket til siden er ugyldigt eller forældet. Start fra første side."))
    page.items = [queries.ListRow(*row) for row in page.items]
    page.count_cap = queries.COUNT_CAP
    page.total = queries.order_count(s, flt, page.count_cap)
    referrals = queries.referral_counts(s, [order.id for order in page.items])
    hired = queries.hired_counts(s, [order.id for order in page.items if order.positions > 1])
    export_args = {k: v for k, v in request.args.items()
                   if k not in ("page", "format", "after", "before", "at", savedfilters.RESTORED)}
    return render_template("joborders/index.html", page=page, flt=flt, centres=_centres(), sectors=_sectors(),
                           centre_names=refcache.centre_names(s),
                           states=list(JobOrderState), sorts=queries.SORTS, export_args=export_args,
                           referrals=referrals, hired=hired, filled_text=states.filled_text,
                           jump=queries.JUMPS.get(flt.sort), jump_error=jump_error,
                           past_deadline=deadlines.is_past_deadline, problems=problems,
                           filtered=savedfilters.is_filtered(FILTER_ARGS),
                           restored=savedfilters.RESTORED in request.args, args=request.args)


def _jump_cursor(keys, sort: str, text: str) -> tuple[str | None, str | None]:
    """The cursor for the list's "go to" field: a date (received, deadline) or a company name."""
    kind = queries.JUMPS.get(sort)
    if kind == "date":
        try:
            return jump_cursor(keys, parse_date(text)), None
        except ValueError:
            return None, _("Skriv datoen som dd-mm-åååå.")
    if kind == "text":
        return jump_cursor(keys, fold(text)[:200]), None
    return None, None


@bp.get("/hjaelp")
@access("user")
def help_wanted():
    centre_id = request.args.get("centre", type=int) or current_user.job_centre_id
    rows = queries.help_wanted(db_session(), centre_id)
    return render_template("joborders/help_wanted.html", rows=rows, centre=db_session().get(JobCentre, centre_id),
                           centres=_centres())


# --- log and edit ------------------------------------------------------------------------------

@bp.route("/ny", methods=["GET", "POST"])
@access("user")
def new():
    s = db_session()
    company = None
    if request.method == "GET" and request.args.get("company", type=int):
        company = s.get(Company, request.args.get("company", type=int))
    form = JobOrderForm()
    if request.method == "GET":
        form.received_on.data = today()
        if company is not None:
            form.cvr.data = company.cvr
    chosen = form.cvr.company
    _prepare_order_form(form, chosen.id if chosen else None)
    searching = request.method == "POST" and pickers.searching(form)
    if request.method == "POST" and not searching and form.validate():
        company = form.cvr.company
        try:
            order = services.log_job_order(
                s, by=current_user, company=company, title=form.title.data, positions=form.positions.data,
                place_of_work=form.place_of_work.data or "", received_on=form.received_on.data,
                channel=form.channel.data, start_on=form.start_on.data, deadline_on=form.deadline_on.data,
                requirements=form.requirements.data or "", lead_centre_id=form.lead_centre_id.data,
                lead_reason=form.lead_reason.data or "", contact_user_id=form.contact_user_id.data,
                agreement_id=form.agreement_id.data, note=form.note.data or "",
                occupational_group=form.occupational_group.data or None,
                jobnet_number=form.jobnet_number.data,
            )
        except DomainError as exc:
            form.show_error(exc, "title")
        else:
            flash(_("Jobordren er oprettet."), "success")
            return redirect(url_for(".detail", order_id=order.id))
    status = 400 if request.method == "POST" and not searching else 200
    return render_template("joborders/form.html", form=form, order=None, company=None), status


@bp.route("/<int:order_id>/ret", methods=["GET", "POST"])
@access("user")
def edit(order_id: int):
    s = db_session()
    order = get_or_404(JobOrder, order_id)
    _may_work(order)
    form = _prepare_order_form(EditJobOrderForm(obj=order if request.method == "GET" else None), order.company_id,
                               order.lead_centre_id)
    if request.method == "GET":
        form.version.data = order.version
        form.channel.data = order.channel.value
        form.occupational_group.data = order.occupational_group or occupations.suggest(order.title) or ""
    searching = request.method == "POST" and pickers.searching(form)
    if request.method == "POST" and not searching and form.validate():
        values = {name: getattr(form, name).data for name in services.EDITABLE}
        for name in ("place_of_work", "requirements", "note"):
            values[name] = values[name] or ""
        values["lead_centre_id"] = values["lead_centre_id"] or order.lead_centre_id
        try:
            services.update_job_order(s, order, by=current_user, expected_version=_version(form),
                                      lead_reason=form.lead_reason.data or "", **values)
        except StaleObjectError as exc:
            begin_write(s)
            return _detail(s.get(JobOrder, order_id), 409, stale=exc.message)
        except DomainError as exc:
            form.show_error(exc, "title")
        else:
            flash(_("Jobordren er gemt."), "success")
            return redirect(url_for(".detail", order_id=order.id))
    status = 400 if request.method == "POST" and not searching else 200
    return render_template("joborders/form.html", form=form, order=order,
                           company=s.get(Company, order.company_id)), status


@bp.get("/<int:order_id>")
@access("user")
def detail(order_id: int):
    return _detail(get_or_404(JobOrder, order_id))


# --- state changes -----------------------------------------------------------------------------

@bp.post("/<int:order_id>/pause")
@access("user")
def pause(order_id: int):
    return _run_step(
        order_id, StepForm, "pause", "pause_form",
        lambda s, o, f: services.pause(s, o, by=current_user, expected_version=_version(f),
                                       on_date=f.on_date.data, reason=f.reason.data or ""),
        _("Jobordren er sat i bero."), ensure=_may_work,
    )


@bp.post("/<int:order_id>/genoptag")
@access("user")
def resume(order_id: int):
    return _run_step(
        order_id, StepForm, "resume", "resume_form",
        lambda s, o, f: services.resume(s, o, by=current_user, expected_version=_version(f),
                                        on_date=f.on_date.data, reason=f.reason.data or ""),
        _("Jobordren er åben igen."), ensure=_may_work,
    )


def _hires(form: FillForm) -> list[services.NewHire]:
    out = []
    for entry in form.hires.entries:
        if entry.centre_id.data:
            ref = entry.referral_id.data
            out.append(services.NewHire(centre_id=entry.centre_id.data,
                                        hired_on=entry.hired_on.data or form.on_date.data,
                                        referral_id=int(ref) if ref and str(ref).isdigit() else None))
    return out


def _remaining(form: FillForm) -> services.NewOutcome | None:
    return services.outcome_for_reason(form.remaining.data) if form.remaining.data else None


@bp.post("/<int:order_id>/besat")
@access("user")
def fill(order_id: int):
    return _run_step(
        order_id, FillForm, "fill", "fill_form",
        lambda s, o, f: services.fill(s, o, by=current_user, expected_version=_version(f), on_date=f.on_date.data,
                                      hires=_hires(f), reason=f.reason.data or "", remaining=_remaining(f)),
        _("Jobordren er lukket som besat."), ensure=_may_work,
    )


def _position_outcomes(form: PositionsForm) -> list[services.NewOutcome]:
    out = []
    for entry in form.positions.entries:
        kind = entry.kind.data
        if not kind:
            continue
        if kind not in PositionOutcomeKind.__members__:
            raise DomainError(_("Vælg et af udfaldene på listen."), field="positions")
        hire = None
        if kind == PositionOutcomeKind.hired:
            if not entry.centre_id.data:
                raise DomainError(_("Vælg jobcentret, hvis kandidat blev ansat."), field="positions")
            ref = entry.referral_id.data
            hire = services.NewHire(centre_id=entry.centre_id.data, hired_on=entry.hired_on.data or form.on_date.data,
                                    referral_id=int(ref) if ref and str(ref).isdigit() else None,
                                    start_on=entry.start_on.data,
                                    home_municipality_code=entry.home_municipality_code.data)
        out.append(services.NewOutcome(kind, hire=hire, unfilled_reason=entry.unfilled_reason.data or None,
                                       text=entry.text.data or ""))
    return out


@bp.post("/<int:order_id>/stillinger")
@access("user")
def positions(order_id: int):
    """What happened to the open positions, in one step; the order closes when none is left open."""
    return _run_step(
        order_id, PositionsForm, "positions", "positions_form",
        lambda s, o, f: services.resolve_positions(s, o, by=current_user, expected_version=_version(f),
                                                   on_date=f.on_date.data, outcomes=_position_outcomes(f),
                                                   reason=f.reason.data or ""),
        _("Stillingernes udfald er registreret."), ensure=_may_work,
    )


@bp.post("/<int:order_id>/ikke-besat")
@access("user")
def unfilled(order_id: int):
    return _run_step(
        order_id, UnfilledForm, "unfilled", "unfilled_form",
        lambda s, o, f: services.close_unfilled(s, o, by=current_user, expected_version=_version(f),
                                                on_date=f.on_date.data, unfilled_reason=f.unfilled_reason.data,
                                                unfilled_reason_text=f.unfilled_reason_text.data or ""),
        _("Jobordren er lukket som ikke besat."), ensure=_may_work,
        ask=lambda o: (_("Jobordren %(t)s lukkes som ikke besat. Kun en koordinator kan genåbne den.", t=o.title),
                       _("Ja, luk som ikke besat")),
    )


@bp.post("/<int:order_id>/genaabn")
@access("coordinator")
def reopen(order_id: int):
    return _run_step(
        order_id, ReopenForm, "reopen", "reopen_form",
        lambda s, o, f: services.reopen(s, o, by=current_user, expected_version=_version(f),
                                        on_date=f.on_date.data, reason=f.reason.data),
        _("Jobordren er genåbnet."), ensure=lambda o: policy.ensure_may_reopen(current_user, o),
    )


@bp.post("/<int:order_id>/udfald/fortryd")
@access("coordinator")
def undo_outcome(order_id: int):
    """Undo one position's outcome recorded in error; a closed order reopens (``services.undo_outcome``)."""
    return _run_step(
        order_id, UndoOutcomeForm, "undo", "undo_outcome_form",
        lambda s, o, f: services.undo_outcome(s, o, by=current_user, expected_version=_version(f),
                                              outcome_id=f.outcome_id.data, on_date=f.on_date.data,
                                              reason=f.reason.data),
        _("Udfaldet er fortrudt; stillingen er åben igen."), ensure=lambda o: policy.ensure_may_reopen(current_user, o),
    )


# --- referrals and help ------------------------------------------------------------------------

@bp.post("/<int:order_id>/henvisninger")
@access("user")
def add_referral(order_id: int):
    return _run_step(
        order_id, ReferralForm, "referral", "referral_form",
        lambda s, o, f: services.add_referral(s, o, by=current_user, referred_on=f.referred_on.data,
                                              case_reference=f.case_reference.data or "",
                                              outcome=f.outcome.data, note=f.note.data or ""),
        _("Henvisningen er registreret."),
    )


@bp.post("/<int:order_id>/henvisninger/<int:referral_id>")
@access("user")
def referral_outcome(order_id: int, referral_id: int):
    s = db_session()
    referral = get_or_404(Referral, referral_id)
    if referral.job_order_id != order_id:
        abort(404)
    policy.ensure_may_change_referral(current_user, referral, s.get(JobOrder, order_id))
    form = ReferralOutcomeForm(prefix=f"outcome{referral_id}")
    if not form.validate():
        return _detail(s.get(JobOrder, order_id), 400)
    try:
        services.update_referral_outcome(s, referral, by=current_user, outcome=form.outcome.data)
    except DomainError as exc:
        flash(exc.message, "error")
        begin_write(s)
        return _detail(s.get(JobOrder, order_id), 400)
    flash(_("Henvisningen er opdateret."), "success")
    return redirect(url_for(".detail", order_id=order_id))


@bp.post("/<int:order_id>/hjaelp")
@access("user")
def ask_for_help(order_id: int):
    return _run_step(
        order_id, HelpForm, "help", "help_form",
        lambda s, o, f: services.request_help(s, o, by=current_user, message=f.message.data or ""),
        _("De andre jobcentre er bedt om hjælp."), ensure=_may_work,
    )
