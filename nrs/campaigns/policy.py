"""Who may do what in campaigns: the one place for the rule, asked by the services and the views.

Coordinators build and run campaigns; each target is worked by the staff of its lead centre;
a target without a lead waits for a coordinator, and only the lead centre's coordinator moves a
target to another centre. The steering group may do all of it; ``user`` None is NRS itself.
"""

from __future__ import annotations

from flask_babel import gettext as _

from nrs.auth.models import Role
from nrs.errors import Forbidden
from nrs.security import can_change_centre, has_role


def may_manage(user) -> bool:
    """Create, build, start and end campaigns."""
    return user is None or has_role(user, Role.coordinator)


def may_work_target(user, target) -> bool:
    """Staff of the target's lead centre work it; the steering group may work any."""
    return user is None or can_change_centre(user, target.lead_centre_id)


def may_remove_target(user, target) -> bool:
    """Take a target off the list (or back): its lead centre, or a coordinator while it has none."""
    if target.lead_centre_id is None:
        return may_manage(user)
    return may_work_target(user, target)


def may_assign_lead(user, target) -> bool:
    """Give a target a lead centre: the current lead centre's coordinator, any for a target without."""
    if user is None or has_role(user, Role.admin):
        return True
    return has_role(user, Role.coordinator) and target.lead_centre_id in (None, user.job_centre_id)


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_("Du kan kun arbejde med virksomheder, som dit jobcenter har kontakten til."))


def ensure_may_work_target(user, target) -> None:
    _ensure(may_work_target(user, target))


def ensure_may_remove_target(user, target) -> None:
    _ensure(may_remove_target(user, target))


def ensure_may_assign_lead(user, target) -> None:
    if not may_assign_lead(user, target):
        raise Forbidden(_("Kun en koordinator i virksomhedens ansvarlige jobcenter kan give den til et andet "
                          "jobcenter."))


def ensure_may_manage(user) -> None:
    if not may_manage(user):
        raise Forbidden(_("Kun en koordinator kan oprette og opdatere kampagner."))
