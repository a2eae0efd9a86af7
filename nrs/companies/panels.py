"""Front-page panel: companies without a lead (one click away), and for a coordinator the
centre's companies that need a new contact person after their lead changed."""

from __future__ import annotations

from nrs.auth.models import Role
from nrs.companies import queries
from nrs.security import has_role


def panel(session, user):
    without_lead = queries.without_lead_count(session)
    needing, needing_total = [], 0
    if has_role(user, Role.coordinator):
        needing, needing_total = queries.needing_contact(session, user.job_centre_id)
    if not without_lead and not needing_total:
        return None
    return "companies/_panel.html", {"without_lead": without_lead, "needing": needing,
                                     "needing_total": needing_total, "centre_id": user.job_centre_id}
