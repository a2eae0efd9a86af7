"""Front page: how far the user's centre has come with each running campaign."""

from __future__ import annotations

from nrs.campaigns import queries
from nrs.campaigns.queries import centre_progress_in_running


def panel(session, user):
    rows = centre_progress_in_running(session, user.job_centre_id)
    if not rows:
        return None
    return "campaigns/panel.html", {"rows": rows}


def call_backs(session, user, *, today, centre_wide: bool):
    """"Mit arbejde": campaign targets whose call-back is due, the caller's own (a coordinator: the centre's)."""
    rows = queries.call_backs_due(session, today=today, **(
        {"centre_id": user.job_centre_id} if centre_wide else {"user_id": user.id}))
    if not rows:
        return None
    return "campaigns/_call_backs.html", {"rows": rows, "centre_wide": centre_wide, "today": today}
