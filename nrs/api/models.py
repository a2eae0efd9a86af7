from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from nrs.clock import utcnow


class ApiToken(SQLModel, table=True):
    """One integration's key to the API: a name, an optional centre scope, an expiry.

    Only the SHA-256 of the key is stored. The key is 32 random bytes, so nobody can guess it from
    its hash whatever the hash's speed; a slow password hash would only cost every API call the
    time it costs a login, and a fast exact hash lets the key be found by an indexed look-up.
    """

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    #: Hex SHA-256 of the key.
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    #: The key's first characters, so an operator can tell which key an integration holds.
    prefix: str = Field(max_length=12)
    #: Only this centre's companies, orders, agreements and campaign targets; null = all nine.
    job_centre_id: int | None = Field(default=None, foreign_key="job_centres.id")
    #: May read referral data (personal data about citizens): the orders' referrals.
    referrals: bool = Field(default=False)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None)
    last_used_at: datetime | None = Field(default=None)
    #: The rate limit's fixed window (minutes since the epoch) and the calls made in it.
    rate_window: int = Field(default=0)
    rate_calls: int = Field(default=0)
