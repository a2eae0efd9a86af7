"""Activities and tasks through the services: links, follow-ups, who may be assigned, edit window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from nrs.activities import policy, queries, services
from nrs.activities.models import Activity, ActivityKind, Task
from nrs.clock import today, utcnow
from nrs.errors import DomainError, Forbidden, StaleObjectError
from nrs.storedtext import StoredTextError


def _record(session, company, author, **kw):
    kw.setdefault("kind", ActivityKind.call)
    kw.setdefault("at", utcnow())
    kw.setdefault("summary", "Talte med indehaveren om lærlinge")
    activity = services.record_activity(session, company=company, author=author, **kw)
    session.commit()
    return activity


def test_staff_of_another_centre_records_on_any_company(session, make_user, make_company):
    egedal = make_user(centre=240)
    company = make_company(municipality_code=219)  # Hillerød leads it
    activity = _record(session, company, egedal)
    assert activity.centre_id == egedal.job_centre_id
    assert activity.company_id == company.id


def test_follow_up_makes_a_task_for_the_author_by_default(session, make_user, make_company):
    author = make_user(centre=219)
    company = make_company(municipality_code=219)
    due = today() + timedelta(days=14)
    activity = _record(session, company, author, follow_up=due, summary="ring igen om 14 dage")
    task = queries.follow_up_task(session, activity.id)
    assert task.assignee_id == author.id and task.due == due and task.company_id == company.id
    assert "ring igen om 14 dage" in task.title
    assert [r.task.id for r in queries.tasks_for_user(session, author.id)] == [task.id]


def test_follow_up_goes_only_to_the_lead_centres_staff(session, make_user, make_company):
    author = make_user(centre=240)
    hillerod = make_user(centre=219)
    elsewhere = make_user(centre=201)
    company = make_company(municipality_code=219)
    activity = _record(session, company, author, follow_up=today(), assignee=hillerod)
    assert queries.follow_up_task(session, activity.id).assignee_id == hillerod.id
    with pytest.raises(DomainError) as err:
        services.record_activity(session, company=company, author=author, kind="call", at=utcnow(),
                                 summary="x", follow_up=today(), assignee=elsewhere)
    assert err.value.field == "assignee"
    session.rollback()
    picker = {u.id for u in queries.assignable_users(session, company, author=author)}
    assert hillerod.id in picker and author.id in picker and elsewhere.id not in picker


def test_links_must_belong_to_the_company(session, make_user, make_company, make_job_order):
    author = make_user()
    company, other = make_company(), make_company()
    order = make_job_order(company=other)
    with pytest.raises(DomainError) as err:
        services.record_activity(session, company=company, author=author, kind="visit", at=utcnow(),
                                 summary="Besøg", job_order=order.id)
    assert err.value.field == "job_order"


def test_a_future_activity_and_an_empty_summary_are_refused(session, make_user, make_company):
    author, company = make_user(), make_company()
    with pytest.raises(DomainError) as err:
        services.record_activity(session, company=company, author=author, kind="call",
                                 at=utcnow() + timedelta(days=2), summary="x")
    assert err.value.field == "at"
    with pytest.raises(DomainError) as err:
        services.record_activity(session, company=company, author=author, kind="call", at=utcnow(), summary="  ")
    assert err.value.field == "summary"


def test_cpr_number_in_the_summary_is_refused(session, make_user, make_company):
    author, company = make_user(), make_company()
    with pytest.raises(StoredTextError) as err:
        services.record_activity(session, company=company, author=author, kind="note", at=utcnow(),
                                 summary="Borgeren 010190-1234 blev nævnt")
    assert err.value.field == "summary"
    session.rollback()
    assert session.exec(select(Activity)).all() == []


def test_own_activity_editable_within_a_day_then_history(session, make_user, make_company):
    author, colleague, company = make_user(), make_user(), make_company()
    activity = _record(session, company, author)
    with pytest.raises(Forbidden):
        services.update_activity(session, activity, by=colleague, values={"summary": "nyt"})
    services.update_activity(session, activity, by=author, values={"summary": "rettet"}, version=activity.version)
    session.commit()
    assert activity.summary == "rettet"
    later = utcnow() + policy.EDIT_WINDOW + timedelta(minutes=1)
    with pytest.raises(Forbidden):
        services.delete_activity(session, activity, by=author, now=later)
    services.delete_activity(session, activity, by=author, version=activity.version)
    session.commit()
    assert session.get(Activity, activity.id) is None


def test_task_complete_with_a_note_records_an_activity_and_reopen(session, make_user, make_company):
    user, company = make_user(centre=201), make_company()
    task = services.create_task(session, title="Send tilbud", due=today() - timedelta(days=1), assignee=user,
                                creator=user, company=company)
    session.commit()
    assert task.is_overdue(today())
    services.complete_task(session, task, by=user, note="Tilbud sendt", version=task.version)
    session.commit()
    assert task.done and not task.is_overdue(today())
    note = session.get(Activity, task.closing_activity_id)
    assert note.kind == ActivityKind.note and note.summary == "Tilbud sendt" and note.company_id == company.id
    services.reopen_task(session, task, by=user)
    session.commit()
    assert not task.done and task.done_at is None


def test_task_on_a_job_order_is_on_its_company_and_reassigned_within_the_lead(
        session, make_user, make_company, make_job_order):
    company = make_company(municipality_code=219)
    a, b, outsider = make_user(centre=219), make_user(centre=219), make_user(centre=201)
    order = make_job_order(company=company)
    task = services.create_task(session, title="Ring om kandidater", due=date(2030, 1, 2), assignee=a,
                                creator=a, job_order=order)
    session.commit()
    assert task.company_id == company.id
    services.reassign_task(session, task, by=a, assignee=b)
    session.commit()
    assert task.assignee_id == b.id
    with pytest.raises(DomainError):
        services.reassign_task(session, task, by=a, assignee=outsider)


def test_an_old_version_is_refused(session, make_user, make_company):
    user, company = make_user(), make_company()
    task = services.create_task(session, title="x", due=today(), assignee=user, creator=user, company=company)
    session.commit()
    seen = task.version
    services.update_task(session, task, by=user, title="y", due=today(), version=seen)
    session.commit()
    with pytest.raises(StaleObjectError):
        services.update_task(session, task, by=user, title="z", due=today(), version=seen)
    with pytest.raises(StaleObjectError):
        services.complete_task(session, task, by=user, version=None)
    assert session.exec(select(Task).where(Task.title == "z")).all() == []
