"""Scheduled work: the nightly refresh of every running campaign (02:00 Europe/Copenhagen)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from nrs.campaigns import services
from nrs.campaigns.queries import running_campaigns
from nrs.config import Settings


def refresh_running_campaigns(session: Session, *, now: datetime,
                              settings: Settings) -> dict[int, services.RefreshResult]:
    """Refresh each running campaign's target list, so the night's imports show up in the morning.

    Idempotent: a second run with no new company data adds and flags nothing.
    """
    return {c.id: services.build_campaign(session, c, now=now) for c in running_campaigns(session)}
