"""Working a campaign list on the target page: the call is an activity with the target's outcome,
"ikke truffet / ring igen" and a booked meeting become tasks, a step back is asked first, and
"Gem og næste" goes on to the next company of my centre not yet contacted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from nrs.activities.models import Activity, ActivityKind, Task
from nrs.campaigns import services
from nrs.campaigns.models import CampaignTarget, TargetStatus
from nrs.clock import today
from nrs.companies.models import Company, Contact
from tests.campaigns.test_views import _target
from tests.conftest import data_file, post_form


@pytest.fixture
def built(session, import_companies, sectors_2016, make_campaign):
    import_companies(data_file("companies-example.csv"))
    return make_campaign(build=True)


def _post(client, target, data, **extra):
    url = f"/kampagner/maal/{target.id}"
    return post_form(client, f"{url}/status", {"version": str(target.version),
                                               "status_on": today().strftime("%d-%m-%Y"), **data, **extra},
                     form_url=url)


def test_not_reached_is_an_activity_and_a_call_back_task_for_the_caller(client, session, login_as, built):
    me = login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    due = today() + timedelta(days=14)
    response = _post(client, target, {"status": "call_back", "call_back_on": due.strftime("%d-%m-%Y"),
                                      "note": "ring igen om 14 dage", "kind": "call"})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    target = session.get(CampaignTarget, target.id)
    assert (target.status, target.call_back_on) == (TargetStatus.call_back, due)
    activity = session.exec(select(Activity).where(Activity.target_id == target.id)).one()
    assert (activity.kind, activity.author_id, activity.summary, activity.outcome) == (
        ActivityKind.call, me.id, "ring igen om 14 dage", "Ikke truffet / ring igen")
    task = session.exec(select(Task).where(Task.activity_id == activity.id)).one()
    assert (task.due, task.assignee_id, task.title) == (due, me.id, "Ring igen: Nordsjællands Taxa A/S")
    page = client.get(f"/kampagner/maal/{target.id}").get_data(as_text=True)
    assert 'data-testid="call-back"' in page and due.strftime("%d-%m-%Y") in page


def test_a_call_back_without_its_date_is_refused_next_to_the_field(client, session, login_as, built):
    login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    response = _post(client, target, {"status": "call_back"})
    assert response.status_code == 400
    assert "Skriv, hvornår der skal ringes igen." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(CampaignTarget, target.id).status == TargetStatus.not_contacted
    assert session.exec(select(Activity)).first() is None and session.exec(select(Task)).first() is None


def test_a_booked_meeting_becomes_a_task_on_its_date(client, session, login_as, built):
    me = login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    meeting = today() + timedelta(days=5)
    assert _post(client, target, {"status": "meeting_booked",
                                  "meeting_on": meeting.strftime("%d-%m-%Y")}).status_code == 302
    task = session.exec(select(Task)).one()
    assert (task.due, task.assignee_id, task.title) == (meeting, me.id, "Møde: Nordsjællands Taxa A/S")


def test_moving_a_status_back_is_asked_first(client, session, login_as, built):
    me = login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    services.set_target_status(session, target, by=me, status=TargetStatus.meeting_booked, status_on=today(),
                               version=target.version)
    session.commit()
    response = _post(client, target, {"status": "contacted"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="confirm-backwards"' in html
    assert "Møde aftalt til Kontaktet" in html
    session.expire_all()
    assert session.get(CampaignTarget, target.id).status == TargetStatus.meeting_booked
    assert session.exec(select(Activity)).first() is None

    response = _post(client, target, {"status": "contacted", "confirm_backwards": "1"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(CampaignTarget, target.id).status == TargetStatus.contacted


def test_save_and_next_goes_to_my_centres_next_company_not_yet_contacted(client, session, login_as, built):
    login_as("staff", centre=219)
    maler, murer, taxa = (_target(session, built, cvr) for cvr in ("56706569", "99083867", "43872621"))
    response = _post(client, maler, {"status": "contacted"}, next="1")
    assert response.headers["Location"].endswith(f"/kampagner/maal/{murer.id}")
    # From the last one on the list it starts again from the top, skipping those contacted.
    response = _post(client, taxa, {"status": "not_interested"}, next="1")
    assert response.headers["Location"].endswith(f"/kampagner/maal/{murer.id}")
    response = _post(client, murer, {"status": "contacted"}, next="1")
    assert response.headers["Location"].endswith(f"/kampagner/{built.id}")


def test_the_list_filters_by_call_back_due(client, session, login_as, built):
    me = login_as("staff", centre=219)
    due_now, later = _target(session, built, "43872621"), _target(session, built, "99083867")
    for target, day in ((due_now, today()), (later, today() + timedelta(days=3))):
        services.set_target_status(session, target, by=me, status=TargetStatus.call_back, status_on=today(),
                                   call_back_on=day, version=target.version)
    session.commit()
    html = client.get(f"/kampagner/{built.id}?due=1").get_data(as_text=True)
    assert 'data-cvr="43872621"' in html and 'data-cvr="99083867"' not in html
    html = client.get(f"/kampagner/{built.id}?status=call_back").get_data(as_text=True)
    assert 'data-cvr="43872621"' in html and 'data-cvr="99083867"' in html and 'data-cvr="56706569"' not in html


def test_target_page_links_the_company_and_its_contact_persons(client, session, login_as, built):
    login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    session.add(Contact(company_id=target.company_id, name="Bente Værkfører", role="Værkfører",
                        phone="+45 40 11 22 33", email="bente@taxa.example"))
    session.commit()
    html = client.get(f"/kampagner/maal/{target.id}").get_data(as_text=True)
    company = session.get(Company, target.company_id)
    link = re.search(r'<a href="([^"]+)" data-testid="company-link">([^<]+)</a>', html)
    assert link and link.group(1).endswith(f"/{company.id}") and link.group(2) == company.name
    assert 'href="tel:+4540112233"' in html and 'href="mailto:bente@taxa.example"' in html


def test_a_due_call_back_is_in_the_callers_my_work(client, session, login_as, built):
    me = login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    services.set_target_status(session, target, by=me, status=TargetStatus.call_back, status_on=today(),
                               call_back_on=today(), version=target.version)
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="call-backs"' in html
    assert f'href="/kampagner/maal/{target.id}">Nordsjællands Taxa A/S' in html


def test_the_target_page_and_the_step_back_question_in_english(client, session, login_as, built):
    me = login_as("staff", centre=219)
    target = _target(session, built, "43872621")
    services.set_target_status(session, target, by=me, status=TargetStatus.meeting_booked, status_on=today(),
                               version=target.version)
    session.commit()
    url = f"/kampagner/maal/{target.id}"
    post_form(client, "/sprog/en", {"next": url}, form_url=url)
    html = client.get(url).get_data(as_text=True)
    assert "Save and next" in html and "Not reached / call again" in html and "Call again on" in html
    response = _post(client, target, {"status": "contacted"})
    assert "The status moves back from Meeting arranged to Contacted. Are you sure?" in response.get_data(as_text=True)
