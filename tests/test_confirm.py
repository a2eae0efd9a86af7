"""Every destructive or closing action asks first (nrs.confirm): posted without ``confirm=1`` it
shows the confirmation page and changes nothing; the page's "Ja, …" button posts the same fields
again with ``confirm=1``, and then it is done. No JavaScript is involved."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlmodel import select

from nrs.activities import services as activity_services
from nrs.activities.models import Activity
from nrs.agreements.models import Agreement
from nrs.api import tokens
from nrs.api.models import ApiToken
from nrs.campaigns.models import Campaign, CampaignStatus, CampaignTarget
from nrs.clock import utcnow
from nrs.companies import services as company_services
from nrs.companies.models import Company, Contact
from nrs.enquiries import services as enquiry_services
from nrs.enquiries.models import Enquiry, EnquiryStatus
from nrs.joborders.models import JobOrder
from nrs.joborders.states import JobOrderState
from nrs.municipalities.models import JobCentre
from nrs.sectors.models import FocusSector
from tests.conftest import data_file, post_form


def _confirm_form(html: str) -> tuple[str, dict[str, str]]:
    """The confirmation page's form: its action and hidden fields, as the browser would post them."""
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html.split('data-testid="confirm"')[1],
                     re.S)
    assert form, html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    return unescape(form.group(1)), {k: unescape(v) for k, v in fields.items()}


def _asks_then_does(client, url: str, data: dict, *, form_url: str, what: str, yes: str, unchanged, done):
    first = post_form(client, url, data, form_url=form_url)
    html = first.get_data(as_text=True)
    assert first.status_code == 200, html
    assert 'data-testid="confirm"' in html and what in unescape(html) and yes in html
    assert "Fortryd" in html
    unchanged()
    action, fields = _confirm_form(html)
    assert action == url and fields["confirm"] == "1"
    assert all(fields[k] == str(v) for k, v in data.items()), "the page posts the same fields again"
    second = client.post(action, data=fields)
    assert second.status_code == 302, second.get_data(as_text=True)
    done()


def test_deleting_an_agreement_asks_first(client, session, login_as, make_agreement):
    agreement = make_agreement()
    login_as("coordinator", centre=201)
    aid = agreement.id
    _asks_then_does(
        client, f"/aftaler/{aid}/slet", {}, form_url=f"/aftaler/{aid}",
        what="slettes. Det kan ikke fortrydes", yes="Ja, slet aftalen",
        unchanged=lambda: session.expire_all() or session.get(Agreement, aid) is not None or pytest.fail("deleted"),
        done=lambda: session.expire_all() or session.get(Agreement, aid) is None or pytest.fail("kept"),
    )


def test_closing_an_order_as_unfilled_asks_first(client, session, login_as, make_job_order):
    order = make_job_order(title="Tømrer")
    login_as("staff", centre=201)
    url = f"/jobordrer/{order.id}"

    def status():
        session.expire_all()
        return session.get(JobOrder, order.id).state

    _asks_then_does(
        client, f"{url}/ikke-besat", {"unfilled-version": str(order.version), "unfilled-on_date": "20-03-2016",
                                      "unfilled-unfilled_reason": "deadline_passed"}, form_url=url,
        what="Jobordren Tømrer lukkes som ikke besat", yes="Ja, luk som ikke besat",
        unchanged=lambda: status() == JobOrderState.open or pytest.fail(str(status())),
        done=lambda: status() == JobOrderState.unfilled or pytest.fail(str(status())),
    )


def test_a_form_error_is_shown_before_any_question(client, login_as, make_job_order):
    order = make_job_order()
    login_as("staff", centre=201)
    url = f"/jobordrer/{order.id}"
    r = post_form(client, f"{url}/ikke-besat", {"unfilled-version": str(order.version), "unfilled-on_date": "31-02-2016",
                                                "unfilled-unfilled_reason": "deadline_passed"}, form_url=url)
    assert r.status_code == 400 and 'data-testid="confirm"' not in r.get_data(as_text=True)


def test_ending_a_campaign_and_removing_a_target_ask_first(client, session, login_as, import_companies,
                                                           sectors_2016, make_campaign):
    import_companies(data_file("companies-example.csv"))
    campaign = make_campaign(build=True)
    session.commit()
    cid = campaign.id
    target = session.exec(select(CampaignTarget).join(JobCentre, JobCentre.id == CampaignTarget.lead_centre_id)
                          .where(CampaignTarget.campaign_id == cid, JobCentre.municipality_code == 201)).first()
    tid = target.id
    from nrs.campaigns import services as campaign_services
    campaign_services.set_campaign_status(session, campaign, by=None, status=CampaignStatus.running)
    session.commit()
    login_as("coordinator", centre=201)

    def campaign_status():
        session.expire_all()
        return session.get(Campaign, cid).status

    _asks_then_does(
        client, f"/kampagner/{cid}/status/ended", {}, form_url=f"/kampagner/{cid}",
        what="afsluttes", yes="Ja, afslut kampagnen",
        unchanged=lambda: campaign_status() == CampaignStatus.running or pytest.fail("ended"),
        done=lambda: campaign_status() == CampaignStatus.ended or pytest.fail("running"),
    )
    # Resuming is not destructive: no question.
    assert post_form(client, f"/kampagner/{cid}/status/running", {}, form_url=f"/kampagner/{cid}").status_code == 302

    def removed():
        session.expire_all()
        return session.get(CampaignTarget, tid).removed_by_hand

    _asks_then_does(
        client, f"/kampagner/maal/{tid}/fjern", {"reason": "Dublet"}, form_url=f"/kampagner/maal/{tid}",
        what="fjernes fra kampagnens liste", yes="Ja, fjern fra listen",
        unchanged=lambda: not removed() or pytest.fail("removed"),
        done=lambda: removed() or pytest.fail("kept"),
    )


def test_deleting_a_contact_and_an_activity_ask_first(client, session, login_as, make_company):
    user = login_as("staff", centre=201)
    company = make_company(name="Spørg Først ApS")
    contact = company_services.add_contact(session, company, by=user, values={"name": "Ole Olsen"})
    activity = activity_services.record_activity(session, company=company, kind="call", author=user,
                                                 at=utcnow() - timedelta(hours=1), summary="Ringede")
    session.commit()
    cid, aid, company_id = contact.id, activity.id, company.id
    page = f"/virksomheder/{company_id}"

    def there(model, id_):
        session.expire_all()
        return session.get(model, id_) is not None

    _asks_then_does(
        client, f"{page}/kontakter/{cid}/slet", {}, form_url=page, what="Kontakten Ole Olsen slettes",
        yes="Ja, slet kontakten",
        unchanged=lambda: there(Contact, cid) or pytest.fail("deleted"),
        done=lambda: not there(Contact, cid) or pytest.fail("kept"),
    )
    _asks_then_does(
        client, f"/aktiviteter/{aid}/slet", {"version": str(activity.version)}, form_url=page,
        what="slettes fra virksomhedens tidslinje", yes="Ja, slet aktiviteten",
        unchanged=lambda: there(Activity, aid) or pytest.fail("deleted"),
        done=lambda: not there(Activity, aid) or pytest.fail("kept"),
    )


def test_revoking_an_api_key_asks_first(client, session, login_as):
    token, _key = tokens.create(session, name="Egedal BI")
    session.commit()
    login_as("admin")

    def revoked():
        session.expire_all()
        return session.get(ApiToken, token.id).revoked_at is not None

    _asks_then_does(
        client, f"/admin/api-noegler/{token.id}/tilbagekald", {}, form_url="/admin/api-noegler/",
        what="Nøglen Egedal BI tilbagekaldes", yes="Ja, tilbagekald nøglen",
        unchanged=lambda: not revoked() or pytest.fail("revoked"), done=lambda: revoked() or pytest.fail("kept"),
    )


def test_closing_an_enquiry_asks_first(client, session, login_as, make_company, settings):
    company = make_company(name="Spørg Træ ApS", municipality_code=201)
    enquiry = enquiry_services.create_enquiry(session, by=None, channel="phone", company=company, text="To tømrere",
                                              settings=settings, subject="vacancy")
    session.commit()
    eid = enquiry.id
    login_as("staff", centre=201)

    def status():
        session.expire_all()
        return session.get(Enquiry, eid).status

    _asks_then_does(
        client, f"/henvendelser/{eid}/luk", {"version": str(enquiry.version)}, form_url=f"/henvendelser/{eid}",
        what="Henvendelsen lukkes", yes="Ja, luk henvendelsen",
        unchanged=lambda: status() != EnquiryStatus.closed or pytest.fail("closed"),
        done=lambda: status() == EnquiryStatus.closed or pytest.fail(str(status())),
    )


# --- sectors: refused while in use, retired instead --------------------------------------------

def test_deleting_an_unused_sector_asks_first(client, session, login_as, make_focus_sector):
    sid = make_focus_sector(name="Transport", codes="49").id
    login_as("admin")
    _asks_then_does(
        client, f"/sektorer/{sid}/slet", {}, form_url="/sektorer/", what="Fokusbranchen Transport (2016) slettes",
        yes="Ja, slet fokusbranchen",
        unchanged=lambda: session.expire_all() or session.get(FocusSector, sid) is not None or pytest.fail("gone"),
        done=lambda: session.expire_all() or session.get(FocusSector, sid) is None or pytest.fail("kept"),
    )


def test_a_sector_a_campaign_uses_is_refused_and_can_be_retired(client, session, login_as, make_focus_sector,
                                                                 make_campaign):
    used = make_focus_sector(name="Transport", codes="49")
    other = make_focus_sector(name="Bygge og anlæg", codes="41")
    campaign = make_campaign(name="Forår 2016", sector_ids=[used.id, other.id])
    session.commit()
    sid, cid = used.id, campaign.id
    login_as("admin")

    refused = post_form(client, f"/sektorer/{sid}/slet", {"confirm": "1"}, form_url="/sektorer/",
                        follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "bruges af kampagnen Forår 2016 og kan ikke slettes" in html and "Træk den tilbage" in html
    session.expire_all()
    assert session.get(FocusSector, sid) is not None
    assert session.get(Campaign, cid).sector_id_list == sorted([sid, other.id]), "the campaign keeps its sectors"

    assert post_form(client, f"/sektorer/{sid}/retire", {}, form_url="/sektorer/").status_code == 302
    session.expire_all()
    assert session.get(FocusSector, sid).retired
    listing = client.get("/sektorer/?year=2016").get_data(as_text=True)
    assert "Transport" in listing and 'data-testid="retired"' in listing
    new_campaign = client.get("/kampagner/ny").get_data(as_text=True)
    assert "Bygge og anlæg (2016)" in new_campaign and "Transport (2016)" not in new_campaign
    assert "Transport" in client.get(f"/kampagner/{cid}").get_data(as_text=True), "kept for history"

    assert post_form(client, f"/sektorer/{sid}/unretire", {}, form_url="/sektorer/").status_code == 302
    session.expire_all()
    assert not session.get(FocusSector, sid).retired
    assert "Transport (2016)" in client.get("/kampagner/ny").get_data(as_text=True)


def test_a_campaign_on_the_years_sectors_leaves_the_retired_ones_out(session, make_focus_sector, make_campaign):
    from nrs.sectors import services as sector_services

    kept = make_focus_sector(name="Bygge og anlæg", codes="41")
    retired = make_focus_sector(name="Transport", codes="49")
    sector_services.set_retired(session, retired, by=None, retired=True)
    campaign = make_campaign(name="Efterår 2016")
    assert campaign.sector_id_list == [kept.id]


def test_a_retired_sector_is_not_offered_on_a_new_agreement(client, session, login_as, make_focus_sector):
    from nrs.sectors import services as sector_services

    sector = make_focus_sector(name="Transport", codes="49")
    sector_services.set_retired(session, sector, by=None, retired=True)
    session.commit()
    login_as("coordinator", centre=201)
    assert "2016: Transport" not in client.get("/aftaler/ny").get_data(as_text=True)


def test_sector_page_sends_no_one_to_a_confirmation_they_cannot_answer(client, session, login_as):
    """The confirmation page of a refused user is never shown: access is checked first."""
    login_as("staff")
    r = post_form(client, "/sektorer/999999/slet", {}, form_url="/")
    assert r.status_code in (403, 404)
    assert session.exec(select(Company)).first() is None
