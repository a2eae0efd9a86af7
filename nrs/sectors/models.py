from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.locking import VERSIONED


class FocusSector(SQLModel, table=True):
    """A year's focus sector (fokusbranche): a name and the DB07 code prefixes it covers."""

    __tablename__ = "focus_sectors"
    __table_args__ = (sa.UniqueConstraint("year", "name", name="uq_focus_sectors_year_name"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    name: str = Field(max_length=120)
    #: Comma-separated prefixes of 2 to 6 digits, e.g. ``41,42,43``.
    codes: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    #: Retired (trukket tilbage): kept for history and the campaigns that use it, offered for nothing new.
    retired_at: datetime | None = Field(default=None)
    version: int = Field(default=1)
    __mapper_args__ = VERSIONED  # optimistic locking, see nrs.locking

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    @property
    def prefixes(self) -> list[str]:
        return [c for c in self.codes.split(",") if c]
