"""The steering group's view of the outbox: what failed, why, and a button to send it again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import func, select

from nrs.db import db_session, get_or_404
from nrs.errors import DomainError
from nrs.mail import services
from nrs.mail.models import OutboxMessage, OutboxStatus
from nrs.paging import paginate
from nrs.security import access

bp = Blueprint("mail", __name__, url_prefix="/admin/udbakke")


@bp.get("/")
@access("admin")
def outbox():
    s = db_session()
    status = request.args.get("status", "failed")
    stmt = select(OutboxMessage)
    if status in OutboxStatus.__members__:
        stmt = stmt.where(OutboxMessage.status == OutboxStatus(status))
    else:
        status = ""
    counts = dict(s.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    page = paginate(s, stmt.order_by(OutboxMessage.id.desc()), per_page=50, scalars=True)
    return render_template("mail/outbox.html", page=page, status=status, counts=counts,
                           statuses=list(OutboxStatus))


@bp.post("/<int:message_id>/send-igen")
@access("admin")
def resend(message_id: int):
    message = get_or_404(OutboxMessage, message_id)
    try:
        services.resend(db_session(), message, by=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Beskeden til %(to)s sendes igen inden for et minut.", to=message.recipient),
              "success")
    return redirect(url_for(".outbox", status=request.form.get("status", "failed")))
