"""Front-page panels: the other centres' orders that ask for candidates from the user's centre; the
user's centre's orders past their referral deadline."""

from __future__ import annotations

from nrs.clock import today
from nrs.joborders.deadlines import count_past_deadline, past_deadline
from nrs.joborders.queries import help_wanted

SHOWN = 5


def panel(session, user):
    rows = help_wanted(session, user.job_centre_id)
    if not rows:
        return None
    return "joborders/_panel.html", {"rows": rows[:SHOWN], "count": len(rows)}


def deadline_panel(session, user):
    day = today()
    rows = past_deadline(session, user.job_centre_id, day, limit=SHOWN)
    if not rows:
        return None
    count = len(rows) if len(rows) < SHOWN else count_past_deadline(session, user.job_centre_id, day)
    return "joborders/_deadline_panel.html", {"rows": rows, "count": count, "centre_id": user.job_centre_id}
