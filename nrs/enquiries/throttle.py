"""/kontakt is open to anyone: each client address may post it a few times an hour.

The counter is the login throttle's (``nrs.auth.throttle``): one row in ``login_throttles`` per
address, key ``kontakt:<address>``, raised by the same atomic upsert, forgotten an hour after the
last post. It is committed before the form is read, so a refused or invalid post counts too and
fifty posts at once get places 1…50 of which only the first ``limit`` pass.
"""

from __future__ import annotations

from sqlmodel import Session

from nrs.auth.throttle import _add_failure as count
from nrs.clock import utcnow
from nrs.db import begin_write


def allow(session: Session, address: str, *, limit: int) -> bool:
    """Count this post from ``address``; whether it is within ``limit`` for the hour. Commits."""
    begin_write(session)
    place = count(session, f"kontakt:{address}", utcnow())
    session.commit()
    return place <= limit
