"""Pages that correct what was registered in error: cancel or restore an order, withdraw a referral.

Each is a page of its own (GET) with the reason and a confirm box, then the POST: a confirmation
step that needs no JavaScript. The rules are ``nrs.joborders.corrections`` and ``policy``.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nrs.db import db_session, get_or_404
from nrs.errors import DomainError, StaleObjectError
from nrs.joborders import corrections, policy
from nrs.joborders.forms import CorrectionForm, WithdrawReferralForm
from nrs.joborders.models import JobOrder, Referral
from nrs.security import access

bp = Blueprint("jobordercorrections", __name__, url_prefix="/jobordrer")


def _order_step(order_id: int, *, restoring: bool):
    order = get_or_404(JobOrder, order_id)
    policy.ensure_may_cancel(current_user, order)
    form = CorrectionForm()
    if request.method == "GET":
        form.version.data = order.version
    elif form.validate():
        do = corrections.restore_order if restoring else corrections.cancel_order
        try:
            do(db_session(), order, by=current_user, expected_version=form.version.data, reason=form.reason.data)
        except (DomainError, StaleObjectError) as exc:
            form.show_error(exc, "reason")
        else:
            flash(_("Jobordren er gendannet.") if restoring else _("Jobordren er annulleret."), "success")
            return redirect(url_for("joborders.detail", order_id=order.id))
    status = 400 if request.method == "POST" else 200
    return render_template("joborders/correction.html", form=form, order=order, restoring=restoring,
                           referral=None), status


@bp.route("/<int:order_id>/annuller", methods=["GET", "POST"])
@access("coordinator")
def cancel(order_id: int):
    return _order_step(order_id, restoring=False)


@bp.route("/<int:order_id>/gendan", methods=["GET", "POST"])
@access("coordinator")
def restore(order_id: int):
    return _order_step(order_id, restoring=True)


@bp.route("/<int:order_id>/henvisninger/<int:referral_id>/tilbagetraek", methods=["GET", "POST"])
@access("user")
def withdraw_referral(order_id: int, referral_id: int):
    referral = get_or_404(Referral, referral_id)
    if referral.job_order_id != order_id:
        abort(404)
    policy.ensure_may_withdraw_referral(current_user, referral)
    form = WithdrawReferralForm()
    if request.method == "POST" and form.validate():
        try:
            corrections.withdraw_referral(db_session(), referral, by=current_user, reason=form.reason.data)
        except DomainError as exc:
            form.show_error(exc, "reason")
        else:
            flash(_("Henvisningen er trukket tilbage."), "success")
            return redirect(url_for("joborders.detail", order_id=order_id))
    status = 400 if request.method == "POST" else 200
    return render_template("joborders/correction.html", form=form, order=db_session().get(JobOrder, order_id),
                           restoring=False, referral=referral), status
