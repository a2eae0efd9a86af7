"""The timeline's sources: orders received and closed, agreements signed and ended, campaign outcomes,
in one order, newest first; a kind filter leaves the others out."""

from __future__ import annotations

from datetime import date

from nrs.activities import services, timeline
from nrs.activities.models import ActivityKind
from nrs.campaigns import services as campaign_services
from nrs.campaigns.models import CampaignTarget, TargetStatus
from nrs.clock import utcnow
from nrs.companies.models import Company


def test_every_source_in_one_chronology(app, session, make_user, make_company, make_job_order, make_agreement,
                                        make_campaign, make_focus_sector):
    me = make_user(centre=201)
    company = make_company()
    make_job_order(company=company, state="filled", received_on=date(2016, 3, 1), closed_on=date(2016, 3, 11))
    make_agreement(company, valid_from=date(2016, 1, 4), valid_to=date(2016, 12, 31))
    make_focus_sector()
    campaign = make_campaign(name="Forår 2016", year=2016)
    target = CampaignTarget(campaign_id=campaign.id, company_id=company.id, lead_centre_id=company.lead_centre_id)
    session.add(target)
    session.commit()
    campaign_services.set_target_status(session, target, by=me, status=TargetStatus.meeting_booked,
                                        status_on=date(2016, 4, 1), note="Møde aftalt", version=target.version)
    services.record_activity(session, company=company, kind=ActivityKind.visit, author=me, at=utcnow(),
                             summary="Besøg på pladsen")
    session.commit()
    with app.test_request_context():
        page = timeline.timeline(session, session.get(Company, company.id))
        texts = [e.text for e in page.entries]
        assert "Jobordre modtaget: Tømrer" in texts and any(t.startswith("Jobordre lukket: Tømrer") for t in texts)
        assert any(t.startswith("Aftale indgået") for t in texts) and any(t.startswith("Aftale udløbet")
                                                                          for t in texts)
        assert any("Forår 2016" in t and "Møde aftalt" in t for t in texts)
        stamps = [e.at for e in page.entries]
        assert stamps == sorted(stamps, reverse=True)
        assert texts.index("Jobordre modtaget: Tømrer") > texts.index("Besøg")
        only = timeline.timeline(session, session.get(Company, company.id), kinds=["job_order", "nonsense"])
        assert {e.kind for e in only.entries} == {"job_order"}
