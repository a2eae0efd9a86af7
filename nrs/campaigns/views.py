"""Campaigns: the list per centre, working a target, exports."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from nrs import confirm, pickers, refcache
from nrs.activities import queries as activity_queries
from nrs.auth.models import User
from nrs.campaigns import bulk, importer, policy, queries, services
from nrs.campaigns.forms import (
    ActionForm,
    CampaignForm,
    LeadForm,
    LinkForm,
    OutcomeImportForm,
    RemoveForm,
    StatusForm,
)
from nrs.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    CampaignTargetEvent,
    TargetStatus,
)
from nrs.clock import today, utcnow
from nrs.collation import danish
from nrs.companies.models import Company, Contact
from nrs.db import begin_write, db_session, get_or_404
from nrs.errors import DomainError, StaleObjectError
from nrs.exports.spreadsheet import download
from nrs.importfile import ImportFileError
from nrs.municipalities.models import NRS_MUNICIPALITIES, JobCentre, Municipality
from nrs.paging import paginate
from nrs.refdata import industry_name
from nrs.savedfilters import services as savedfilters
from nrs.sectors.queries import offered_sectors
from nrs.security import access

bp = Blueprint("campaigns", __name__, url_prefix="/kampagner")


def _is_coordinator() -> bool:
    return policy.may_manage(current_user)


@bp.get("/")
@access("user")
def index():
    s = db_session()
    counts = dict(s.execute(
        sa.select(CampaignTarget.campaign_id, sa.func.count())
        .where(queries.in_view("active")).group_by(CampaignTarget.campaign_id)
    ).all())
    campaigns = s.exec(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())).all()
    return render_template("campaigns/index.html", campaigns=[(c, counts.get(c.id, 0)) for c in campaigns],
                           can_create=_is_coordinator())


def _campaign_form() -> CampaignForm:
    s = db_session()
    form = CampaignForm()
    form.sectors.choices = [
        (f.id, f"{f.name} ({f.year})")
        for f in offered_sectors(s)
    ]
    form.municipalities.choices = [
        (m.code, f"{m.name} ({m.code:03d})")
        for m in s.exec(select(Municipality).where(Municipality.code.in_(NRS_MUNICIPALITIES)).order_by(danish(Municipality.name)))
    ]
    return form


@bp.route("/ny", methods=["GET", "POST"])
@access("coordinator")
def new():
    form = _campaign_form()
    if request.method == "GET":
        form.year.data = today().year
        form.municipalities.data = list(NRS_MUNICIPALITIES)
    if request.method == "POST" and form.validate():
        try:
            campaign = services.create_campaign(
                db_session(), by=current_user, name=form.name.data, year=form.year.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, sector_ids=form.sectors.data,
                extra_prefixes=form.prefixes, min_employees=form.min_employees.data,
                municipality_codes=form.municipalities.data or None,
                exclude_active_agreements=form.exclude_active_agreements.data,
                exclude_advertising_protected=form.exclude_advertising_protected.data,
            )
        except DomainError as exc:
            form.show_error(exc, "name")
        else:
            flash(_("Kampagnen %(n)s er oprettet. Byg listen for at starte den.", n=campaign.name), "success")
            return redirect(url_for(".detail", campaign_id=campaign.id))
    status = 400 if request.method == "POST" else 200
    return render_template("campaigns/form.html", form=form), status


def _filters(s):
    """The centre and status filters from the query string; the user's own centre by default."""
    centres = refcache.centres(s)
    by_code = {str(c.municipality_code): c for c in centres}
    own = next((c for c in centres if c.id == current_user.job_centre_id), None)
    centre_arg = request.args.get("centre", str(own.municipality_code) if own else "all")
    if centre_arg == "none":
        centre_id = queries.NO_LEAD
    elif centre_arg in by_code:
        centre_id = by_code[centre_arg].id
    else:
        centre_arg, centre_id = "all", None
    status_arg = request.args.get("status", "")
    status = TargetStatus(status_arg) if status_arg in TargetStatus.__members__ else None
    view = request.args.get("view", "active")
    if view not in queries.VIEWS:
        view = "active"
    due = request.args.get("due") == "1"
    return dict(centres=centres, centre_arg=centre_arg, centre_id=centre_id, status=status,
                status_arg=status.value if status else "", view=view, due=due, due_on=today() if due else None)


@bp.get("/<int:campaign_id>")
@access("user")
def detail(campaign_id: int):
    if (restore := savedfilters.remember(FILTER_ARGS)) is not None:
        return restore
    return _detail_page(campaign_id)


#: The target list's filter parameters: what a user's saved filters hold (one set for every campaign).
FILTER_ARGS = ("centre", "status", "view", "due")


def _bulk_form(s, campaign: Campaign, f, form: bulk.BulkTargetsForm | None = None):
    """The target list's bulk form for a coordinator: the consultants of the shown centre (else their own)."""
    if not _is_coordinator():
        return None
    form = form or bulk.BulkTargetsForm(formdata=None, data={"status_on": today()})
    centre_id = f["centre_id"] or current_user.job_centre_id
    form.user.choices = [("", "—")] + pickers.user_choices(s, s.exec(
        select(User).where(User.job_centre_id == centre_id, User.active.is_(True)).order_by(danish(User.name))))
    return form


def _detail_page(campaign_id: int, *, import_form=None, import_report=None, code: int = 200,
                 bulk_form: bulk.BulkTargetsForm | None = None):
    s = db_session()
    campaign = get_or_404(Campaign, campaign_id)
    f = _filters(s)
    page = paginate(s, queries.targets(campaign.id, centre_id=f["centre_id"], status=f["status"], view=f["view"],
                                       due_on=f["due_on"]))
    sector_names = [x.name for x in refcache.sectors(s) if x.id in set(campaign.sector_id_list)]
    creator = s.get(User, campaign.created_by_id) if campaign.created_by_id else None
    return render_template(
        "campaigns/detail.html", campaign=campaign, page=page, filters=f, statuses=list(TargetStatus),
        progress=queries.progress_by_centre(s, campaign.id), no_lead=queries.no_lead_count(s, campaign.id),
        prefixes=services.campaign_prefixes(s, campaign), sector_names=sector_names, creator=creator,
        is_coordinator=_is_coordinator(), action_form=ActionForm(), CampaignStatus=CampaignStatus,
        import_form=import_form or OutcomeImportForm(), import_report=import_report, today=today(),
        export_args={k: v for k, v in (("centre", f["centre_arg"]), ("status", f["status_arg"]),
                                       ("due", "1" if f["due"] else "")) if v},
        bulk_form=_bulk_form(s, campaign, f, bulk_form), filtered=savedfilters.is_filtered(FILTER_ARGS),
        restored=savedfilters.RESTORED in request.args,
    ), code


@bp.post("/<int:campaign_id>/maal")
@access("coordinator")
def bulk_targets(campaign_id: int):
    """The target list's bulk form: a status or a consultant for the checked targets; all or nothing."""
    begin_write(db_session())
    campaign = get_or_404(Campaign, campaign_id)
    form = bulk.BulkTargetsForm()
    if not form.validate():
        return _detail_page(campaign.id, code=400, bulk_form=form)
    try:
        if form.action.data == "status":
            done = bulk.set_status(db_session(), campaign, form.ids.data or [], by=current_user,
                                   status=form.status.data, status_on=form.status_on.data or today())
        else:
            done = bulk.assign_consultant(db_session(), campaign, form.ids.data or [], by=current_user,
                                          user_id=form.user.data)
    except DomainError as exc:
        form.show_error(exc, "ids")
        return _detail_page(campaign.id, code=400, bulk_form=form)
    except StaleObjectError as exc:
        begin_write(db_session())
        form.ids.errors = [*form.ids.errors, exc.message]
        return _detail_page(campaign_id, code=409, bulk_form=form)
    flash(_("%(n)d virksomheder på listen er ændret.", n=done), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id, **request.args))


@bp.post("/<int:campaign_id>/udfald")
@access("user")
def import_outcomes(campaign_id: int):
    """The exported list with outcomes filled in: every row checked, then all written (or none)."""
    begin_write(db_session())
    campaign = get_or_404(Campaign, campaign_id)
    form = OutcomeImportForm()
    if not form.validate():
        return _detail_page(campaign.id, import_form=form, code=400)
    upload = form.file.data
    try:
        report = importer.run_import(db_session(), campaign, upload.read(), filename=upload.filename or "",
                                     by=current_user, skip_invalid=form.skip_invalid.data)
    except ImportFileError as exc:
        form.file.errors.append(str(exc))
        return _detail_page(campaign.id, import_form=form, code=400)
    return _detail_page(campaign.id, import_form=form, import_report=report, code=200 if report.ok else 400)


@bp.post("/<int:campaign_id>/byg")
@access("coordinator")
def build(campaign_id: int):
    begin_write(db_session())  # a refresh reads, then writes
    campaign = get_or_404(Campaign, campaign_id)
    if not ActionForm().validate():
        abort(400)
    try:
        result = services.build_campaign(db_session(), campaign, now=utcnow(), by=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Listen er opdateret: %(n)d virksomheder (%(a)d tilføjet, %(r)d matcher ikke længere).",
                n=result.targets, a=result.added, r=result.removed), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id, centre="all"))


@bp.post("/<int:campaign_id>/status/<status>")
@access("coordinator")
def set_status(campaign_id: int, status: str):
    campaign = get_or_404(Campaign, campaign_id)
    if status not in CampaignStatus.__members__ or not ActionForm().validate():
        abort(400)
    if status == CampaignStatus.ended.value:
        confirm.ask(_("Kampagnen %(n)s afsluttes: listen arbejdes ikke videre, og den opdateres ikke mere.",
                      n=campaign.name), yes=_("Ja, afslut kampagnen"),
                    back=url_for(".detail", campaign_id=campaign.id))
    services.set_campaign_status(db_session(), campaign, by=current_user, status=CampaignStatus(status))
    flash(_("Kampagnen er nu: %(s)s.", s=CampaignStatus(status).label), "success")
    return redirect(url_for(".detail", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/eksport.<fmt>")
@access("user")
def export(campaign_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    s = db_session()
    campaign = get_or_404(Campaign, campaign_id)
    f = _filters(s)
    rows = queries.export_rows(s, campaign.id, centre_id=f["centre_id"], status=f["status"], due_on=f["due_on"])
    services.record_export(s, campaign, by=current_user, fmt=fmt, centre_code=f["centre_arg"],
                           status=f["status_arg"] or None, rows=len(rows))
    return download(fmt, f"kampagne-{campaign.id}-{f['centre_arg']}", queries.EXPORT_HEADERS, rows)


def _target_page(target: CampaignTarget, *, status_form=None, remove_form=None, lead_form=None,
                 link_form=None, code: int = 200, stale: str | None = None, backwards: str | None = None):
    s = db_session()
    campaign = s.get(Campaign, target.campaign_id)
    company = s.get(Company, target.company_id)
    centre = s.get(JobCentre, target.lead_centre_id) if target.lead_centre_id else None
    if status_form is None:
        status_form = StatusForm(formdata=None, data={
            "status": target.status.value if target.status != TargetStatus.not_contacted else None,
            "status_on": today(), "note": target.status_note, "version": target.version,
            "assignee": current_user.id})
    _assignee_choices(s, status_form, company)
    contacts = s.exec(select(Contact).where(Contact.company_id == company.id).order_by(danish(Contact.name))).all()
    lead_form = lead_form or LeadForm()
    lead_form.centre.choices = refcache.centre_choices(s)
    history = s.execute(
        select(CampaignTargetEvent, User).outerjoin(User, User.id == CampaignTargetEvent.user_id)
        .where(CampaignTargetEvent.target_id == target.id).order_by(CampaignTargetEvent.id.desc())
    ).all()
    users = {u.id: u for u in s.exec(select(User).where(User.id.in_(
        [i for i in (target.status_by_id, target.removed_by_id, company.contact_user_id) if i])))}
    return render_template(
        "campaigns/target.html", target=target, campaign=campaign, company=company, centre=centre,
        users=users, history=history, industry=industry_name(company.industry_code),
        status_form=status_form, remove_form=remove_form or RemoveForm(), lead_form=lead_form,
        link_form=link_form or LinkForm(), action_form=ActionForm(),
        may_work=policy.may_work_target(current_user, target),
        may_remove=policy.may_remove_target(current_user, target),
        may_assign_lead=policy.may_assign_lead(current_user, target), stale=stale, contacts=contacts,
        backwards=backwards,
    ), code


def _assignee_choices(s, form: StatusForm, company: Company) -> None:
    """The caller first, then the lead centre's staff (the task rule of nrs.activities.policy)."""
    users = activity_queries.assignable_users(s, company, author=current_user)
    users.sort(key=lambda u: u.id != current_user.id)
    form.assignee.choices = pickers.user_choices(s, users)


@bp.get("/maal/<int:target_id>")
@access("user")
def target(target_id: int):
    return _target_page(get_or_404(CampaignTarget, target_id))


@bp.post("/maal/<int:target_id>/status")
@access("user")
def target_status(target_id: int):
    begin_write(db_session())  # on SQLite a second writer waits here, then sees the first one's save
    target = get_or_404(CampaignTarget, target_id)
    policy.ensure_may_work_target(current_user, target)
    form = StatusForm()
    _assignee_choices(db_session(), form, db_session().get(Company, target.company_id))
    if not form.validate():
        return _target_page(target, status_form=form, code=400)
    try:
        services.record_call(
            db_session(), target, by=current_user, status=form.status.data, kind=form.kind.data,
            status_on=form.status_on.data, note=form.note.data or "", call_back_on=form.call_back_on.data,
            meeting_on=form.meeting_on.data, assignee=form.assignee.data or current_user,
            version=form.version.data, confirmed_backwards=form.confirm_backwards.data == "1")
    except StaleObjectError as exc:
        return _target_page(get_or_404(CampaignTarget, target_id), code=409, stale=exc.message)
    except services.BackwardsStatus as exc:
        # Nothing is saved: the same form again, with the question and a button that confirms.
        form.confirm_backwards.data = "1"
        return _target_page(target, status_form=form, backwards=exc.message)
    except DomainError as exc:
        form.show_error(exc, "status")
        return _target_page(target, status_form=form, code=400)
    flash(_("Kontakten er registreret."), "success")
    if "next" in request.form:
        following = queries.next_target(db_session(), target)
        if following is None:
            flash(_("Der er ikke flere virksomheder på listen, som dit jobcenter ikke har kontaktet."), "info")
            return redirect(url_for(".detail", campaign_id=target.campaign_id))
        return redirect(url_for(".target", target_id=following))
    return redirect(url_for(".target", target_id=target.id))


@bp.post("/maal/<int:target_id>/fjern")
@access("user")
def target_remove(target_id: int):
    target = get_or_404(CampaignTarget, target_id)
    policy.ensure_may_remove_target(current_user, target)
    form = RemoveForm()
    if not form.validate():
        return _target_page(target, remove_form=form, code=400)
    confirm.ask(_("Virksomheden fjernes fra kampagnens liste og kommer ikke tilbage ved opdateringer "
                  "(den kan sættes på listen igen her)."), yes=_("Ja, fjern fra listen"),
                back=url_for(".target", target_id=target.id))
    services.remove_target(db_session(), target, by=current_user, reason=form.reason.data)
    flash(_("Virksomheden er fjernet fra listen og kommer ikke tilbage ved opdateringer."), "success")
    return redirect(url_for(".target", target_id=target.id))


@bp.post("/maal/<int:target_id>/gendan")
@access("user")
def target_restore(target_id: int):
    target = get_or_404(CampaignTarget, target_id)
    policy.ensure_may_remove_target(current_user, target)
    if not ActionForm().validate():
        abort(400)
    services.restore_target(db_session(), target, by=current_user)
    flash(_("Virksomheden er sat på listen igen."), "success")
    return redirect(url_for(".target", target_id=target.id))


@bp.post("/maal/<int:target_id>/ledende")
@access("coordinator")
def target_lead(target_id: int):
    target = get_or_404(CampaignTarget, target_id)
    policy.ensure_may_assign_lead(current_user, target)
    form = LeadForm()
    form.centre.choices = [(c.id, c.name) for c in db_session().exec(select(JobCentre))]
    if not form.validate():
        return _target_page(target, lead_form=form, code=400)
    services.assign_target_lead(db_session(), target, by=current_user, centre_id=form.centre.data)
    flash(_("Jobcentret er tildelt."), "success")
    return redirect(url_for(".target", target_id=target.id))


@bp.post("/maal/<int:target_id>/knyt")
@access("user")
def target_link(target_id: int):
    target = get_or_404(CampaignTarget, target_id)
    policy.ensure_may_work_target(current_user, target)
    form = LinkForm()
    if form.validate():
        try:
            services.link_target(db_session(), target, by=current_user, job_order_id=form.job_order_id.data,
                                 agreement_id=form.agreement_id.data)
        except DomainError as exc:
            form.show_error(exc, "job_order_id")
        else:
            flash(_("Linket er gemt."), "success")
            return redirect(url_for(".target", target_id=target.id))
    return _target_page(target, link_form=form, code=400)
