"""Offset paging, for the short lists (audit log, users, agreements, campaigns, the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request, url_for

from nrs.db import capped_count


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    #: Counted up to this many only (``paginate(cap=...)``); ``total`` is then at most ``cap + 1``.
    cap: int | None = None

    @property
    def more_than_cap(self) -> bool:
        return self.cap is not None and self.total > self.cap

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


def paginate(session, stmt, *, per_page: int = 50, page: int | None = None, scalars: bool = False,
             count=None, cap: int | None = None) -> Page:
    """One page of ``stmt``; ``count`` is a cheaper statement for the total (without the joins that
    only add columns), else ``stmt`` is counted. With ``cap``, ``count`` selects the rows (not
    their number), counted up to ``cap + 1`` only: a list that can hold tens of thousands (one
    user's open tasks) then costs a page, and the pager says "more than cap"."""
    if page is None:
        page = request.args.get("page", 1, type=int) or 1
    page = max(1, page)
    if cap is not None:
        total = capped_count(session, stmt if count is None else count, cap)
    else:
        if count is None:
            count = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        total = session.execute(count).scalar_one()
    result = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result.all())
    return Page(items=items, page=page, per_page=per_page, total=total, cap=cap)
