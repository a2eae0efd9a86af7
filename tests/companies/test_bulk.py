"""A coordinator gives many companies without a lead centre a lead at once: all or nothing, audited per company."""

from __future__ import annotations

import re

from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.companies import bulk
from nrs.companies.models import Company
from tests.conftest import post_form


def _lead_audits(session, companies) -> list[str]:
    return sorted(e.entity_id for e in session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "company", AuditEvent.action == "lead_override",
                                 AuditEvent.entity_id.in_([str(c.id) for c in companies]))))


def test_a_coordinator_gives_checked_companies_a_lead_one_audit_entry_each(
        client, session, make_company, login_as, centre_by_code):
    outside = [make_company(name=f"Københavnsk {n} ApS", municipality_code=101) for n in range(3)]
    assert all(c.lead_centre_id is None for c in outside)
    login_as("coordinator", 201)
    page = client.get("/virksomheder/", query_string={"lead": "none", "status": "all"}).get_data(as_text=True)
    assert page.count('name="ids"') == 3  # a checkbox on each company without a lead
    allerod = centre_by_code(201).id
    r = post_form(client, "/virksomheder/ledende?lead=none&status=all",
                  {"ids": [str(outside[0].id), str(outside[1].id)], "centre": str(allerod),
                   "reason": "Aftalt på koordinatormødet"}, form_url="/virksomheder/?lead=none&status=all")
    assert r.status_code == 302 and "lead=none" in r.location
    for company in outside:
        session.refresh(company)
    assert [c.lead_centre_id for c in outside] == [allerod, allerod, None]
    assert _lead_audits(session, outside) == sorted([str(outside[0].id), str(outside[1].id)])


def test_one_company_with_another_centres_lead_refuses_the_lot(client, session, make_company, login_as,
                                                               centre_by_code):
    free = make_company(name="Uden Leder ApS", municipality_code=101)
    helsingor = make_company(name="Helsingør Havn A/S", municipality_code=217)
    login_as("coordinator", 201)
    r = post_form(client, "/virksomheder/ledende", {"ids": [str(free.id), str(helsingor.id)],
                                              "centre": str(centre_by_code(201).id), "reason": "Samlet"},
                  form_url="/virksomheder/")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    message = re.search(r'data-testid="bulk-error">([^<]+)<', html).group(1)
    assert "Intet er ændret" in message and "Helsingør Havn A/S" in message and helsingor.cvr in message
    session.refresh(free)
    session.refresh(helsingor)
    assert free.lead_centre_id is None and helsingor.lead_centre_id == centre_by_code(217).id
    assert _lead_audits(session, [free, helsingor]) == []


def test_nothing_checked_or_no_reason_is_a_message_not_a_change(client, session, make_company, login_as,
                                                                centre_by_code):
    free = make_company(municipality_code=101)
    login_as("coordinator", 201)
    r = post_form(client, "/virksomheder/ledende", {"centre": str(centre_by_code(201).id), "reason": "x"},
                  form_url="/virksomheder/")
    assert r.status_code == 400 and "Vælg mindst én række" in r.get_data(as_text=True)
    r = post_form(client, "/virksomheder/ledende", {"ids": [str(free.id)], "centre": str(centre_by_code(201).id),
                                              "reason": ""}, form_url="/virksomheder/")
    assert r.status_code == 400
    session.refresh(free)
    assert free.lead_centre_id is None


def test_the_service_is_usable_without_the_web(session, make_company, make_user, centre_by_code):
    companies = [make_company(municipality_code=101) for _ in range(2)]
    coordinator = make_user("coordinator", 217)
    bulk.give_lead(session, [c.id for c in companies], by=coordinator, centre_id=centre_by_code(217).id,
                   reason="Fra kommandolinjen")
    session.commit()
    assert {session.get(Company, c.id).lead_centre_id for c in companies} == {centre_by_code(217).id}
