"""What every page shares: navigation, pagination, error pages."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import Flask, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from nrs.security import LEVELS, has_role, rule_of

NAV = (
    ("home.index", _l("Forside")),
    ("companies.index", _l("Virksomheder")),
    ("joborders.index", _l("Jobordrer")),
    ("agreements.index", _l("Aftaler")),
    ("campaigns.index", _l("Kampagner")),
    ("sectors.index", _l("Fokusbrancher")),
    ("reports.index", _l("Rapporter")),
    ("admin.index", _l("Administration")),
)


def nav_items():
    from flask import current_app

    items = []
    for endpoint, label in NAV:
        if endpoint not in current_app.view_functions:
            continue
        level = rule_of(current_app, endpoint)
        if level != "public" and (
            not current_user.is_authenticated or not has_role(current_user, LEVELS[level])
        ):
            continue
        items.append((endpoint, label, request.blueprint == endpoint.split(".")[0]))
    return items


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def url(self, page: int) -> str:
        args = dict(request.args)
        args["page"] = page
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def paginate(session, stmt, *, per_page: int = 50, page: int | None = None, scalars: bool = False) -> Page:
    if page is None:
        page = request.args.get("page", 1, type=int) or 1
    page = max(1, page)
    total = session.execute(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    result = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, page=page, per_page=per_page, total=total)


# --- keyset paging ---------------------------------------------------------------------------
# A deep OFFSET makes the database read and throw away every skipped row; a long list instead pages
# from the last row shown ("after" its sort key) so every page costs the same, however deep.


class BadCursor(ValueError):
    """A page position (cursor) that is not one this app wrote: tampered, truncated or stale."""


#: Larger than any id yet a 32-bit INTEGER (PostgreSQL refuses a wider parameter for one): a cursor
#: "after (date, _BIGGEST)" in a descending list starts at that date. Cursor ints must fit too.
_BIGGEST = 2**31 - 1


@dataclass(frozen=True)
class SortKey:
    """One column of a list's sort order. The last key of every order must be unique (the id)."""

    column: Any
    desc: bool = False
    #: What a cursor value is read back as: int, str, date or an Enum class.
    kind: type = int
    #: NULLs sort last in both databases (SQLite and PostgreSQL disagree by default).
    nullable: bool = False

    def order(self, reverse: bool = False):
        expr = self.column.desc() if self.desc != reverse else self.column.asc()
        if self.nullable:
            expr = expr.nulls_first() if reverse else expr.nulls_last()
        return expr

    def read(self, value):
        if value is None:
            if not self.nullable:
                raise BadCursor("null")
            return None
        if self.kind is date:
            if not isinstance(value, str):
                raise BadCursor("date")
            return date.fromisoformat(value)
        if self.kind is int:
            if not isinstance(value, int) or isinstance(value, bool) or not -_BIGGEST <= value <= _BIGGEST:
                raise BadCursor("int")
            return value
        if not isinstance(value, str) or len(value) > 500 or "\x00" in value:  # PostgreSQL text has no NUL
            raise BadCursor("text")
        return self.kind(value)  # str, or an Enum: an unknown member raises ValueError

    def write(self, value):
        if isinstance(value, Enum):
            return value.value
        return value.isoformat() if isinstance(value, date) else value


def encode_cursor(values) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(keys, token: str) -> tuple:
    """The sort-key values a cursor holds, checked against ``keys``; ``BadCursor`` otherwise."""
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            raise BadCursor("length")
        return tuple(k.read(v) for k, v in zip(keys, values, strict=True))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise BadCursor(str(exc)) from exc


def cursor_for(keys, values) -> str:
    return encode_cursor(k.write(v) for k, v in zip(keys, values, strict=True))


def jump_cursor(keys, first_value) -> str:
    """A cursor just before every row whose first sort key is ``first_value`` (or later in the order)."""
    rest = [_BIGGEST if k.desc else -_BIGGEST for k in keys[1:]]
    return cursor_for(keys, [first_value, *rest])


def _beyond(key: SortKey, value, reverse: bool):
    desc = key.desc != reverse
    if value is None:  # NULLs are last going forward: nothing is beyond them; going back, all is
        return sa.false() if not reverse else key.column.is_not(None)
    cond = key.column < value if desc else key.column > value
    return sa.or_(cond, key.column.is_(None)) if key.nullable and not reverse else cond


def keyset_condition(keys, values, *, reverse: bool = False):
    """Rows that come after ``values`` in the order of ``keys`` (before them when ``reverse``)."""
    ors = []
    for i, (key, value) in enumerate(zip(keys, values, strict=True)):
        same = [k.column.is_(None) if v is None else k.column == v for k, v in zip(keys[:i], values[:i], strict=True)]
        ors.append(sa.and_(*same, _beyond(key, value, reverse)))
    cond = sa.or_(*ors)
    first, value = keys[0], values[0]
    if value is not None and not first.nullable:
        # Redundant, but a plain bound on the first column is what lets both planners start the
        # index range at the cursor instead of reading (and discarding) every row before it.
        bound = first.column <= value if first.desc != reverse else first.column >= value
        cond = sa.and_(bound, cond)
    return cond


@dataclass
class KeysetPage:
    """One page of a list paged by its sort key, and what is known of the whole list."""

    items: list
    has_prev: bool
    has_next: bool
    first: str | None
    last: str | None
    per_page: int
    #: The page's number when the user got here by paging from the start; None after a jump.
    number: int | None = 1
    #: Rows in the whole list, counted up to ``count_cap`` + 1 (None: not counted).
    total: int | None = None
    count_cap: int = 10_000

    @property
    def total_capped(self) -> bool:
        return self.total is not None and self.total > self.count_cap

    def _url(self, **position) -> str:
        args = {k: v for k, v in request.args.items() if k not in ("after", "before", "page", "at")}
        args.update({k: v for k, v in position.items() if v is not None})
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    def first_url(self) -> str:
        return self._url()

    def next_url(self) -> str:
        return self._url(after=self.last, page=self.number + 1 if self.number else None)

    def prev_url(self) -> str:
        if self.number == 2:
            return self.first_url()
        return self._url(before=self.first, page=self.number - 1 if self.number else None)


def keyset_select(stmt, keys, values=None, *, reverse: bool = False, limit: int = 51):
    """``stmt`` from just after ``values`` (None: from the start), ordered by ``keys``, the key columns appended."""
    query = stmt.add_columns(*(k.column.label(f"_key{i}") for i, k in enumerate(keys)))
    if values is not None:
        query = query.where(keyset_condition(keys, values, reverse=reverse))
    return query.order_by(*(k.order(reverse) for k in keys)).limit(limit)


def keyset_paginate(session, stmt, keys, *, after: str | None = None, before: str | None = None,
                    number: int | None = None, per_page: int = 50) -> KeysetPage:
    """The page of ``stmt`` after (or before) a cursor, ordered by ``keys``; ``BadCursor`` if it is not ours.

    ``stmt`` is unordered; the key columns are added to it to read the page's cursors back.
    """
    n = len(keys)
    cursor = before or after
    reverse = bool(before)
    values = decode_cursor(keys, cursor) if cursor else None
    rows = session.execute(keyset_select(stmt, keys, values, reverse=reverse, limit=per_page + 1)).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    if reverse:
        if not more:  # back at the start: show the first page as it is now
            return keyset_paginate(session, stmt, keys, per_page=per_page)
        rows.reverse()
    items = [tuple(row[:-n]) for row in rows]
    first = cursor_for(keys, rows[0][-n:]) if rows else None
    last = cursor_for(keys, rows[-1][-n:]) if rows else None
    return KeysetPage(
        items=items, per_page=per_page, first=first, last=last,
        has_prev=bool(cursor) and (more or not reverse), has_next=more if not reverse else True,
        number=(number if cursor else 1),
    )


def _error(code: int, title):
    def handler(exc):
        return render_template("error.html", code=code, title=title, description=getattr(exc, "description", "")), code

    return handler


def init_app(app: Flask) -> None:
    from flask_babel import get_locale

    app.context_processor(lambda: {"nav_items": nav_items, "get_locale": get_locale})
    app.register_error_handler(400, _error(400, _l("Ugyldig forespørgsel")))
    app.register_error_handler(CSRFError, _error(400, _l("Formularen er udløbet. Genindlæs siden og prøv igen.")))
    app.register_error_handler(403, _error(403, _l("Du har ikke adgang til denne side")))
    app.register_error_handler(404, _error(404, _l("Siden findes ikke")))
    app.register_error_handler(413, _error(413, _l("Filen er for stor")))
    app.register_error_handler(500, _error(500, _l("Der opstod en fejl")))
