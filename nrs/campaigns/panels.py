"""Front page: how far the user's centre has come with each running campaign."""

from __future__ import annotations

from nrs.campaigns.queries import progress_by_centre, running_campaigns


def panel(session, user):
    rows = []
    for campaign in running_campaigns(session):
        progress = progress_by_centre(session, campaign.id, centre_id=user.job_centre_id)
        rows.append((campaign, progress[0] if progress else None))
    if not rows:
        return None
    return "campaigns/panel.html", {"rows": rows}
