"""A coordinator works many targets of a campaign list at once: a status, a consultant.

All or nothing across centres, one audit entry per changed target (status) or company (consultant).
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.campaigns import bulk
from nrs.campaigns.models import CampaignTarget, TargetStatus
from nrs.clock import today
from nrs.companies.models import Company
from tests.conftest import data_file, post_form

HILLEROD = ("99083867", "43872621", "56706569")  # the example's targets led by 219
ALLEROD = "52786800"


@pytest.fixture
def built(session, import_companies, sectors_2016, make_campaign):
    import_companies(data_file("companies-example.csv"))
    return make_campaign(build=True)


def _target(session, campaign, cvr) -> CampaignTarget:
    return session.exec(select(CampaignTarget).join(Company, Company.id == CampaignTarget.company_id)
                        .where(CampaignTarget.campaign_id == campaign.id, Company.cvr == cvr)).one()


def _audits(session, entity: str, action: str) -> list[str]:
    return sorted(e.entity_id for e in session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == entity, AuditEvent.action == action)))


def test_a_coordinator_sets_one_status_on_the_checked_targets(client, session, built, login_as):
    login_as("coordinator", 219)
    url = f"/kampagner/{built.id}"
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert page.count('name="ids"') == 3  # the own centre's list, one checkbox per target
    targets = [_target(session, built, cvr) for cvr in HILLEROD[:2]]
    r = post_form(client, f"{url}/maal", {"ids": [str(t.id) for t in targets], "action": "status",
                                             "status": "meeting_booked", "status_on": today().strftime("%d-%m-%Y"),
                                             "user": ""}, form_url=url)
    assert r.status_code == 302, r.get_data(as_text=True)
    session.expire_all()
    assert [session.get(CampaignTarget, t.id).status for t in targets] == [TargetStatus.meeting_booked] * 2
    assert _target(session, built, HILLEROD[2]).status == TargetStatus.not_contacted
    assert _audits(session, "campaign_target", "status") == sorted(str(t.id) for t in targets)


def test_a_target_of_another_centre_refuses_the_whole_selection(client, session, built, login_as):
    login_as("coordinator", 219)
    url = f"/kampagner/{built.id}"
    own, other = _target(session, built, HILLEROD[0]), _target(session, built, ALLEROD)
    r = post_form(client, f"{url}/maal", {"ids": [str(own.id), str(other.id)], "action": "status",
                                             "status": "not_interested", "status_on": today().strftime("%d-%m-%Y"),
                                             "user": ""}, form_url=url)
    assert r.status_code == 400, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    assert 'data-testid="bulk-error"' in html, re.findall(r'class="error[^"]*"[^>]*>[^<]*<', html)
    message = re.search(r'data-testid="bulk-error">([^<]+)<', html).group(1)
    assert "Intet er ændret" in message and ALLEROD in message
    session.expire_all()
    assert session.get(CampaignTarget, own.id).status == TargetStatus.not_contacted
    assert _audits(session, "campaign_target", "status") == []


def test_a_coordinator_gives_the_checked_targets_to_a_consultant(client, session, built, login_as, make_user):
    consultant = make_user("staff", 219, name="Karen Konsulent")
    login_as("coordinator", 219)
    url = f"/kampagner/{built.id}"
    assert "Karen Konsulent" in client.get(url, follow_redirects=True).get_data(as_text=True)
    targets = [_target(session, built, cvr) for cvr in HILLEROD]
    r = post_form(client, f"{url}/maal", {"ids": [str(t.id) for t in targets], "action": "consultant",
                                             "status": "", "status_on": "", "user": str(consultant.id)},
                  form_url=url)
    assert r.status_code == 302, r.get_data(as_text=True)
    session.expire_all()
    assert {session.get(Company, t.company_id).contact_user_id for t in targets} == {consultant.id}
    assert _audits(session, "company", "contact_person") == sorted(str(t.company_id) for t in targets)


def test_a_consultant_of_another_centre_is_refused_and_nothing_changes(client, session, built, login_as,
                                                                       make_user):
    elsewhere = make_user("staff", 201, name="Anders Allerød")
    login_as("coordinator", 219)
    url = f"/kampagner/{built.id}"
    targets = [_target(session, built, cvr) for cvr in HILLEROD]
    r = post_form(client, f"{url}/maal", {"ids": [str(t.id) for t in targets], "action": "consultant",
                                             "user": str(elsewhere.id)}, form_url=url)
    assert r.status_code == 400 and "Anders Allerød arbejder ikke" in r.get_data(as_text=True)
    session.expire_all()
    assert {session.get(Company, t.company_id).contact_user_id for t in targets} == {None}
    assert _audits(session, "company", "contact_person") == []


def test_the_services_work_without_the_web(session, built, make_user):
    coordinator = make_user("coordinator", 219)
    ids = [_target(session, built, cvr).id for cvr in HILLEROD]
    assert bulk.set_status(session, built, ids, by=coordinator, status="not_interested", status_on=today()) == 3
    assert bulk.set_status(session, built, ids, by=coordinator, status="not_interested", status_on=today()) == 0
