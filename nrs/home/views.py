"""The front page: the nine centres, and whatever each domain has to say today."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from nrs import refcache
from nrs.agreements import panels as agreement_panels
from nrs.campaigns import panels as campaign_panels
from nrs.companies import panels as company_panels
from nrs.db import db_session
from nrs.enquiries import panels as enquiry_panels
from nrs.home import mywork
from nrs.joborders import panels as job_order_panels
from nrs.reports import panels as report_panels
from nrs.security import access

bp = Blueprint("home", __name__)

#: ``panel(session, user) -> (template, context) | None`` of each domain, shown in this order:
#: the user's own work first ("Mit arbejde", which holds the help requests too), the figures below.
PANELS = (mywork.panel, enquiry_panels.panel, report_panels.panel, company_panels.panel,
          job_order_panels.deadline_panel, campaign_panels.panel, agreement_panels.panel)


def _panels(session, user):
    return [result for panel in PANELS if (result := panel(session, user))]


@bp.get("/")
@access("user")
def index():
    s = db_session()
    counts = refcache.staff_counts(s)
    centres = refcache.centres(s)
    return render_template(
        "home/index.html",
        centres=[(c, counts.get(c.id, 0)) for c in centres],
        panels=_panels(s, current_user),
    )
