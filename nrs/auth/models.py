from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Field, SQLModel

from nrs.clock import utcnow
from nrs.db import enum_type
from nrs.enums import LabelledEnum, enum_check


class Role(LabelledEnum):
    staff = "staff", _l("Virksomhedskonsulent")
    coordinator = "coordinator", _l("Koordinator")
    admin = "admin", _l("Styregruppe (administrator)")


class User(SQLModel, table=True):
    """A member of staff at one of the job centres (or the steering group)."""

    __tablename__ = "users"
    __table_args__ = (enum_check("role", Role),)

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
    #: Set when an admin sets the password: the user must choose their own at the next login.
    must_change_password: bool = Field(default=False)
    #: The TOTP secret (RFC 6238) once enrolment is confirmed, sealed with a key derived from
    #: NRS_SECRET_KEY (``nrs.auth.totp.seal``); None without a second factor.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = Field(default=None)
    #: The time step of the last accepted code: a code is accepted once (no replay).
    totp_last_step: int | None = Field(default=None)
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

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None


class RecoveryCode(SQLModel, table=True):
    """One of a user's ten single-use TOTP recovery codes, stored as a SHA-256 hash.

    The codes are 80 random bits, so a fast hash is enough (no dictionary to try); argon2 on ten
    codes per attempt would cost seconds.
    """

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    used_at: datetime | None = Field(default=None)


class SsoIdentity(SQLModel, table=True):
    """An account at an OIDC provider (issuer + subject) linked to an NRS user at first login."""

    __tablename__ = "sso_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    issuer: str = Field(max_length=400)
    subject: str = Field(max_length=255)
    linked_at: datetime = Field(default_factory=utcnow)


class LoginThrottle(SQLModel, table=True):
    """Guessing counters in the database, so every worker sees the same count (nrs/auth/throttle.py)."""

    __tablename__ = "login_throttles"

    #: ``pair:<email>|<address>``, ``account:<email>`` or ``address:<address>``.
    key: str = Field(primary_key=True, max_length=400)
    failures: int = Field(default=0)
    last_failure_at: datetime | None = Field(default=None)
    #: On pair rows: the last successful login of that account from that address.
    last_success_at: datetime | None = Field(default=None)
