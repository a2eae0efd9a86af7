"""My notifications (list, mark read, settings), my Monday mail in the browser, and unsubscribing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nrs.auth.models import User
from nrs.clock import utcnow
from nrs.db import db_session
from nrs.notifications import services, unsubscribe
from nrs.notifications.forms import SettingsForm
from nrs.notifications.models import NotificationKind
from nrs.paging import paginate
from nrs.reports import weekly
from nrs.security import access, csrf

bp = Blueprint("notifications", __name__, url_prefix="/notifikationer")
unsubscribe_bp = Blueprint("unsubscribe", __name__, url_prefix="/afmeld")
bp.record_once(lambda state: services.remember_app(state.app))


@bp.app_context_processor
def _header_count():
    """``unread_notifications()`` for the header: one COUNT, only where the template asks."""
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(db_session(), current_user)
    return {"unread_notifications": unread_notifications}


@bp.get("/")
@access("user")
def index():
    s = db_session()
    unread_only = request.args.get("vis") == "ulaeste"
    page = paginate(s, services.list_for(s, current_user, unread_only=unread_only), per_page=50, scalars=True)
    return render_template("notifications/index.html", page=page, unread_only=unread_only)


@bp.post("/laest")
@access("user")
def mark_read():
    raw = request.form.get("id", "").strip()
    if raw and not raw.isdigit():
        abort(400, _("Ukendt notifikation."))
    count = services.mark_read(db_session(), current_user, int(raw) if raw else None)
    if not raw:
        flash(_("%(n)d notifikationer markeret som læst.", n=count), "success")
    return redirect(url_for(".index", vis=request.form.get("vis") or None))


@bp.route("/indstillinger", methods=["GET", "POST"])
@access("user")
def settings():
    s = db_session()
    current = services.settings_of(s, current_user)
    form = SettingsForm(data={**{k.value: current[k].value for k in NotificationKind},
                              "weekly_email": current_user.weekly_email})
    if request.method == "POST":
        form = SettingsForm()
        if not form.validate():
            return render_template("notifications/settings.html", form=form), 400
        services.save_settings(s, current_user, {k: form[k.value].data for k in NotificationKind})
        user = s.get(User, current_user.id)
        user.weekly_email = bool(form.weekly_email.data)
        user.updated_at = utcnow()
        s.add(user)
        flash(_("Dine indstillinger er gemt."), "success")
        return redirect(url_for(".settings"))
    return render_template("notifications/settings.html", form=form)


@bp.get("/ugemail")
@access("user")
def weekly_preview():
    """The user's own Monday mail for a week, as it would be sent (nothing is queued)."""
    s = db_session()
    raw = request.args.get("uge", "").strip()
    try:
        week = weekly.parse_week(raw) if raw else weekly.previous_week(utcnow())
        weekly.ensure_not_future(week, utcnow())
    except ValueError as exc:
        return render_template("notifications/weekly.html", error=str(exc), raw=raw, message=None), 400
    message = weekly.render_one(s, current_user, week=week)
    if request.args.get("format") == "html":
        return message.html
    return render_template("notifications/weekly.html", message=message, week=week, raw=str(week),
                           error=None)


@unsubscribe_bp.route("/<token>", methods=["GET", "POST"])
@access("public")
@csrf.exempt
def unsubscribe_view(token: str):
    """GET asks (a link scanner must not unsubscribe anyone); POST does it, in one click (RFC 8058)."""
    s = db_session()
    found = unsubscribe.read(token)
    user = s.get(User, found[0]) if found else None
    if user is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 400
    scope = found[1]
    if request.method == "POST":
        unsubscribe.apply(s, user, scope, current=services.settings_of(s, user))
        return render_template("notifications/unsubscribe.html", done=True, what=unsubscribe.describe(scope),
                               user=user)
    return render_template("notifications/unsubscribe.html", done=False, what=unsubscribe.describe(scope),
                           user=user, token=token)
