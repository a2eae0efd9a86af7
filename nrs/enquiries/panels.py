"""Front-page panel: the user's centre's open enquiries, the overdue ones first, and the user's own."""

from __future__ import annotations

from flask import current_app

from nrs.clock import today
from nrs.enquiries import queries


def panel(session, user):
    rows = queries.queue(session, user.job_centre_id, today=today(),
                         working_days=current_app.config["NRS"].enquiry_response_working_days)
    if not rows:
        return None
    rows.sort(key=lambda r: (not r.overdue, r.enquiry.taken_by_id != user.id))
    return "enquiries/_panel.html", {"rows": rows[:10], "total": len(rows),
                                     "overdue": sum(r.overdue for r in rows)}
