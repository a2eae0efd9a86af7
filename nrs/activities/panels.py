"""The company page's timeline section (a ``COMPANY_SECTIONS`` entry): reads its filter and page
from the query string (``tl_kind``, ``tl_page``) so it pages without leaving the company page."""

from __future__ import annotations

from types import SimpleNamespace

from flask import request
from flask_login import current_user

from nrs.activities import policy, timeline
from nrs.clock import today, utcnow
from nrs.companies.models import Company


def company_timeline(session, company_id: int) -> dict:
    company = session.get(Company, company_id)
    kinds = [k for k in request.args.getlist("tl_kind") if k in timeline.KINDS]
    page = request.args.get("tl_page", 1, type=int) or 1
    tl = timeline.timeline(session, company, kinds=kinds, page=page)
    now = utcnow()
    for entry in tl.entries:
        if entry.kind == "activity":
            entry.editable = policy.may_edit_activity(
                current_user, SimpleNamespace(author_id=entry.owner_id, created_at=entry.created), now=now)
    return {"page": tl,
            "sources": [(kind, label) for kind, label, _source in timeline.SOURCES], "today": today()}
