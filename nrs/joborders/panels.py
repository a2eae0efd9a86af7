"""Front-page panel: the other centres' orders that ask for candidates from the user's centre."""

from __future__ import annotations

from nrs.joborders.queries import help_wanted

SHOWN = 5


def panel(session, user):
    rows = help_wanted(session, user.job_centre_id)
    if not rows:
        return None
    return "joborders/_panel.html", {"rows": rows[:SHOWN], "count": len(rows)}
