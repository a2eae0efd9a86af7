"""Front-page panel: agreements that end within 60 days, shown to their coordinating centre."""

from __future__ import annotations

from nrs.agreements import queries
from nrs.auth.models import Role
from nrs.clock import today
from nrs.security import has_role

#: How many the panel lists; the rest are counted and one click away (the list, filtered).
SHOWN = 10


def panel(session, user):
    centre_id = None if has_role(user, Role.admin) else user.job_centre_id
    day = today()
    rows = queries.ending_soon(session, today=day, centre_id=centre_id, limit=SHOWN + 1)
    if not rows:
        return None
    count = len(rows) if len(rows) <= SHOWN else queries.count_ending_soon(session, today=day, centre_id=centre_id)
    return "agreements/_panel.html", {"rows": rows[:SHOWN], "count": count, "centre_id": centre_id,
                                      "days": queries.ENDING_SOON_DAYS, "all_centres": centre_id is None}
