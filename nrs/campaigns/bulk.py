"""A coordinator acts on many targets of a campaign's list at once: a status, or a consultant.

All or nothing: every selected target is checked against the rules (``policy.may_work_target``;
for a consultant also the company rule, ``nrs.companies.policy.may_change``, and "the consultant
works at the target's lead centre") before any is changed; one refused target refuses the lot,
with the refused ones named. Each changed target gets its own audit entry (through the same
services as the target page: ``services.set_target_status``, ``set_contact_person``). Usable
from the CLI (a session, a user, ids).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import DataRequired, Optional

from nrs.auth.models import User
from nrs.campaigns import policy, services
from nrs.campaigns.models import Campaign, CampaignTarget, TargetStatus
from nrs.companies import bulk as company_bulk
from nrs.companies import policy as company_policy
from nrs.companies import services as company_services
from nrs.companies.models import Company
from nrs.errors import DomainError
from nrs.forms import DateField, Form

#: The actions of the target list's bulk form.
ACTIONS = ("status", "consultant")


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class BulkTargetsForm(Form):
    """The target list's checkboxes (``ids``) and what to do with them; choices are set by the view."""

    ids = SelectMultipleField(_l("Valgte virksomheder"), coerce=int, validate_choice=False)
    action = SelectField(_l("Handling"), choices=[("status", _l("Sæt status")),
                                                   ("consultant", _l("Giv til konsulent"))],
                         validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=[("", "—"), *TargetStatus.choices()], validators=[Optional()])
    status_on = DateField(_l("Dato"), validators=[Optional()])
    user = SelectField(_l("Konsulent"), coerce=_int_or_none, validate_choice=False, validators=[Optional()])


def _targets(session: Session, campaign: Campaign, ids: Iterable[int]) -> list[tuple[CampaignTarget, Company]]:
    targets = company_bulk.selected(session, CampaignTarget, ids)
    if any(t.campaign_id != campaign.id for t in targets):
        raise DomainError(_("Nogle af de valgte hører ikke til kampagnen. Intet er ændret."), field="ids")
    companies = {c.id: c for c in session.exec(select(Company).where(
        Company.id.in_([t.company_id for t in targets])))}
    return [(t, companies[t.company_id]) for t in targets]


def _refuse_unless(rows, allowed, why: str) -> None:
    refused = [company for target, company in rows if not allowed(target, company)]
    if refused:
        raise company_bulk.refusal(why, refused)


def set_status(session: Session, campaign: Campaign, target_ids: Iterable[int], *, by, status: TargetStatus | str,
               status_on: date, note: str = "") -> int:
    """Record one status on every selected target; returns how many changed."""
    try:
        status = TargetStatus(status)
    except ValueError:
        raise DomainError(_("Vælg en status."), field="status") from None
    rows = _targets(session, campaign, target_ids)
    _refuse_unless(rows, lambda t, _c: policy.may_work_target(by, t),
                   _("Disse hører til et andet jobcenter"))
    changed = 0
    for target, _company in rows:
        before = target.version
        services.set_target_status(session, target, by=by, status=status, status_on=status_on, note=note,
                                   version=target.version)
        changed += target.version != before
    return changed


def assign_consultant(session: Session, campaign: Campaign, target_ids: Iterable[int], *, by,
                      user_id: int) -> int:
    """Make ``user_id`` the NRS contact of every selected target's company; returns how many changed."""
    consultant = session.get(User, user_id) if user_id else None
    if consultant is None or not consultant.active:
        raise DomainError(_("Vælg en konsulent."), field="user")
    rows = _targets(session, campaign, target_ids)
    _refuse_unless(rows, lambda t, c: policy.may_work_target(by, t) and company_policy.may_change(by, c),
                   _("Disse hører til et andet jobcenter"))
    _refuse_unless(rows, lambda t, c: c.lead_centre_id == consultant.job_centre_id,
                   _("%(name)s arbejder ikke i disses ledende jobcenter", name=consultant.name))
    changed = 0
    for _target, company in rows:
        if company.contact_user_id != consultant.id:
            company_services.set_contact_person(session, company, by=by, user_id=consultant.id)
            changed += 1
    return changed
