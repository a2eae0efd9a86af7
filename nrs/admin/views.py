"""The steering group's area: users, the job centres' joining dates and the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from nrs.admin.forms import CentreJoinedForm
from nrs.audit.models import AuditEvent
from nrs.audit.words import in_words
from nrs.auth import services
from nrs.auth.forms import UserForm
from nrs.auth.models import User
from nrs.collation import danish
from nrs.db import begin_write, db_session, get_or_404
from nrs.errors import DomainError, StaleObjectError
from nrs.municipalities.models import JobCentre
from nrs.municipalities.services import set_joined_on
from nrs.paging import paginate
from nrs.privacy.services import log_audit_read
from nrs.security import access

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(obj=None) -> UserForm:
    form = UserForm(obj=obj)
    form.centre.choices = [
        (c.id, c.name) for c in db_session().exec(select(JobCentre).order_by(danish(JobCentre.name)))
    ]
    return form


@bp.get("/")
@access("admin")
def index():
    return redirect(url_for(".users"))


@bp.get("/brugere")
@access("admin")
def users():
    rows = db_session().exec(
        select(User, JobCentre).join(JobCentre).order_by(danish(JobCentre.name), danish(User.name))
    ).all()
    return render_template("admin/users.html", rows=rows)


@bp.route("/brugere/ny", methods=["GET", "POST"])
@access("admin")
def user_new():
    form = _user_form()
    if request.method == "POST" and form.validate():
        try:
            user = services.create_user(
                db_session(), by=current_user, email=form.email.data, name=form.name.data,
                job_centre_id=form.centre.data, role=form.role.data,
                password=form.password.data or "", weekly_email=form.weekly_email.data,
            )
        except DomainError as exc:
            form.show_error(exc, "email")
        else:
            flash(_("Brugeren %(e)s er oprettet.", e=user.email), "success")
            return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/brugere/<int:user_id>", methods=["GET", "POST"])
@access("admin")
def user_edit(user_id: int):
    user = get_or_404(User, user_id)
    form = _user_form(obj=user)
    if request.method == "GET":
        form.centre.data = user.job_centre_id
        form.role.data = user.role.value
    if request.method == "POST" and form.validate():
        s = db_session()
        try:
            services.update_user(
                s, user, by=current_user, email=form.email.data, name=form.name.data,
                job_centre_id=form.centre.data, role=form.role.data,
                weekly_email=form.weekly_email.data, active=form.active.data,
            )
            if form.password.data:
                services.set_password(s, user, by=current_user, password=form.password.data)
        except DomainError as exc:
            form.show_error(exc, "email")
        else:
            flash(_("Brugeren %(e)s er gemt.", e=user.email), "success")
            return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.get("/jobcentre")
@access("admin")
def centres():
    """The nine centres with the day each joined NRS (orders received earlier are refused)."""
    rows = db_session().exec(select(JobCentre).order_by(danish(JobCentre.name))).all()
    return render_template("admin/centres.html", centres=rows)


@bp.route("/jobcentre/<int:centre_id>", methods=["GET", "POST"])
@access("admin")
def centre_edit(centre_id: int):
    s = db_session()
    centre = get_or_404(JobCentre, centre_id)
    form = CentreJoinedForm()
    stale = None
    if request.method == "GET":
        form.joined_on.data, form.version.data = centre.joined_on, centre.version
    elif form.validate():
        try:
            changed = set_joined_on(s, centre, by=current_user, joined_on=form.joined_on.data,
                                    expected_version=form.version.data)
        except StaleObjectError as exc:
            begin_write(s)  # a fresh transaction sees the winner's change
            centre = s.get(JobCentre, centre_id)
            form = CentreJoinedForm(formdata=None)
            form.joined_on.data, form.version.data = centre.joined_on, centre.version
            stale = exc.message
        except DomainError as exc:
            form.show_error(exc, "joined_on")
        else:
            if changed:
                flash(_("%(c)s er med i NRS fra %(d)s.", c=centre.name, d=centre.joined_on.strftime("%d-%m-%Y")),
                      "success")
            return redirect(url_for(".centres"))
    status = 200 if request.method == "GET" else 409 if stale else 400
    return render_template("admin/centre_form.html", form=form, centre=centre, stale=stale), status


@bp.get("/revisionslog")
@access("admin")
def audit():
    stmt = select(AuditEvent, User).outerjoin(User, AuditEvent.user_id == User.id)
    entity = request.args.get("entity", "").strip()
    if entity:
        stmt = stmt.where(AuditEvent.entity_type == entity)
    entity_id = request.args.get("id", "").strip()
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    page = paginate(db_session(), stmt.order_by(AuditEvent.id.desc()), per_page=50)
    log_audit_read(db_session(), user=current_user, events=[event for event, _user in page.items],
                   entity=entity, entity_id=entity_id)
    rows = list(zip(in_words(db_session(), [event for event, _user in page.items]),
                    [user for _event, user in page.items], strict=True))
    return render_template("admin/audit.html", page=page, rows=rows, entity=entity, entity_id=entity_id)
