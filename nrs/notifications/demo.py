"""Demo notifications: the daily scans run once over the demo data (orders logged by another
centre, help requests and tasks given by others notify as they are made)."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from nrs.clock import utcnow
from nrs.notifications.jobs import agreements_ending, tasks_due


def load(session: Session, *, rng) -> None:
    now = utcnow()
    settings = current_app.config["NRS"]
    agreements_ending(session, now=now, settings=settings)
    tasks_due(session, now=now, settings=settings)
