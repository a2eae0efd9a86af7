from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow


class AuditEvent(SQLModel, table=True):
    """One create, update, delete or state change, written by the service that made it."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    #: Null for the system itself (imports from the CLI, scheduled jobs).
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    action: str = Field(max_length=40)
    #: ``{"field": [before, after], ...}``; on create only the after values.
    changes: dict = Field(default_factory=dict, sa_type=sa.JSON)
    note: str = Field(default="", max_length=500)
