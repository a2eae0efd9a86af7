"""Who may change a company: the one place for the rule, asked by the services and the views.

``user`` None is NRS itself (an import, a job, demo data) and may do anything.
"""

from __future__ import annotations

from flask_babel import gettext as _

from nrs.auth.models import Role
from nrs.errors import Forbidden
from nrs.security import can_change_centre, has_role


def may_change(user, company) -> bool:
    """Staff change their own centre's companies; a company without a lead waits for a coordinator."""
    if user is None:
        return True
    if company.lead_centre_id is None:
        return has_role(user, Role.coordinator)
    return can_change_centre(user, company.lead_centre_id)


def may_override(user, company) -> bool:
    """The lead centre's coordinator (or any, for a company without a lead) and the steering group."""
    if user is None or has_role(user, Role.admin):
        return True
    return has_role(user, Role.coordinator) and company.lead_centre_id in (None, user.job_centre_id)


def ensure_may_change(user, company) -> None:
    if not may_change(user, company):
        raise Forbidden(_("Kun medarbejdere i virksomhedens ledende jobcenter kan ændre virksomheden."))


def ensure_may_override(user, company) -> None:
    if not may_override(user, company):
        raise Forbidden(_("Kun en koordinator i virksomhedens ledende jobcenter kan ændre det ledende jobcenter."))
