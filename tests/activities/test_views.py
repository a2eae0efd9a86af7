"""Recording activities and working tasks in the browser's forms; the timeline; "Mit arbejde"."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from nrs.activities import services
from nrs.activities.models import Activity, Task
from nrs.clock import today, utcnow
from nrs.companies import services as company_services
from tests.conftest import login, post_form


def _activity_form(**kw) -> dict:
    data = {"kind": "call", "day": today().strftime("%d-%m-%Y"), "clock": "", "contact": "", "job_order": "",
            "agreement": "", "summary": "Talte med værkføreren", "outcome": "", "follow_up": "",
            "follow_up_title": "", "assignee": ""}
    data.update(kw)
    return data


def test_a_call_with_ring_again_in_14_days_shows_in_my_work_and_on_the_timeline(client, login_as, make_company,
                                                                                  session):
    me = login_as("staff", centre=219)
    company = make_company(name="Hillerød Maskin A/S", municipality_code=219)
    due = today() + timedelta(days=14)
    url = f"/aktiviteter/ny/{company.id}"
    response = post_form(client, url, _activity_form(summary="ring igen om 14 dage",
                                                     follow_up=due.strftime("%d-%m-%Y")))
    assert response.status_code == 302, response.get_data(as_text=True)
    task = session.exec(select(Task)).one()
    assert task.assignee_id == me.id and task.due == due

    page = client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    timeline = page[page.index('data-testid="company-timeline"'):]
    assert "Opkald" in timeline and "ring igen om 14 dage" in timeline
    assert f"/opgaver/{task.id}" in timeline

    # Not due yet: the front page's "Mit arbejde" lists today's and overdue tasks; my task list has it.
    assert "ring igen om 14 dage" in client.get("/opgaver").get_data(as_text=True)
    task.due = today()
    session.add(task)
    session.commit()
    front = client.get("/").get_data(as_text=True)
    work = front[front.index('data-testid="my-work"'):]
    assert "ring igen om 14 dage" in work and "Hillerød Maskin A/S" in work
    assert front.index('data-testid="my-work"') < front.index('data-testid="centres"')


def test_overdue_is_marked_and_completing_with_a_note_records_it(client, login_as, make_company, session):
    me = login_as("staff", centre=201)
    company = make_company()
    task = services.create_task(session, title="Send kandidatliste", due=today() - timedelta(days=3),
                                assignee=me, creator=me, company=company)
    session.commit()
    front = client.get("/").get_data(as_text=True)
    assert 'data-state="overdue"' in front and "Send kandidatliste" in front
    assert 'data-state="overdue"' in client.get(f"/virksomheder/{company.id}").get_data(as_text=True)
    seen = task.version
    response = post_form(client, f"/opgaver/{task.id}/udfoert", {"note": "Listen er sendt",
                                                                  "version": str(seen)},
                         form_url=f"/opgaver/{task.id}")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Task, task.id).done
    assert session.exec(select(Activity).where(Activity.summary == "Listen er sendt")).one().kind == "note"
    # the same (old) version again: refused, not done twice
    again = post_form(client, f"/opgaver/{task.id}/genaabn", {"version": str(seen)},
                      form_url=f"/opgaver/{task.id}")
    assert again.status_code == 409


def test_bad_input_is_a_danish_message_next_to_the_field(client, login_as, make_company, session):
    login_as("staff")
    company = make_company()
    url = f"/aktiviteter/ny/{company.id}"
    for data, words in (
        (_activity_form(summary="Borgeren 010190-1234"), "CPR-nummer"),
        (_activity_form(day="32-13-2016"), "dd-mm-åååå"),
        (_activity_form(summary=""), "Skriv et resumé"),
        (_activity_form(clock="25:99"), "tt:mm"),
        (_activity_form(day=(today() + timedelta(days=3)).strftime("%d-%m-%Y")), "fremtiden"),
        (_activity_form(follow_up=(today() - timedelta(days=3)).strftime("%d-%m-%Y")), "før aktiviteten"),
        (_activity_form(contact="99999999999999999999"), "error"),
    ):
        response = post_form(client, url, data)
        assert response.status_code == 400, data
        assert words in response.get_data(as_text=True), words
    assert session.exec(select(Activity)).all() == []


def test_the_assignee_picker_shows_the_lead_centres_staff_only(client, login_as, make_user, make_company):
    login_as("staff", centre=240)  # Egedal records on a Hillerød company
    hillerod = make_user(centre=219, name="Hanne Hillerød")
    allerod = make_user(centre=201, name="Anders Allerød")
    company = make_company(municipality_code=219)
    page = client.get(f"/aktiviteter/ny/{company.id}").get_data(as_text=True)
    picker = re.search(r'<select[^>]*name="assignee".*?</select>', page, re.S).group(0)
    assert "Hanne Hillerød" in picker and "Anders Allerød" not in picker
    # each with their centre, as the user picker labels them (the author is from Egedal)
    assert "Hanne Hillerød (Jobcenter Hillerød)" in picker and "(Jobcenter Egedal)" in picker
    response = post_form(client, f"/aktiviteter/ny/{company.id}",
                         _activity_form(follow_up=today().strftime("%d-%m-%Y"), assignee=str(allerod.id)))
    assert response.status_code == 400
    assert hillerod.id


def test_timeline_says_changes_in_words_filters_and_pages(client, login_as, make_company, session):
    me = login_as("staff", centre=201)
    company = make_company(employees=(5, 9))
    values = {k: getattr(company, k) for k in company_services.DATA_FIELDS if hasattr(company, k)}
    values.update(employees_min=10, employees_max=19, active=False)
    company_services.update_company(session, company, by=me, values=values, version=company.version)
    for n in range(30):
        services.record_activity(session, company=company, kind="note", author=me,
                                 at=utcnow() - timedelta(hours=n + 1), summary=f"Note nummer {n}")
    session.commit()
    url = f"/virksomheder/{company.id}"
    page = client.get(url, query_string={"tl_kind": "change"}).get_data(as_text=True)
    timeline = page[page.index('data-testid="company-timeline"'):]
    assert "Ansatte ændret fra 5–9 til 10–19" in timeline
    assert "registreret som ophørt" in timeline
    assert "True" not in timeline and "employees_min" not in timeline and "Note nummer" not in timeline

    first = client.get(url).get_data(as_text=True)
    assert "Note nummer 0" in first and "Note nummer 29" not in first and 'rel="next"' in first
    second = client.get(url, query_string={"tl_page": 2}).get_data(as_text=True)
    assert "Note nummer 29" in second and "Note nummer 0<" not in second
    assert client.get(url, query_string={"tl_page": "99999999999999999999"}).status_code == 400


def test_a_coordinator_sees_the_centres_work_with_who_holds_what(client, make_user, make_company, session):
    coordinator = make_user(role="coordinator", centre=201)
    holder = make_user(centre=201, name="Bente Bager")
    company = make_company()
    services.create_task(session, title="Besøg hos bageren", due=today(), assignee=holder, creator=holder,
                         company=company)
    session.commit()
    login(client, coordinator.email)
    front = client.get("/").get_data(as_text=True)
    work = front[front.index('data-testid="my-work"'):]
    assert "Besøg hos bageren" in work and "Bente Bager" in work
    centre = client.get("/opgaver", query_string={"centre": "1"}).get_data(as_text=True)
    assert "Bente Bager" in centre


def test_own_activity_edited_with_its_version(client, login_as, make_company, session):
    me = login_as("staff")
    company = make_company()
    activity = services.record_activity(session, company=company, kind="call", author=me, at=utcnow(),
                                        summary="Første udgave")
    session.commit()
    url = f"/aktiviteter/{activity.id}/ret"
    data = {"kind": "visit", "day": today().strftime("%d-%m-%Y"), "clock": "10:00", "summary": "Rettet",
            "outcome": "", "version": str(activity.version)}
    assert post_form(client, url, data).status_code == 302
    assert post_form(client, url, dict(data, summary="Igen")).status_code == 409  # the old version
    session.expire_all()
    assert session.get(Activity, activity.id).summary == "Rettet"


def test_my_task_list_is_paged_fifty_at_a_time_earliest_due_first(client, login_as, make_company, session):
    me = login_as("staff", centre=201)
    company = make_company()
    start = today() - timedelta(days=30)
    for n in range(53):
        services.create_task(session, title=f"Opgave nr. {n:02d}", due=start + timedelta(days=n), assignee=me,
                             creator=me, company=company)
    session.commit()
    first = client.get("/opgaver").get_data(as_text=True)
    assert first.count('data-label="Opgave"') == 50
    assert "Opgave nr. 00" in first and "Opgave nr. 49" in first and "Opgave nr. 50" not in first
    assert "Side 1 af 2 (53)" in first
    second = client.get("/opgaver", query_string={"page": "2"}).get_data(as_text=True)
    assert second.count('data-label="Opgave"') == 3 and "Opgave nr. 52" in second


def test_a_task_list_longer_than_counted_says_more_than_and_still_pages(client, login_as, make_company, session,
                                                                       monkeypatch):
    """The list counts up to ``TASKS_COUNTED`` only (one user can hold tens of thousands); past it
    the pager says "more than" instead of a number, and the next page is still there."""
    from nrs.activities import queries

    monkeypatch.setattr(queries, "TASKS_COUNTED", 100)
    me = login_as("staff", centre=201)
    company = make_company()
    start = today() - timedelta(days=200)
    session.add_all([Task(title=f"Opgave nr. {n:03d}", due=start + timedelta(days=n), assignee_id=me.id,
                          creator_id=me.id, company_id=company.id) for n in range(130)])
    session.commit()
    first = client.get("/opgaver").get_data(as_text=True)
    assert "Side 1 af mere end 2 (over 100)" in first and "(130)" not in first
    second = client.get("/opgaver", query_string={"page": "2"}).get_data(as_text=True)
    assert 'rel="next"' in second and "Opgave nr. 050" in second and "Opgave nr. 099" in second
