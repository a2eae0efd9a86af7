"""Who may do what to a job order: the one place for the rule, asked by the services and the views.

Any centre refers candidates; the lead centre's staff work the order; the lead centre's
coordinator reopens a closed one; the steering group may do all of it. ``user`` None is NRS itself.
"""

from __future__ import annotations

from flask_babel import gettext as _

from nrs.auth.models import Role
from nrs.errors import Forbidden
from nrs.security import can_change_centre, has_role


def may_work(user, order) -> bool:
    """Edit, pause, close, ask for help: the lead centre's staff."""
    return user is None or can_change_centre(user, order.lead_centre_id)


def may_reopen(user, order) -> bool:
    """Reopening a closed order is for a coordinator of its lead centre (or the steering group)."""
    return user is None or (has_role(user, Role.coordinator) and can_change_centre(user, order.lead_centre_id))


def may_change_referral(user, referral, order) -> bool:
    """The centre that referred the candidate, or the order's lead centre."""
    return user is None or can_change_centre(user, referral.referring_centre_id) or may_work(user, order)


def ensure_may_work(user, order) -> None:
    if not may_work(user, order):
        raise Forbidden(_("Kun det ansvarlige jobcenters medarbejdere kan ændre eller lukke jobordren."))


def ensure_may_reopen(user, order) -> None:
    if not may_reopen(user, order):
        raise Forbidden(_("Kun en koordinator i det ansvarlige jobcenter kan genåbne en lukket jobordre."))


def ensure_may_change_referral(user, referral, order) -> None:
    if not may_change_referral(user, referral, order):
        raise Forbidden(_("Kun det henvisende eller det ansvarlige jobcenter kan ændre henvisningen."))


def may_cancel(user, order) -> bool:
    """Cancelling an order registered in error (and restoring it): a coordinator of its lead centre."""
    return may_reopen(user, order)


def may_withdraw_referral(user, referral) -> bool:
    """A referral registered in error is withdrawn by its own (the referring) centre."""
    return user is None or can_change_centre(user, referral.referring_centre_id)


def ensure_may_cancel(user, order) -> None:
    if not may_cancel(user, order):
        raise Forbidden(_("Kun en koordinator i det ansvarlige jobcenter kan annullere eller gendanne jobordren."))


def ensure_may_withdraw_referral(user, referral) -> None:
    if not may_withdraw_referral(user, referral):
        raise Forbidden(_("Kun det henvisende jobcenter kan trække henvisningen tilbage."))
