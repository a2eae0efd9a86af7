"""An agreement's facts agree with each other: the focus sector of its years and of the company's trade,
one Jobservice Danmark agreement per company at a time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from nrs.agreements import services
from nrs.agreements.models import Agreement, AgreementKind
from nrs.errors import DomainError
from tests.conftest import post_form


def test_a_focus_sector_of_another_year_is_refused(session, make_company, make_focus_sector):
    company = make_company(industry_code="412000")
    sector_2019 = make_focus_sector(2019)
    with pytest.raises(DomainError, match="hører til 2019") as refused:
        services.create_agreement(session, by=None, company=company, kind=AgreementKind.recruitment,
                                  focus_sector_id=sector_2019.id, valid_from=date(2016, 1, 1),
                                  valid_to=date(2016, 12, 31))
    assert refused.value.field == "focus_sector_id"


def test_a_sector_that_does_not_cover_the_trade_needs_a_confirmation_and_is_shown(
        client, session, make_company, make_focus_sector, login_as):
    company = make_company(municipality_code=201, industry_code="620100")  # IT, not building
    build = make_focus_sector(2016, "Bygge og anlæg", "41,42,43")
    login_as("staff", 201)
    form = {"cvr": company.cvr, "kind": "recruitment", "focus_sector_id": str(build.id), "signed_on": "",
            "valid_from": "01-01-2016", "valid_to": "31-12-2016", "coordinating_centre_id": "0",
            "contact_user_id": "0", "notes": ""}
    r = post_form(client, "/aftaler/ny", form)
    assert r.status_code == 400
    assert "hører ikke til fokusbranchen Bygge og anlæg" in r.get_data(as_text=True)
    assert session.exec(select(Agreement)).all() == []
    r = post_form(client, "/aftaler/ny", {**form, "confirm_sector_mismatch": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)
    agreement = session.exec(select(Agreement)).one()
    assert agreement.sector_mismatch_confirmed
    assert 'data-testid="sector-mismatch"' in client.get(f"/aftaler/{agreement.id}").get_data(as_text=True)


def test_one_jobservice_agreement_per_company_at_a_time(session, make_company, make_agreement):
    company = make_company()
    make_agreement(company, kind=AgreementKind.jobservice, valid_from=date(2016, 1, 1), valid_to=date(2016, 12, 31))
    with pytest.raises(DomainError, match="allerede en Jobservice Danmark-aftale"):
        services.create_agreement(session, by=None, company=company, kind=AgreementKind.jobservice,
                                  valid_from=date(2016, 6, 1))
    session.rollback()
    make_agreement(company, kind=AgreementKind.jobservice, valid_from=date(2017, 1, 1))  # the next one: fine
    second = make_agreement(make_company(), kind=AgreementKind.jobservice, valid_from=date(2016, 1, 1))
    # two open-ended ones for one company: the database refuses them as well
    with pytest.raises(IntegrityError):
        session.add(Agreement(company_id=company.id, kind=AgreementKind.jobservice, valid_from=date(2030, 1, 1),
                              coordinating_centre_id=second.coordinating_centre_id))
        session.flush()
    session.rollback()
