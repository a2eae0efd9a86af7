from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from sqlmodel import Session

from nrs.audit.models import AuditEvent


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(obj, values: dict) -> dict:
    """The ``{field: [before, after]}`` of the values that really change ``obj``."""
    return {
        key: [_plain(getattr(obj, key)), _plain(new)]
        for key, new in values.items()
        if getattr(obj, key) != new
    }


def apply_changes(obj, values: dict) -> dict:
    """Set ``values`` on ``obj`` and return what changed, ready for ``record``."""
    changes = diff(obj, values)
    for key in changes:
        setattr(obj, key, values[key])
    return changes


def record(
    session: Session,
    *,
    by,
    entity: str,
    entity_id,
    action: str,
    changes: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit event. ``by`` is a User, a user id, or None for the system."""
    user_id = getattr(by, "id", by)
    event = AuditEvent(
        user_id=user_id,
        entity_type=entity,
        entity_id=str(entity_id),
        action=action,
        changes={k: [_plain(x) for x in v] if isinstance(v, list | tuple) else _plain(v)
                 for k, v in (changes or {}).items()},
        note=note[:500],
    )
    session.add(event)
    return event
