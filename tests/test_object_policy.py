"""Object rules: a coordinator of another centre may not act on this centre's objects, and an
object may not be linked to another company's or another order's records.

The route × role table (tests/test_access_control.py) posts empty forms; these post real ones,
so the refusal cannot be the empty form's 400. Objects are in Allerød (201); the coordinator
works at Helsingør (217).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from nrs.agreements.models import Agreement
from nrs.campaigns.models import CampaignTarget, TargetStatus
from nrs.joborders import services as order_services
from nrs.joborders.models import Hire, JobOrder
from tests.conftest import csrf_token, login, post_form


@pytest.fixture
def other_coordinator(client, make_user):
    user = make_user(role="coordinator", centre=217, name="Hanne Helsingør")
    assert login(client, user.email).status_code == 302
    return user


@pytest.fixture
def target_of_201(session, make_company, make_campaign, make_focus_sector, centre_by_code):
    def make(status: TargetStatus = TargetStatus.not_contacted, removed: bool = False) -> CampaignTarget:
        make_focus_sector()
        campaign = make_campaign(name="Forår 2016", year=2016)
        company = make_company(municipality_code=201)
        target = CampaignTarget(campaign_id=campaign.id, company_id=company.id,
                                lead_centre_id=centre_by_code(201).id, status=status, removed_by_hand=removed,
                                removed_reason="lukket" if removed else "")
        session.add(target)
        session.commit()
        return target

    return make


def _refused(response) -> str:
    assert response.status_code == 403, response.status_code
    body = response.get_data(as_text=True)
    reason = re.search(r'data-testid="reason">([^<]+)<', body)
    assert reason and "jobcenter" in reason.group(1), body  # a Danish reason, not a bare 403
    return reason.group(1)


def reload(session, obj):
    session.expire_all()
    return session.get(type(obj), obj.id)


# --- the four cross-centre writes ---------------------------------------------------------------

def test_other_centres_coordinator_cannot_reopen_an_order(client, session, make_job_order, other_coordinator):
    order = make_job_order(state="unfilled")
    url = f"/jobordrer/{order.id}"
    response = client.post(f"{url}/genaabn", data={
        "csrf_token": csrf_token(client, url), "reopen-version": str(order.version),
        "reopen-on_date": "25-03-2016", "reopen-reason": "Virksomheden ringede igen"})
    _refused(response)
    assert reload(session, order).state == "unfilled"


def test_reopen_is_refused_by_the_service_too(session, make_job_order, make_user):
    from nrs.errors import Forbidden

    order = make_job_order(state="unfilled")
    with pytest.raises(Forbidden):
        order_services.reopen(session, order, by=make_user(role="coordinator", centre=217),
                              expected_version=order.version, on_date=date(2016, 3, 25), reason="igen")


@pytest.mark.parametrize("status", [TargetStatus.not_contacted, TargetStatus.contacted])
def test_other_centres_coordinator_cannot_assign_the_lead_of_a_target(client, session, target_of_201,
                                                                      other_coordinator, centre_by_code, status):
    target = target_of_201(status)
    url = f"/kampagner/maal/{target.id}"
    response = post_form(client, f"{url}/ledende", {"centre": str(centre_by_code(217).id)}, form_url=url)
    _refused(response)
    assert reload(session, target).lead_centre_id == centre_by_code(201).id


def test_other_centres_coordinator_cannot_remove_a_target(client, session, target_of_201, other_coordinator):
    target = target_of_201()
    url = f"/kampagner/maal/{target.id}"
    _refused(post_form(client, f"{url}/fjern", {"reason": "Ikke relevant", "confirm": "1"}, form_url=url))
    assert reload(session, target).removed_by_hand is False


def test_other_centres_coordinator_cannot_restore_a_target(client, session, target_of_201, other_coordinator):
    target = target_of_201(removed=True)
    url = f"/kampagner/maal/{target.id}"
    _refused(post_form(client, f"{url}/gendan", {}, form_url=url))
    assert reload(session, target).removed_by_hand is True


def test_other_centre_cannot_make_itself_coordinating_centre_of_an_agreement(
        client, session, make_company, make_focus_sector, other_coordinator, centre_by_code):
    company = make_company(municipality_code=201)
    sector = make_focus_sector()
    response = post_form(client, "/aftaler/ny", {
        "cvr": company.cvr, "kind": "recruitment", "focus_sector_id": str(sector.id), "signed_on": "",
        "valid_from": "01-01-2016", "valid_to": "", "coordinating_centre_id": str(centre_by_code(217).id),
        "contact_user_id": "0", "notes": ""}, form_url="/aftaler/ny")
    _refused(response)
    assert session.exec(select(Agreement)).all() == []


# --- cross-object links -------------------------------------------------------------------------

def test_an_order_cannot_be_linked_to_another_companys_agreement(client, session, login_as, make_company,
                                                                make_agreement, make_job_order):
    login_as("staff", centre=201)
    mine, theirs = make_company(municipality_code=201), make_company(municipality_code=201)
    foreign = make_agreement(theirs)
    data = {"cvr": mine.cvr, "title": "Murer", "positions": "1", "received_on": "01-03-2016",
            "channel": "other", "agreement_id": str(foreign.id)}
    response = post_form(client, "/jobordrer/ny", data, form_url="/jobordrer/ny")
    assert response.status_code == 400
    assert "hører til en anden virksomhed" in response.get_data(as_text=True)
    assert session.exec(select(JobOrder)).all() == []

    order = make_job_order(company=mine)
    url = f"/jobordrer/{order.id}/ret"
    data = {"title": "Murer", "positions": "1", "received_on": "01-03-2016", "channel": "other",
            "agreement_id": str(foreign.id), "version": str(order.version)}
    response = post_form(client, url, data, form_url=url)
    assert response.status_code == 400
    assert "hører til en anden virksomhed" in response.get_data(as_text=True)
    assert reload(session, order).agreement_id is None


def test_a_hire_cannot_point_to_another_orders_referral(client, session, login_as, make_job_order, centre_by_code):
    login_as("staff", centre=201)
    order, other = make_job_order(), make_job_order()
    referral = order_services.add_referral(session, other, by=None, referring_centre_id=centre_by_code(201).id,
                                           referred_on=date(2016, 3, 2), case_reference="SAG-9")
    session.commit()
    url = f"/jobordrer/{order.id}"
    response = post_form(client, f"{url}/besat", {
        "fill-version": str(order.version), "fill-on_date": "20-03-2016",
        "fill-hires-0-centre_id": str(centre_by_code(201).id), "fill-hires-0-hired_on": "20-03-2016",
        "fill-hires-0-referral_id": str(referral.id)}, form_url=url)
    assert response.status_code == 400
    assert "henvisning til en anden jobordre" in response.get_data(as_text=True)
    assert reload(session, order).state == "open"
    assert session.exec(select(Hire)).all() == []
