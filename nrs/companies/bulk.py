"""A coordinator acts on many companies at once: a lead centre for selected companies without one.

All or nothing: every selected company is checked against the rule (``policy.may_override``,
and "has no lead yet") before any is changed; one refused company refuses the lot, with the
refused ones named. Each changed company gets its own audit entry (``services.override_lead``).
Called by the company list and usable from the CLI (a session, a user, ids).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length

from nrs.companies import policy, services
from nrs.companies.models import Company
from nrs.errors import DomainError
from nrs.forms import Form
from nrs.municipalities.models import JobCentre

#: How many refused companies a refusal names (the rest as a count).
NAMED = 5


class BulkLeadForm(Form):
    """The company list's checkboxes (``ids``) and what to give them."""

    ids = SelectMultipleField(_l("Valgte virksomheder"), coerce=int, validate_choice=False)
    centre = SelectField(_l("Ledende jobcenter"), coerce=int, validators=[DataRequired()])
    reason = TextAreaField(_l("Begrundelse"),
                           validators=[DataRequired(_l("Skriv hvorfor virksomhederne får dette jobcenter.")),
                                       Length(max=500)])


def refusal(message: str, refused: list[Company]) -> DomainError:
    """One message naming the refused rows (name and CVR): nothing was changed."""
    names = ", ".join(f"{c.name} ({c.cvr})" for c in refused[:NAMED])
    if len(refused) > NAMED:
        names += " " + _("og %(n)d flere", n=len(refused) - NAMED)
    return DomainError(_("Intet er ændret. %(why)s: %(names)s.", why=message, names=names), field="ids")


def selected(session: Session, model, ids: Iterable[int]) -> list:
    """The rows of ``model`` with these ids, by id; an unknown id refuses the lot."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise DomainError(_("Vælg mindst én række."), field="ids")
    rows = list(session.exec(select(model).where(model.id.in_(wanted)).order_by(model.id)))
    if len(rows) != len(wanted):
        raise DomainError(_("Nogle af de valgte findes ikke længere. Intet er ændret."), field="ids")
    return rows


def give_lead(session: Session, company_ids: Iterable[int], *, by, centre_id: int, reason: str) -> list[Company]:
    """Give the selected companies without a lead centre the lead ``centre_id``; all or nothing."""
    if session.get(JobCentre, centre_id) is None:
        raise DomainError(_("Ukendt jobcenter."), field="centre")
    if not (reason or "").strip():
        raise DomainError(_("Skriv hvorfor virksomhederne får dette jobcenter."), field="reason")
    companies = selected(session, Company, company_ids)
    led = [c for c in companies if c.lead_centre_id is not None]
    if led:
        raise refusal(_("Disse har allerede et ledende jobcenter"), led)
    refused = [c for c in companies if not policy.may_override(by, c)]
    if refused:
        raise refusal(_("Du må ikke give disse et ledende jobcenter"), refused)
    for company in companies:
        services.override_lead(session, company, by=by, centre_id=centre_id, reason=reason)
    return companies
