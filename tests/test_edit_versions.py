"""Every edit form carries the version its user saw, and a save without one is refused as stale.

A form that leaves the version out must not skip the check (a plain field would fall back to the
record's own version): the answer is the "changed meanwhile" page (409) and nothing is written.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token


@pytest.fixture
def edits(session, make_company, make_agreement, make_job_order, make_focus_sector, make_campaign, centre_by_code):
    """name -> (role, form URL[, where it posts], a valid form without its version, what to re-read)."""
    from nrs.campaigns.models import CampaignTarget
    from nrs.companies import services as companies

    def make(name: str):
        company = make_company(name="Før", municipality_code=201)
        if name == "company":
            return "staff", f"/virksomheder/{company.id}/ret", {
                "name": "Efter", "municipality_code": "201", "industry_code": "412000"}, company
        if name == "contact":
            contact = companies.add_contact(session, company, by=None, values={"name": "Før"})
            session.commit()
            return "staff", f"/virksomheder/{company.id}/kontakter/{contact.id}", {"name": "Efter"}, contact
        if name == "agreement":
            agreement = make_agreement(company, notes="Før")
            return "staff", f"/aftaler/{agreement.id}/ret", {
                "kind": "recruitment", "focus_sector_id": str(agreement.focus_sector_id),
                "signed_on": "01-01-2016", "valid_from": "01-01-2016", "valid_to": "",
                "coordinating_centre_id": "0", "contact_user_id": "0", "notes": "Efter"}, agreement
        if name == "job_order":
            order = make_job_order(company=company, title="Før")
            return "staff", f"/jobordrer/{order.id}/ret", {
                "title": "Efter", "positions": "1", "received_on": "01-03-2016", "channel": "other"}, order
        if name == "target":
            make_focus_sector()
            campaign = make_campaign()
            target = CampaignTarget(campaign_id=campaign.id, company_id=company.id, status_note="Før",
                                    lead_centre_id=centre_by_code(201).id)
            session.add(target)
            session.commit()
            url = f"/kampagner/maal/{target.id}"
            return "staff", (url, f"{url}/status"), {"status": "contacted", "status_on": "14-04-2016",
                                                     "note": "Efter"}, target
        sector = make_focus_sector(name="Før")
        return "admin", f"/sektorer/{sector.id}/ret", {"year": "2016", "name": "Efter", "codes": "41"}, sector

    return make


FIELD = {"company": "name", "contact": "name", "agreement": "notes", "job_order": "title", "sector": "name",
         "target": "status_note"}


@pytest.mark.parametrize("name", list(FIELD))
def test_an_edit_form_carries_its_version_and_a_save_without_it_is_stale(client, login_as, session, edits, name):
    role, url, data, obj = edits(name)
    url, post_url = url if isinstance(url, tuple) else (url, url)
    login_as(role, centre=201)
    form = client.get(url).get_data(as_text=True)
    shown = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', form)
    assert shown and int(shown.group(1)) == obj.version, "the form must carry the version"
    version = obj.version
    response = client.post(post_url, data={**data, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 409
    assert "ændret i mellemtiden" in response.get_data(as_text=True)
    session.expire_all()
    assert getattr(session.get(type(obj), obj.id), FIELD[name]) == "Før"
    saved = client.post(post_url, data={**data, "version": str(version), "csrf_token": csrf_token(client, url)})
    assert saved.status_code == 302
    session.expire_all()
    fresh = session.get(type(obj), obj.id)
    assert (getattr(fresh, FIELD[name]), fresh.version) == ("Efter", version + 1)
