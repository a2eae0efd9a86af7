"""Scheduled entry points of the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from nrs.config import Settings
from nrs.mail.services import send_due


def send_outbox(engine: Engine, *, now: datetime, settings: Settings) -> None:
    """Every minute: send what is due, including retries whose back-off has run out."""
    while send_due(engine, now=now, settings=settings, limit=100).claimed == 100:
        pass
