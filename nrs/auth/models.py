from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type


class Role(StrEnum):
    staff = "staff"
    coordinator = "coordinator"
    admin = "admin"

    @property
    def label(self) -> str:
        return {
            "staff": _l("Virksomhedskonsulent"),
            "coordinator": _l("Koordinator"),
            "admin": _l("Styregruppe (administrator)"),
        }[self.value]


class User(SQLModel, table=True):
    """A member of staff at one of the job centres (or the steering group)."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    #: Always stored lower-case so that look-ups are exact.
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=120)
    job_centre_id: int = Field(foreign_key="job_centres.id", index=True)
    role: Role = Field(sa_type=enum_type(Role), default=Role.staff)
    active: bool = Field(default=True)
    password_hash: str = Field(max_length=255)
    weekly_email: bool = Field(default=True)
    #: Bumped on logout, password change and deactivation: every older session cookie dies.
    session_version: int = Field(default=1)
    locale: str = Field(default="da", max_length=5)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}


class LoginThrottle(SQLModel, table=True):
    """Failed-login counters in the database, so every worker process sees the same count."""

    __tablename__ = "login_throttles"

    #: ``account:<email>`` or ``address:<ip>``.
    key: str = Field(primary_key=True, max_length=300)
    failures: int = Field(default=0)
    first_failure_at: datetime = Field(default_factory=utcnow)
    blocked_until: datetime | None = Field(default=None)
