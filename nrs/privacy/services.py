"""Writes for personal data: the access log."""

from __future__ import annotations

from sqlmodel import Session

from nrs.privacy.models import AccessLogEntry

ACTIONS = frozenset({"read", "search", "create", "update", "export", "delete"})


def log_access(
    session: Session,
    *,
    user,
    action: str,
    entity_type: str,
    entity_id=None,
    criterion: str = "",
    purpose: str = "",
) -> AccessLogEntry:
    """Record one use of referral data: who, when (UTC), what, which order or criterion, why."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    entry = AccessLogEntry(
        user_id=getattr(user, "id", user),
        job_centre_id=getattr(user, "job_centre_id", None),
        action=action,
        entity_type=entity_type,
        entity_id="" if entity_id is None else str(entity_id),
        criterion=(criterion or "")[:500],
        purpose=(purpose or "")[:200],
    )
    session.add(entry)
    return entry
