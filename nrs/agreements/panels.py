"""Front-page panel: agreements that end within 60 days, shown to their coordinating centre."""

from __future__ import annotations

from nrs.agreements import queries
from nrs.auth.models import Role
from nrs.clock import today
from nrs.security import has_role


def panel(session, user):
    centre_id = None if has_role(user, Role.admin) else user.job_centre_id
    rows = queries.ending_soon(session, today=today(), centre_id=centre_id)
    if not rows:
        return None
    return "agreements/_panel.html", {"rows": rows, "days": queries.ENDING_SOON_DAYS, "all_centres": centre_id is None}
