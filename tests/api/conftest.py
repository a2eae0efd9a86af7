from __future__ import annotations

import pytest

from nrs.api import tokens


@pytest.fixture
def make_key(session, centre_by_code):
    """``make_key(name, centre=217, referrals=True)``: a usable key (its secret)."""

    def make(name: str = "dwh", *, centre: int | None = None, referrals: bool = False, days: int | None = None):
        scope = centre_by_code(centre).id if centre else None
        _token, key = tokens.create(session, name=name, centre_id=scope, referrals=referrals, days=days)
        session.commit()
        return key

    return make


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def error_of(response, status: int) -> str:
    """The JSON error's message, after checking its status and shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["status"] == status
    return body["error"]["message"]
