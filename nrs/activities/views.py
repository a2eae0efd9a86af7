"""Record and edit activities; make, reassign, complete and reopen tasks; my task list. Thin views:
the rules live in ``policy`` and ``services``."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nrs import confirm, pickers
from nrs.activities import policy, queries, services
from nrs.activities.forms import (
    ActivityForm,
    CompleteTaskForm,
    ReassignForm,
    TaskForm,
    VersionOnlyForm,
    clock_value,
)
from nrs.activities.models import Activity, Task
from nrs.agreements.models import Agreement
from nrs.auth.models import Role, User
from nrs.clock import local, today, utcnow
from nrs.collation import danish
from nrs.companies.models import Company, Contact
from nrs.db import db_session, get_or_404
from nrs.errors import DomainError, StaleObjectError
from nrs.joborders.models import JobOrder
from nrs.paging import paginate
from nrs.security import access, has_role

bp = Blueprint("activities", __name__)


def _company_choices(s, company: Company, form) -> None:
    """Fill the pickers: the company's own contacts, orders, agreements; the lead centre's staff."""
    none = [("", _("(ingen)"))]
    if hasattr(form, "contact"):
        form.contact.choices = none + [(c.id, c.name) for c in s.execute(
            sa.select(Contact).where(Contact.company_id == company.id).order_by(danish(Contact.name))).scalars()]
    if hasattr(form, "agreement"):
        form.agreement.choices = none + [(a.id, f"{a.kind.label} {a.valid_from:%d-%m-%Y}") for a in s.execute(
            sa.select(Agreement).where(Agreement.company_id == company.id).order_by(Agreement.valid_from.desc())
        ).scalars()]
    if hasattr(form, "job_order"):
        form.job_order.choices = none + [(o.id, f"{o.title} ({o.received_on:%d-%m-%Y})") for o in s.execute(
            sa.select(JobOrder).where(JobOrder.company_id == company.id)
            .order_by(JobOrder.received_on.desc()).limit(200)).scalars()]
    if hasattr(form, "assignee"):
        form.assignee.choices = none + pickers.user_choices(s, queries.assignable_users(s, company, author=current_user))


# --- activities ----------------------------------------------------------------------------------

def _at(form) -> datetime:
    clock = clock_value(form.clock.data)
    if clock is None:
        now = local(utcnow())
        clock = now.time().replace(second=0, microsecond=0) if form.day.data == now.date() else None
    return services.at_from(form.day.data, clock)


@bp.route("/aktiviteter/ny/<int:company_id>", methods=["GET", "POST"])
@access("user")
def new(company_id: int):
    s = db_session()
    company = get_or_404(Company, company_id)
    form = ActivityForm()
    del form.version
    _company_choices(s, company, form)
    if request.method == "GET":
        form.day.data = today()
        form.job_order.data = request.args.get("job_order", type=int)
    if request.method == "POST" and form.validate():
        try:
            activity = services.record_activity(
                s, company=company, kind=form.kind.data, author=current_user, at=_at(form),
                summary=form.summary.data, outcome=form.outcome.data, contact=form.contact.data,
                job_order=form.job_order.data, agreement=form.agreement.data, follow_up=form.follow_up.data,
                assignee=s.get(User, form.assignee.data) if form.assignee.data else None,
                follow_up_title=form.follow_up_title.data or None)
        except DomainError as exc:
            form.show_error(exc, "summary")
        else:
            task = queries.follow_up_task(s, activity.id)
            flash(_("Aktiviteten er gemt.") + (" " + _("Opgaven har frist %(d)s.", d=task.due.strftime("%d-%m-%Y"))
                                             if task else ""), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    status = 400 if request.method == "POST" else 200
    return render_template("activities/form.html", form=form, company=company, activity=None), status


@bp.route("/aktiviteter/<int:activity_id>/ret", methods=["GET", "POST"])
@access("user")
def edit(activity_id: int):
    s = db_session()
    activity = get_or_404(Activity, activity_id)
    company = s.get(Company, activity.company_id)
    policy.ensure_may_edit_activity(current_user, activity, now=utcnow())
    form = ActivityForm(formdata=None if request.method == "GET" else request.form)
    for name in ("contact", "job_order", "agreement", "follow_up", "follow_up_title", "assignee"):
        delattr(form, name)
    if request.method == "GET":
        when = local(activity.at)
        form.kind.data, form.day.data = activity.kind.value, when.date()
        form.clock.data, form.summary.data = when.strftime("%H:%M"), activity.summary
        form.outcome.data, form.version.data = activity.outcome, activity.version
    if request.method == "POST" and form.validate():
        try:
            services.update_activity(s, activity, by=current_user, version=form.version.data, values={
                "kind": form.kind.data, "at": services.at_from(form.day.data, clock_value(form.clock.data)
                                                               or local(activity.at).time()),
                "summary": form.summary.data, "outcome": form.outcome.data})
        except StaleObjectError as exc:
            return render_template("activities/form.html", form=form, company=company, activity=activity,
                                   stale=exc.message), 409
        except DomainError as exc:
            form.show_error(exc, "summary")
        else:
            flash(_("Aktiviteten er rettet."), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    status = 400 if request.method == "POST" else 200
    return render_template("activities/form.html", form=form, company=company, activity=activity), status


@bp.post("/aktiviteter/<int:activity_id>/slet")
@access("user")
def delete(activity_id: int):
    activity = get_or_404(Activity, activity_id)
    company_id = activity.company_id
    policy.ensure_may_edit_activity(current_user, activity, now=utcnow())
    form = VersionOnlyForm()
    if not form.validate():
        abort(400)
    confirm.ask(_("Aktiviteten (%(k)s) slettes fra virksomhedens tidslinje.", k=activity.kind.label),
                yes=_("Ja, slet aktiviteten"), back=url_for("companies.detail", company_id=company_id))
    try:
        services.delete_activity(db_session(), activity, by=current_user, version=form.version.data)
    except StaleObjectError as exc:
        flash(exc.message, "error")
        return redirect(url_for("companies.detail", company_id=company_id))
    flash(_("Aktiviteten er slettet."), "success")
    return redirect(url_for("companies.detail", company_id=company_id))


# --- tasks ---------------------------------------------------------------------------------------

@bp.get("/opgaver")
@access("user")
def tasks():
    """My open tasks; a coordinator may see the whole centre's (who holds what)."""
    s = db_session()
    centre = request.args.get("centre") == "1" and has_role(current_user, Role.coordinator)
    if centre:
        page = paginate(s, queries.centre_tasks_stmt(current_user.job_centre_id), per_page=50,
                        cap=queries.TASKS_COUNTED)
    else:
        done = request.args.get("done") == "1"
        page = paginate(s, queries.user_tasks_stmt(current_user.id, include_done=done), per_page=50,
                        count=queries.user_tasks_ids(current_user.id, include_done=done), cap=queries.TASKS_COUNTED)
    return render_template("activities/tasks.html", rows=queries.task_rows(page.items), page=page,
                           centre=centre, today=today())


@bp.route("/opgaver/ny/<int:company_id>", methods=["GET", "POST"])
@access("user")
def task_new(company_id: int):
    s = db_session()
    company = get_or_404(Company, company_id)
    form = TaskForm()
    del form.version
    _company_choices(s, company, form)
    if request.method == "GET":
        form.assignee.data = current_user.id
        form.job_order.data = request.args.get("job_order", type=int)
    if request.method == "POST" and form.validate():
        try:
            task = services.create_task(
                s, title=form.title.data, due=form.due.data, creator=current_user, company=company,
                assignee=s.get(User, form.assignee.data) if form.assignee.data else current_user,
                job_order=form.job_order.data)
        except DomainError as exc:
            form.show_error(exc, "title")
        else:
            flash(_("Opgaven er oprettet."), "success")
            return redirect(url_for(".task", task_id=task.id))
    status = 400 if request.method == "POST" else 200
    return render_template("activities/task_form.html", form=form, company=company), status


def _task_page(task: Task, *, status: int = 200, **forms):
    """The task with its forms; a form that was just refused comes back with its input and errors."""
    s = db_session()
    company = s.get(Company, task.company_id)
    edit = forms.get("edit") or TaskForm(formdata=None, obj=task)
    del edit.job_order, edit.assignee
    reassign = forms.get("reassign") or ReassignForm(formdata=None, assignee=task.assignee_id, version=task.version)
    _company_choices(s, company, reassign)
    done = forms.get("done") or CompleteTaskForm(formdata=None, version=task.version)
    reopen = VersionOnlyForm(formdata=None, version=task.version)
    names = dict(s.execute(sa.select(User.id, User.name).where(
        User.id.in_([i for i in (task.assignee_id, task.creator_id, task.done_by_id) if i]))).all())
    return render_template(
        "activities/task.html", task=task, company=company, names=names, today=today(),
        order=s.get(JobOrder, task.job_order_id) if task.job_order_id else None,
        may_change=policy.may_change_task(current_user, task, company), stale=forms.get("stale"),
        edit=edit, reassign=reassign, done=done, reopen=reopen), status


def _task_action(task_id: int, form_cls, key: str, work):
    """POST one task form: refuse another centre (403), a stale version (409), bad input (400)."""
    s = db_session()
    task = get_or_404(Task, task_id)
    policy.ensure_may_change_task(current_user, task, s.get(Company, task.company_id))
    form = form_cls()
    if key == "reassign":
        _company_choices(s, s.get(Company, task.company_id), form)
    if key == "edit":
        del form.assignee, form.job_order
    if form.validate():
        try:
            message = work(s, task, form)
        except StaleObjectError as exc:
            return _task_page(get_or_404(Task, task_id), status=409, stale=exc.message)
        except DomainError as exc:
            visible = [n for n in form._fields if n not in ("csrf_token", "version")]
            if not visible:  # nothing to put it next to: said at the top of the task
                flash(exc.message, "error")
                return redirect(url_for(".task", task_id=task.id))
            form.show_error(exc, visible[0])
        else:
            flash(message, "success")
            return redirect(url_for(".task", task_id=task.id))
    return _task_page(task, status=400, **{key: form})


@bp.route("/opgaver/<int:task_id>", methods=["GET", "POST"])
@access("user")
def task(task_id: int):
    if request.method == "GET":
        return _task_page(get_or_404(Task, task_id))

    def work(s, task, form):
        services.update_task(s, task, by=current_user, title=form.title.data, due=form.due.data,
                             version=form.version.data)
        return _("Opgaven er gemt.")
    return _task_action(task_id, TaskForm, "edit", work)


@bp.post("/opgaver/<int:task_id>/udfoert")
@access("user")
def task_done(task_id: int):
    def work(s, task, form):
        services.complete_task(s, task, by=current_user, note=form.note.data, version=form.version.data)
        return _("Opgaven er udført.")
    return _task_action(task_id, CompleteTaskForm, "done", work)


@bp.post("/opgaver/<int:task_id>/genaabn")
@access("user")
def task_reopen(task_id: int):
    def work(s, task, form):
        services.reopen_task(s, task, by=current_user, version=form.version.data)
        return _("Opgaven er åbnet igen.")
    return _task_action(task_id, VersionOnlyForm, "reopen", work)


@bp.post("/opgaver/<int:task_id>/giv-videre")
@access("user")
def task_reassign(task_id: int):
    def work(s, task, form):
        services.reassign_task(s, task, by=current_user, assignee=form.assignee.data, version=form.version.data)
        return _("Opgaven er givet videre.")
    return _task_action(task_id, ReassignForm, "reassign", work)

