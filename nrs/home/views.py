"""The front page: the nine centres, and whatever each domain has to say today."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user
from sqlmodel import select

from nrs.auth.models import User
from nrs.db import db_session
from nrs.municipalities.models import JobCentre
from nrs.registry import optional_module
from nrs.security import access

bp = Blueprint("home", __name__)

#: Modules with ``panel(session, user) -> (template, context) | None``, shown in this order.
PANELS = ("nrs.reports.panels", "nrs.companies.panels", "nrs.joborders.panels", "nrs.campaigns.panels",
          "nrs.agreements.panels")


def _panels(session, user):
    out = []
    for name in PANELS:
        module = optional_module(name)
        if module is None:
            continue
        result = module.panel(session, user)
        if result:
            out.append(result)
    return out


@bp.get("/")
@access("user")
def index():
    s = db_session()
    staff = (
        sa.select(User.job_centre_id, sa.func.count(User.id))
        .where(User.active.is_(True))
        .group_by(User.job_centre_id)
    )
    counts = dict(s.execute(staff).all())
    centres = s.exec(select(JobCentre).order_by(JobCentre.name)).all()
    return render_template(
        "home/index.html",
        centres=[(c, counts.get(c.id, 0)) for c in centres],
        panels=_panels(s, current_user),
    )
