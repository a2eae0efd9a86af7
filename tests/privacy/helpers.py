"""Rows the privacy tests need, made directly when the owning domain's factory is not there."""

from __future__ import annotations

import itertools
from datetime import date

from nrs.companies.models import Company, Contact

_cvr = itertools.count(10000000)


def valid_cvr() -> str:
    from stdnum.dk import cvr

    while True:
        candidate = str(next(_cvr))
        if cvr.is_valid(candidate):
            return candidate


def make_log_row(session, *, user=None, action="read", entity_type="referral", entity_id=1, at=None,
                 criterion="", purpose="henvisning"):
    """An access-log row at a chosen time (``log_access`` always stamps the present)."""
    from nrs.privacy.models import AccessLogEntry

    entry = AccessLogEntry(user_id=getattr(user, "id", user), job_centre_id=getattr(user, "job_centre_id", None),
                           action=action, entity_type=entity_type, entity_id=str(entity_id), criterion=criterion,
                           purpose=purpose, **({"at": at} if at else {}))
    session.add(entry)
    session.commit()
    return entry


def make_company_row(session, *, centre_id: int | None, municipality: int = 201, name: str = "Byg & Anlæg ApS"):
    company = Company(cvr=valid_cvr(), name=name, name_search=name.lower(), municipality_code=municipality,
                      industry_code="412000", lead_centre_id=centre_id)
    session.add(company)
    session.commit()
    return company


def make_contact_row(session, company, **values):
    contact = Contact(company_id=company.id, **{"name": "Mette Hansen", "role": "HR-chef",
                                                 "phone": "+45 48 10 00 00", "email": "mette@byg.test", **values})
    session.add(contact)
    session.commit()
    return contact


def make_closed_order_with_referral(session, *, company, lead_centre_id, referring_centre_id, closed_on: date,
                                    state: str = "filled", case_reference="SAG-2016-0042", note="Truckcertifikat"):
    from nrs.joborders.models import JobOrder, Referral, UnfilledReason
    from nrs.joborders.states import JobOrderState

    order = JobOrder(company_id=company.id, title="Chauffør", received_on=date(2016, 1, 4),
                     lead_centre_id=lead_centre_id, state=JobOrderState(state), closed_on=closed_on,
                     unfilled_reason=UnfilledReason.no_candidates if state == "unfilled" else None)
    session.add(order)
    session.commit()
    referral = Referral(job_order_id=order.id, referring_centre_id=referring_centre_id,
                        referred_on=date(2016, 1, 10), case_reference=case_reference, note=note)
    session.add(referral)
    session.commit()
    return order, referral
