"""Remembering a list's filters per user, server-side.

Stored in a table (not the session cookie) so they outlive the 30-minute idle logout and follow
the user to another device. The page budget is kept: opening a list bare costs one primary-key
read; a filtered list writes only when its filters differ from the last ones saved (the session
holds a digest of those), in a short transaction of its own like the access log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from flask import redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from nrs import storedtext
from nrs.clock import utcnow
from nrs.db import db_session, write_apart
from nrs.savedfilters.models import SavedFilter

#: The query parameter of the "Nulstil filtre" link, and the one a restored list carries.
RESET, RESTORED = "reset", "gemt"

_table = SavedFilter.__table__


def load(session_: Session, user_id: int, list_name: str) -> dict[str, str]:
    row = session_.get(SavedFilter, (user_id, list_name))
    return dict(parse_qsl(row.query)) if row is not None else {}


def save(session_: Session, user_id: int, list_name: str, values: dict[str, str]) -> None:
    """Store (or, for no filters, forget) the user's filters of one list."""
    if not values:
        forget(session_, user_id, list_name)
        return
    query = urlencode(sorted(values.items()))[:2000]
    insert = (postgresql if session_.get_bind().dialect.name == "postgresql" else sqlite).insert(_table)
    now = utcnow()
    session_.execute(insert.values(user_id=user_id, list_name=list_name, query=query, updated_at=now)
                     .on_conflict_do_update(index_elements=[_table.c.user_id, _table.c.list_name],
                                            set_={"query": query, "updated_at": now}))


def forget(session_: Session, user_id: int, list_name: str) -> None:
    session_.execute(sa.delete(_table).where(_table.c.user_id == user_id, _table.c.list_name == list_name))


def remember(keys: Iterable[str]):
    """For a list view: restore, save or reset the user's filters; returns a redirect or None.

    * ``?reset=1`` forgets them and shows the list bare;
    * no parameters at all: the saved filters, if any, by a redirect (so the URL, the pager and the
      export links carry them, and the page says they were restored);
    * any filter parameter: these become the saved filters (paging parameters are not filters).
    """
    list_name = request.endpoint
    user_id = current_user.id
    marker = f"filters:{list_name}"
    if RESET in request.args:
        session.pop(marker, None)
        write_apart(lambda s: forget(s, user_id, list_name))
        return redirect(url_for(list_name, **(request.view_args or {})))
    keys = tuple(keys)
    if not request.args:
        saved = load(db_session(), user_id, list_name)
        if saved:
            return redirect(url_for(list_name, **(request.view_args or {}), **saved, **{RESTORED: 1}))
        return None
    if not any(k in request.args for k in keys):
        return None
    chosen = {k: request.args[k] for k in keys if request.args.get(k, "").strip()}
    if any(storedtext.problem(v) for v in chosen.values()):
        return None  # a CPR number typed into a search box is not stored
    digest = hashlib.blake2s(urlencode(sorted(chosen.items())).encode(), digest_size=8).hexdigest()
    if session.get(marker) != digest:
        session[marker] = digest
        write_apart(lambda s: save(s, user_id, list_name, chosen))
    return None


def is_filtered(keys: Iterable[str]) -> bool:
    """Whether the list shows any filter (the "Nulstil filtre" link is shown then)."""
    return any(request.args.get(k, "").strip() for k in keys)
