"""Who may do what to an agreement: the one place for the rule, asked by the services and the views.

The company's lead centre makes its agreements and may name another centre to coordinate one;
the lead centre and the coordinating centre then change it; deleting one is for a coordinator
of either. The steering group may do all of it; ``user`` None is NRS itself.
"""

from __future__ import annotations

from flask_babel import gettext as _

from nrs.auth.models import Role
from nrs.companies import policy as company_policy
from nrs.errors import Forbidden
from nrs.security import can_change_centre, has_role


def may_create(user, company) -> bool:
    """The company's lead centre (a company without a lead: a coordinator), as for the company."""
    return company_policy.may_change(user, company)


def may_change(user, agreement, company) -> bool:
    """Staff of the company's lead centre or of the agreement's coordinating centre."""
    return (user is None or can_change_centre(user, company.lead_centre_id)
            or can_change_centre(user, agreement.coordinating_centre_id))


def may_delete(user, agreement, company) -> bool:
    return user is None or (has_role(user, Role.coordinator) and may_change(user, agreement, company))


def ensure_may_create(user, company) -> None:
    if not may_create(user, company):
        raise Forbidden(_("Kun virksomhedens ledende jobcenter kan indgå aftaler med den."))


def ensure_may_change(user, agreement, company) -> None:
    if not may_change(user, agreement, company):
        raise Forbidden(_("Kun virksomhedens ledende jobcenter og aftalens tovholder kan ændre aftalen."))


def ensure_may_delete(user, agreement, company) -> None:
    if not may_delete(user, agreement, company):
        raise Forbidden(_("Kun en koordinator i virksomhedens ledende jobcenter eller hos tovholderen kan "
                          "slette aftalen."))
