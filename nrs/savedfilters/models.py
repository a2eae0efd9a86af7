"""One row per user and list: the filters the user last chose there."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from nrs.clock import utcnow


class SavedFilter(SQLModel, table=True):
    """The query string of a list's filters (paging left out), as the user last sent it."""

    __tablename__ = "saved_filters"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    #: The list's endpoint, e.g. ``joborders.index``.
    list_name: str = Field(primary_key=True, max_length=60)
    query: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)
