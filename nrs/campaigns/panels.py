"""Front page: how far the user's centre has come with each running campaign."""

from __future__ import annotations

from nrs.campaigns.queries import centre_progress_in_running


def panel(session, user):
    rows = centre_progress_in_running(session, user.job_centre_id)
    if not rows:
        return None
    return "campaigns/panel.html", {"rows": rows}
