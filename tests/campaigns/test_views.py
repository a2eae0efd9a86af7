from __future__ import annotations

import re

import pytest
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.campaigns.models import Campaign, CampaignStatus, CampaignTarget, TargetStatus
from nrs.clock import utcnow
from nrs.companies.models import Company
from nrs.municipalities.models import JobCentre
from tests.campaigns.test_cli import EXPECTED_2016, PROTECTED
from tests.conftest import data_file, post_form


@pytest.fixture
def example(session, import_companies, sectors_2016):
    import_companies(data_file("companies-example.csv"))


@pytest.fixture
def built(example, make_campaign):
    return make_campaign(build=True)


def _target(session, campaign, cvr) -> CampaignTarget:
    return session.exec(
        select(CampaignTarget).join(Company, Company.id == CampaignTarget.company_id)
        .where(CampaignTarget.campaign_id == campaign.id, Company.cvr == cvr)
    ).one()


def _listed(html: str) -> dict[str, str]:
    """CVR number → lead centre name, as the target table shows them."""
    rows = re.findall(r'<tr data-cvr="(\d{8})">(.*?)</tr>', html, re.S)
    return {cvr: re.search(r'<td data-label="Jobcenter">([^<]*)</td>', body).group(1) for cvr, body in rows}


def test_coordinator_creates_and_builds_a_campaign_in_the_browser(client, session, login_as, example):
    login_as("coordinator", centre=219)
    response = post_form(client, "/kampagner/ny", {
        "name": "Forår 2016", "year": "2016", "min_employees": "5",
        "municipalities": ["201", "210", "217", "219", "223", "240", "250", "260", "270"],
        "exclude_advertising_protected": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    campaign = session.exec(select(Campaign)).one()
    assert response.headers["Location"].endswith(f"/kampagner/{campaign.id}")
    assert campaign.status == CampaignStatus.draft

    url = f"/kampagner/{campaign.id}"
    response = post_form(client, f"{url}/byg", {}, form_url=url)
    assert response.status_code == 302
    html = client.get(f"{url}?centre=all").get_data(as_text=True)

    names = {c.municipality_code: c.name for c in session.exec(select(JobCentre))}
    assert _listed(html) == {cvr: names[code] for cvr, code in EXPECTED_2016.items()}
    assert re.search(r'data-testid="added">8<', html)
    assert "1 reklamebeskyttede virksomheder er udeladt" in html
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.running


def test_campaign_page_shows_the_users_own_centre_by_default(client, login_as, built):
    login_as("staff", centre=219)
    html = client.get(f"/kampagner/{built.id}").get_data(as_text=True)
    assert set(_listed(html)) == {"99083867", "43872621", "56706569"}
    assert 'data-testid="progress"' in html and "Jobcenter Allerød" in html


def test_staff_cannot_create_or_build_campaigns(client, login_as, built):
    login_as("staff", centre=219)
    assert client.get("/kampagner/ny").status_code == 403
    token_page = client.get(f"/kampagner/{built.id}").get_data(as_text=True)
    assert 'data-testid="build"' not in token_page
    response = post_form(client, f"/kampagner/{built.id}/byg", {}, form_url=f"/kampagner/{built.id}")
    assert response.status_code == 403


def test_invalid_campaign_form_rerenders_with_the_message(client, session, login_as, example):
    login_as("coordinator", centre=219)
    response = post_form(client, "/kampagner/ny", {"name": "", "year": "2016", "min_employees": "-1"})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert session.exec(select(Campaign)).first() is None


def test_lead_centre_staff_record_status_with_history(client, session, login_as, built):
    user = login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    url = f"/kampagner/maal/{target.id}"
    response = post_form(client, f"{url}/status", {"status": "meeting_booked", "status_on": "14-04-2016",
                                                    "meeting_on": "21-04-2016",
                                                    "note": "Møde med værkføreren", "version": str(target.version)},
                         form_url=url)
    assert response.status_code == 302
    session.refresh(target)
    assert (target.status, target.status_on.isoformat(), target.status_note, target.status_by_id) == (
        TargetStatus.meeting_booked, "2016-04-14", "Møde med værkføreren", user.id)
    html = client.get(url).get_data(as_text=True)
    assert "Møde aftalt" in html and "14-04-2016" in html and "Møde med værkføreren" in html
    assert session.exec(select(AuditEvent).where(AuditEvent.entity_type == "campaign_target",
                                                 AuditEvent.action == "status")).one()


def test_other_centres_staff_cannot_change_a_target(client, session, login_as, built):
    login_as("staff", centre=201)
    target = _target(session, built, "43872621")  # Hillerød's
    url = f"/kampagner/maal/{target.id}"
    response = post_form(client, f"{url}/status", {"status": "contacted", "status_on": "14-04-2016",
                                                    "version": str(target.version)}, form_url="/kampagner/")
    assert response.status_code == 403
    session.refresh(target)
    assert target.status == TargetStatus.not_contacted


def test_bad_status_date_rerenders_and_writes_nothing(client, session, login_as, built):
    login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    url = f"/kampagner/maal/{target.id}"
    response = post_form(client, f"{url}/status", {"status": "contacted", "status_on": "31-02-2016"},
                         form_url=url)
    assert response.status_code == 400
    assert "dd-mm-åååå" in response.get_data(as_text=True)
    session.refresh(target)
    assert target.status == TargetStatus.not_contacted


def test_removed_by_hand_stays_removed_after_refresh(client, session, login_as, built, cli_run):
    login_as("staff", centre=201)
    target = _target(session, built, "59663194")  # Allerød's
    url = f"/kampagner/maal/{target.id}"
    assert post_form(client, f"{url}/fjern", {"reason": ""}, form_url=url).status_code == 400
    response = post_form(client, f"{url}/fjern", {"reason": "Lukker afdelingen i Allerød", "confirm": "1"}, form_url=url)
    assert response.status_code == 302

    assert cli_run("campaigns", "build", str(built.id)).exit_code == 0
    session.refresh(target)
    assert target.removed_by_hand and target.removed_reason == "Lukker afdelingen i Allerød"
    html = client.get(f"/kampagner/{built.id}?centre=201").get_data(as_text=True)
    assert "59663194" not in _listed(html)
    html = client.get(f"/kampagner/{built.id}?centre=201&view=removed").get_data(as_text=True)
    assert "59663194" in _listed(html) and "Lukker afdelingen" in html


def test_only_the_lead_centre_removes_a_target_not_another_centres_coordinator(client, session, login_as, built):
    target = _target(session, built, "43872621")
    url = f"/kampagner/maal/{target.id}"
    other = next(code for code in (201, 270) if session.get(JobCentre, target.lead_centre_id).municipality_code != code)
    login_as("coordinator", centre=other)
    assert post_form(client, f"{url}/fjern", {"reason": "Dublet", "confirm": "1"}, form_url=url).status_code == 403
    post_form(client, "/log-ud", {}, form_url="/")
    login_as("coordinator", centre=session.get(JobCentre, target.lead_centre_id).municipality_code)
    assert post_form(client, f"{url}/fjern", {"reason": "Dublet", "confirm": "1"}, form_url=url).status_code == 302


def test_no_lead_group_is_shown_and_a_coordinator_assigns_it(client, session, login_as, sectors_2016,
                                                            make_campaign, centre_by_code):
    session.add(Company(cvr="29403473", name="Furesø Fragt ApS", municipality_code=190, industry_code="494100",
                        employees_min=10, employees_max=19))
    session.commit()
    campaign = make_campaign(municipality_codes=[190, 219], build=True)
    login_as("coordinator", centre=219)
    html = client.get(f"/kampagner/{campaign.id}").get_data(as_text=True)
    assert 'data-testid="no-lead"' in html
    assert _listed(client.get(f"/kampagner/{campaign.id}?centre=none").get_data(as_text=True)) == {
        "29403473": "Uden jobcenter"}
    target = _target(session, campaign, "29403473")
    url = f"/kampagner/maal/{target.id}"
    hillerod = centre_by_code(219)
    assert post_form(client, f"{url}/ledende", {"centre": str(hillerod.id)}, form_url=url).status_code == 302
    session.refresh(target)
    assert target.lead_centre_id == hillerod.id


def test_front_page_shows_the_centres_progress(client, session, login_as, built):
    login_as("staff", centre=219)
    html = client.get("/").get_data(as_text=True)
    panel = html.split('data-testid="campaign-panel"')[1].split("</section>")[0]
    assert built.name in panel
    assert re.search(r'<td class="num">3</td>', panel)


def test_link_a_job_order_or_agreement_checks_the_company(client, session, login_as, built):
    login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    url = f"/kampagner/maal/{target.id}"
    response = post_form(client, f"{url}/knyt", {"agreement_id": "999"}, form_url=url)
    assert response.status_code == 400
    assert "999 findes ikke" in response.get_data(as_text=True)


def test_nightly_job_refreshes_running_campaigns_only(settings, session, example, make_campaign, import_companies):
    from nrs.campaigns.jobs import refresh_running_campaigns

    running = make_campaign(build=True)
    draft = make_campaign(name="Kladde")
    import_companies(data_file("companies-example-update.csv"))
    results = refresh_running_campaigns(session, now=utcnow(), settings=settings)
    session.commit()
    assert set(results) == {running.id}
    assert results[running.id].removed == 3
    session.refresh(running)
    assert running.last_refresh_removed == 3
    assert session.exec(select(CampaignTarget).where(CampaignTarget.campaign_id == draft.id)).first() is None


def test_protected_company_is_excluded_and_counted(session, example, make_campaign):
    campaign = make_campaign(build=True)
    assert campaign.last_refresh_excluded_protected == 1
    cvrs = set(session.exec(select(Company.cvr).join(CampaignTarget, CampaignTarget.company_id == Company.id)
                            .where(CampaignTarget.campaign_id == campaign.id)))
    assert PROTECTED not in cvrs


def test_a_job_order_from_a_target_links_back_and_moves_the_status(client, session, login_as, built,
                                                                  make_job_order):
    login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    own = make_job_order(company=session.get(Company, target.company_id))
    other = make_job_order(company=session.exec(select(Company).where(Company.cvr == "56706569")).one())
    url = f"/kampagner/maal/{target.id}"
    response = post_form(client, f"{url}/knyt", {"job_order_id": str(other.id)}, form_url=url)
    assert response.status_code == 400
    assert "hører til en anden virksomhed" in response.get_data(as_text=True)

    assert post_form(client, f"{url}/knyt", {"job_order_id": str(own.id)}, form_url=url).status_code == 302
    session.expire_all()
    target = session.get(CampaignTarget, target.id)
    assert target.job_order_id == own.id and target.status == TargetStatus.job_order_received
    assert f"nr. {own.id}" in client.get(url).get_data(as_text=True)


def test_new_campaign_form_defaults_to_the_nine_and_five_employees(client, login_as, sectors_2016):
    login_as("coordinator", centre=219)
    html = client.get("/kampagner/ny").get_data(as_text=True)
    assert len(re.findall(r'<input checked id="municipalities-\d+"', html)) == 9
    assert re.search(r'name="min_employees"[^>]*value="5"', html)
    assert re.search(r'<input checked id="exclude_advertising_protected"', html)
    assert "Bygge og anlæg (2016)" in html


def test_campaign_list_shows_each_campaign_with_its_size(client, login_as, built):
    login_as("staff", centre=250)
    html = client.get("/kampagner/").get_data(as_text=True)
    assert built.name in html and '<td class="num">8</td>' in html
