from __future__ import annotations

from sqlmodel import select

from nrs.campaigns.models import Campaign, CampaignStatus, CampaignTarget, TargetStatus
from nrs.clock import today


def test_demo_has_a_running_campaign_with_worked_targets(session, cli_run, client):
    result = cli_run("demo")
    assert result.exit_code == 0, result.output + (result.stderr or "")
    campaign = session.exec(select(Campaign)).one()
    assert campaign.status == CampaignStatus.running and campaign.year == today().year
    targets = session.exec(select(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id)).all()
    assert targets and all(t.lead_centre_id for t in targets)
    worked = [t for t in targets if t.status != TargetStatus.not_contacted]
    assert worked and all(t.status_by_id and t.status_note for t in worked)


def test_demo_campaign_pages_render(session, cli_run, client, login_as):
    assert cli_run("demo").exit_code == 0
    campaign = session.exec(select(Campaign)).one()
    login_as("coordinator", centre=219)
    html = client.get(f"/kampagner/{campaign.id}?centre=all").get_data(as_text=True)
    assert campaign.name in html and 'data-testid="progress"' in html
    assert 'data-testid="campaign-panel"' in client.get("/").get_data(as_text=True)
    target = session.exec(select(CampaignTarget).where(CampaignTarget.status != TargetStatus.not_contacted)).first()
    assert client.get(f"/kampagner/maal/{target.id}").status_code == 200
