"""Who may do what with activities and tasks: the one place for the rules.

Staff of any centre record activities on any company (the cooperation reads across all nine).
One's own activity may be edited or deleted within a day of recording it; after that it is
history. A task goes to its author or to a user of the company's lead centre; it may be changed
by its assignee, its creator, the lead centre's staff and the steering group. ``user`` None is
NRS itself (the CLI, demo data).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from nrs.auth.models import Role
from nrs.errors import Forbidden
from nrs.security import has_role

#: How long the author may still edit or delete an activity.
EDIT_WINDOW = timedelta(days=1)


def may_record(user, company) -> bool:
    return user is None or bool(getattr(user, "active", True))


def may_edit_activity(user, activity, *, now: datetime) -> bool:
    """Only the author, and only within ``EDIT_WINDOW`` of recording it."""
    if user is None:
        return True
    created = activity.created_at
    if created.tzinfo is None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    return activity.author_id == user.id and now - created < EDIT_WINDOW


def may_be_assigned(assignee, company, *, author=None) -> bool:
    """The author themself, or an active user of the company's lead centre."""
    if assignee is None or not assignee.active:
        return False
    if author is not None and assignee.id == getattr(author, "id", None):
        return True
    return company.lead_centre_id is not None and assignee.job_centre_id == company.lead_centre_id


def may_change_task(user, task, company) -> bool:
    if user is None or has_role(user, Role.admin):
        return True
    return user.id in (task.assignee_id, task.creator_id) or (
        company.lead_centre_id is not None and user.job_centre_id == company.lead_centre_id)


def ensure_may_edit_activity(user, activity, *, now: datetime) -> None:
    if not may_edit_activity(user, activity, now=now):
        raise Forbidden(_("Du kan kun rette eller slette din egen aktivitet, og kun det første døgn. "
                          "Derefter er den historik."))


def ensure_may_change_task(user, task, company) -> None:
    if not may_change_task(user, task, company):
        raise Forbidden(_("Kun opgavens ansvarlige, den der oprettede den, og virksomhedens ledende "
                          "jobcenter kan ændre opgaven."))
