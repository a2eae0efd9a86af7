"""Notifications: one per user and event, in the app and by e-mail once, as each user chose."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from nrs.agreements.models import Agreement
from nrs.auth.models import User
from nrs.clock import today, utcnow
from nrs.companies import services as company_services
from nrs.companies.models import Company
from nrs.db import session_scope
from nrs.joborders import services as orders
from nrs.joborders.models import JobOrder
from nrs.mail.models import OutboxMessage
from nrs.notifications import services
from nrs.notifications.models import Delivery, Notification, NotificationKind, NotificationSetting
from nrs.scheduler.jobs import job_by_id
from nrs.scheduler.runner import run_job
from tests.conftest import csrf_token, login, post_form

EGEDAL, HILLEROD, ALLEROD = 240, 219, 201


@pytest.fixture
def hillerod(make_user, make_company):
    """Hillerød's coordinator and one of its consultants, and a company whose lead is Hillerød."""
    return {
        "coordinator": make_user("coordinator", HILLEROD, email="ole@hillerod.test", name="Ole Hansen"),
        "staff": make_user("staff", HILLEROD, email="mia@hillerod.test", name="Mia Berg"),
        "company": make_company(name="Hillerød Transport A/S", municipality_code=HILLEROD,
                                postal_code="3400", city="Hillerød"),
    }


def notifications_of(session, user) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.user_id == user.id)))


def send_outbox(app, engine, settings, minute: int = 0):
    with app.app_context():
        run_job(engine, settings, job_by_id("outbox"), utcnow().replace(second=0, microsecond=0)
                + timedelta(minutes=minute))


def header_count(client) -> str | None:
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'data-testid="notifications"[^>]*>[^<]*(?:<span class="count">(\d+)</span>)?', html)
    assert match, "no notifications link in the header"
    return match.group(1)


def test_an_egedal_consultant_logs_an_order_for_a_hillerod_company_and_hillerods_coordinator_is_told_once(
        app, engine, settings, client, session, make_user, hillerod, smtp_server):
    """Done when: one notification and one e-mail for Hillerød's coordinator, over real SMTP."""
    egedal = make_user("staff", EGEDAL, email="eva@egedal.test", name="Eva Egedal")
    assert login(client, egedal.email).status_code == 302
    form = {"cvr": hillerod["company"].cvr, "title": "Chauffør", "positions": "1",
            "received_on": today().strftime("%d-%m-%Y"), "channel": "shared_phone",
            "lead_centre_id": "", "contact_user_id": "", "agreement_id": ""}
    response = post_form(client, "/jobordrer/ny", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    order = session.exec(select(JobOrder)).one()

    told = notifications_of(session, hillerod["coordinator"])
    assert len(told) == 1 and told[0].kind == NotificationKind.order_for_my_company
    assert "Chauffør" in told[0].text and "Hillerød Transport A/S" in told[0].text
    assert told[0].link == f"/jobordrer/{order.id}"
    assert notifications_of(session, egedal) == []          # the one who logged it is not told

    # a retry of the same event (a hook run twice) changes nothing
    with app.app_context(), session_scope(engine) as s:
        from nrs.notifications import events
        events.order_logged(s, s.get(JobOrder, order.id), by=s.get(User, egedal.id),
                            company=s.get(Company, hillerod["company"].id))
    assert len(notifications_of(session, hillerod["coordinator"])) == 1

    send_outbox(app, engine, settings)
    send_outbox(app, engine, settings, minute=1)
    mails = smtp_server.to("ole@hillerod.test")
    assert len(mails) == 1
    assert "Chauffør" in mails[0].subject
    text = mails[0].part("plain")
    assert f"http://nrs.test/jobordrer/{order.id}" in text
    assert mails[0].message["List-Unsubscribe"].startswith("<http://nrs.test/afmeld/")
    assert mails[0].message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # the coordinator sees the count in the header, the list, and can mark it read
    client.post("/log-ud", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, "ole@hillerod.test").status_code == 302
    assert header_count(client) == "1"
    page = client.get("/notifikationer/?vis=ulaeste").get_data(as_text=True)
    assert "Chauffør" in page and "Ulæst" in page
    r = post_form(client, "/notifikationer/laest", {"id": str(told[0].id)}, form_url="/notifikationer/")
    assert r.status_code == 302
    assert header_count(client) is None
    assert "Chauffør" not in client.get("/notifikationer/?vis=ulaeste").get_data(as_text=True)
    assert "Chauffør" in client.get("/notifikationer/").get_data(as_text=True)


def test_an_order_logged_by_the_lead_centre_itself_notifies_nobody(session, hillerod, make_user):
    orders.log_job_order(session, by=hillerod["staff"], company=session.get(Company, hillerod["company"].id),
                         title="Lagermedarbejder", received_on=date(2016, 3, 1))
    session.commit()
    assert session.exec(select(Notification)).all() == []


def test_another_users_notification_cannot_be_marked_read(client, session, engine, hillerod, make_user, app):
    with app.app_context(), session_scope(engine) as s:
        services.notify(s, kind=NotificationKind.order_for_my_company, users=[s.get(User, hillerod["coordinator"].id)],
                        event_key="job_order:1", text="Noget skete", link="/", now=utcnow())
    theirs = notifications_of(session, hillerod["coordinator"])[0]
    assert login(client, hillerod["staff"].email).status_code == 302
    r = post_form(client, "/notifikationer/laest", {"id": str(theirs.id)}, form_url="/notifikationer/")
    assert r.status_code == 400
    r = post_form(client, "/notifikationer/laest", {"id": "x1"}, form_url="/notifikationer/")
    assert r.status_code == 400
    session.expire_all()
    assert session.get(Notification, theirs.id).read_at is None


def test_settings_off_digest_and_immediately(app, engine, settings, client, session, hillerod, smtp_server):
    coordinator = hillerod["coordinator"]
    assert login(client, coordinator.email).status_code == 302
    choices = {k.value: "immediately" for k in NotificationKind}
    choices.update(order_for_my_company="off", company_moved_to_me="digest", weekly_email="y")
    r = post_form(client, "/notifikationer/indstillinger", choices)
    assert r.status_code == 302
    bad = post_form(client, "/notifikationer/indstillinger", {**choices, "help_requested": "loud"})
    assert bad.status_code == 400 and "Vælg straks, daglig oversigt eller fra." in bad.get_data(as_text=True)

    now = datetime(2016, 4, 4, 10, tzinfo=UTC)
    with app.app_context(), session_scope(engine) as s:
        for kind, key in ((NotificationKind.order_for_my_company, "a"), (NotificationKind.company_moved_to_me, "b"),
                          (NotificationKind.help_requested, "c")):
            services.notify(s, kind=kind, users=[s.get(User, coordinator.id)], event_key=key,
                            text=f"Begivenhed {key}", link="/", now=now)
    made = {n.event_key: n.email for n in notifications_of(session, coordinator)}
    assert made == {"b": Delivery.digest, "c": Delivery.immediately}       # "off" made nothing
    queued = session.exec(select(OutboxMessage.idempotency_key)).all()
    assert len(queued) == 1 and queued[0].startswith("notice:")              # only the immediate one

    afternoon = datetime(2016, 4, 4, 13, tzinfo=UTC)
    with app.app_context():
        assert run_job(engine, settings, job_by_id("notification_digest"), afternoon) == "ran"
        # a second run the same day (another process, a retry) queues nothing more
        assert run_job(engine, settings, job_by_id("notification_digest"), afternoon + timedelta(minutes=1)) == "ran"
    digests = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
    assert len(digests) == 1 and "Begivenhed b" in digests[0].body_text and "Begivenhed c" not in digests[0].body_text
    assert digests[0].unsubscribe_url.startswith("http://nrs.test/afmeld/")


def test_a_company_moving_to_my_centre_tells_my_coordinator(session, engine, hillerod, make_user, make_company, app):
    allerod_coordinator = make_user("coordinator", ALLEROD, email="kim@allerod.test")
    company = make_company(name="Flytter ApS", municipality_code=HILLEROD)
    with app.app_context(), session_scope(engine) as s:
        company_services.override_lead(s, s.get(Company, company.id), by=s.get(User, hillerod["coordinator"].id),
                                       centre_id=allerod_coordinator.job_centre_id, reason="Aftalt mellem centrene")
    told = notifications_of(session, allerod_coordinator)
    assert [n.kind for n in told] == [NotificationKind.company_moved_to_me]
    assert "Flytter ApS" in told[0].text and told[0].link == f"/virksomheder/{company.id}"
    # a new company getting its first lead is not a move
    assert [n for n in session.exec(select(Notification)) if n.user_id != allerod_coordinator.id] == []


def test_help_requests_reach_the_other_centres_coordinators_and_opted_in_staff(
        app, engine, settings, session, hillerod, make_user, make_job_order):
    allerod_coordinator = make_user("coordinator", ALLEROD)
    allerod_staff = make_user("staff", ALLEROD)
    opted_in = make_user("staff", EGEDAL)
    with app.app_context():
        services.save_settings(session, opted_in, {NotificationKind.help_requested: Delivery.immediately})
        session.commit()
    order = make_job_order(company=session.get(Company, hillerod["company"].id), received_on=date(2016, 3, 1))
    due = datetime(2016, 4, 4, 4, tzinfo=UTC)
    with app.app_context():
        assert run_job(engine, settings, job_by_id("help_requests"), due) == "ran"
    told = {n.user_id for n in session.exec(select(Notification).where(
        Notification.kind == NotificationKind.help_requested))}
    assert allerod_coordinator.id in told and opted_in.id in told
    assert allerod_staff.id not in told                       # staff hear of it only when opted in
    assert hillerod["coordinator"].id not in told             # the asking centre is not told
    assert order.title in session.exec(select(Notification.text)).first()


def _ending_agreement(make_agreement, session, company_id):
    return make_agreement(session.get(Company, company_id), kind="cooperation", valid_from=date(2016, 1, 1),
                          signed_on=date(2015, 12, 15), valid_to=date(2016, 5, 15))


def test_the_agreement_scan_notifies_once_per_end_date(app, engine, settings, session, hillerod, make_agreement):
    agreement = _ending_agreement(make_agreement, session, hillerod["company"].id)
    with app.app_context():
        for day in (4, 5):   # two mornings
            run_job(engine, settings, job_by_id("agreement_notices"), datetime(2016, 4, day, 4, tzinfo=UTC))
    told = notifications_of(session, hillerod["coordinator"])
    assert len(told) == 1 and told[0].kind == NotificationKind.agreement_ending and "15-05-2016" in told[0].text
    # extended, and ending again within 60 days of a later morning: a new event
    session.execute(sa.update(Agreement).where(Agreement.id == agreement.id).values(valid_to=date(2016, 6, 30)))
    session.commit()
    with app.app_context():
        run_job(engine, settings, job_by_id("agreement_notices"), datetime(2016, 5, 10, 4, tzinfo=UTC))
    assert len(notifications_of(session, hillerod["coordinator"])) == 2


def test_a_task_given_to_me_and_a_task_of_mine_falling_due_notify_me_once(
        app, engine, settings, session, hillerod, make_user):
    from nrs.activities import services as activities
    from nrs.activities.models import Task

    coordinator, staff = hillerod["coordinator"], hillerod["staff"]
    with app.app_context(), session_scope(engine) as s:
        company = s.get(Company, hillerod["company"].id)
        mine = activities.create_task(s, title="Ring til direktøren", due=date(2016, 4, 6),
                                      assignee=s.get(User, staff.id), creator=s.get(User, staff.id), company=company)
        given = activities.create_task(s, title="Send aftaleudkast", due=date(2016, 4, 6),
                                       assignee=s.get(User, staff.id), creator=s.get(User, coordinator.id),
                                       company=company)
        mine_id, given_id = mine.id, given.id
    told = notifications_of(session, staff)
    assert [(n.kind, "Send aftaleudkast" in n.text) for n in told] == [(NotificationKind.task_assigned, True)]
    assert told[0].link == f"/opgaver/{given_id}"

    with app.app_context(), session_scope(engine) as s:
        activities.reassign_task(s, s.get(Task, mine_id), by=s.get(User, staff.id), assignee=s.get(User, coordinator.id))
    assert [n.kind for n in notifications_of(session, coordinator)] == [NotificationKind.task_assigned]

    with app.app_context():
        for minute in (0, 1):   # the morning scan, and a second process or a retry
            run_job(engine, settings, job_by_id("task_notices"), datetime(2016, 4, 6, 4, minute, tzinfo=UTC))
    due = [n for n in notifications_of(session, staff) if n.kind == NotificationKind.task_due]
    assert len(due) == 1 and "Send aftaleudkast" in due[0].text
    assert [n.kind for n in notifications_of(session, coordinator)].count(NotificationKind.task_due) == 1


@pytest.mark.parametrize(("locale", "subject"), [("da", "NRS: 1 nye notifikationer"),
                                                 ("en", "NRS: 1 new notifications")])
def test_the_digest_is_written_in_the_language_its_reader_chose(app, engine, settings, session, hillerod,
                                                                 locale, subject):
    """The scheduled job spoke Danish to everyone; a user who chose English gets English."""
    coordinator = session.get(User, hillerod["coordinator"].id)
    coordinator.locale = locale
    session.add(coordinator)
    session.commit()
    now = datetime(2016, 4, 4, 10, tzinfo=UTC)
    with app.app_context(), session_scope(engine) as s:
        user = s.get(User, coordinator.id)
        s.add(NotificationSetting(user_id=user.id, kind=NotificationKind.company_moved_to_me,
                                  delivery=Delivery.digest))
        services.notify(s, kind=NotificationKind.company_moved_to_me, users=[user], event_key="sprog",
                        text="Begivenhed", link="/", now=now)
    with app.app_context():
        assert run_job(engine, settings, job_by_id("notification_digest"), now + timedelta(hours=3)) == "ran"
    digest = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).one()
    assert digest.subject == subject
