"""Front-page panels: the other centres' orders that ask for candidates from the user's centre; the
user's centre's orders past their referral deadline."""

from __future__ import annotations

from nrs.clock import today
from nrs.joborders.deadlines import past_deadline
from nrs.joborders.queries import help_wanted

SHOWN = 5


def panel(session, user):
    rows = help_wanted(session, user.job_centre_id)
    if not rows:
        return None
    return "joborders/_panel.html", {"rows": rows[:SHOWN], "count": len(rows)}


def deadline_panel(session, user):
    rows = past_deadline(session, user.job_centre_id, today())
    if not rows:
        return None
    return "joborders/_deadline_panel.html", {"rows": rows[:SHOWN], "count": len(rows),
                                              "centre_id": user.job_centre_id}
