"""Who may do what to an enquiry: the one place for the rule, asked by the services and the views.

Any member of staff logs an enquiry for any company (the Allerød desk takes a call for a Hillerød
company) and may read every enquiry. The lead centre's staff work it: take, answer, close,
convert. The coordinators' queue (no lead centre) is worked by any coordinator. Re-routing is for
a coordinator of the current lead centre, or any coordinator in the coordinators' queue. The
steering group may do all of it; ``user`` None is NRS itself.
"""

from __future__ import annotations

from flask_babel import gettext as _

from nrs.auth.models import Role
from nrs.errors import Forbidden
from nrs.security import can_change_centre, has_role


def may_work(user, enquiry) -> bool:
    if user is None:
        return True
    if enquiry.lead_centre_id is None:
        return has_role(user, Role.coordinator)
    return can_change_centre(user, enquiry.lead_centre_id)


def may_reroute(user, enquiry) -> bool:
    if user is None or has_role(user, Role.admin):
        return True
    return has_role(user, Role.coordinator) and enquiry.lead_centre_id in (None, user.job_centre_id)


def ensure_may_work(user, enquiry) -> None:
    if not may_work(user, enquiry):
        raise Forbidden(_("Kun det ansvarlige jobcenter kan arbejde med henvendelsen."))


def ensure_may_reroute(user, enquiry) -> None:
    if not may_reroute(user, enquiry):
        raise Forbidden(_("Kun en koordinator i det ansvarlige jobcenter kan sende henvendelsen videre."))
