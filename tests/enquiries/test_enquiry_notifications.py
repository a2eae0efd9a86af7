"""A new enquiry notifies its centre in the app once (issue 16 item 2), beside the e-mail it always got."""

from __future__ import annotations

from sqlmodel import select

from nrs.enquiries import services
from nrs.mail.models import OutboxMessage
from nrs.notifications import services as notifications
from nrs.notifications.models import Delivery, Notification, NotificationKind

HILLEROD, ALLEROD = 219, 201


def told(session, kind=NotificationKind.enquiry_received) -> list[tuple[int, str]]:
    session.expire_all()
    return [(n.user_id, n.event_key) for n in session.exec(
        select(Notification).where(Notification.kind == kind).order_by(Notification.user_id, Notification.id))]


def test_the_lead_centres_coordinator_and_opted_in_staff_are_told_once(session, make_company, make_user,
                                                                       settings, centre_by_code):
    coordinator = make_user("coordinator", HILLEROD)
    opted_in, quiet = make_user("staff", HILLEROD), make_user("staff", HILLEROD)
    other = make_user("coordinator", ALLEROD)
    notifications.save_settings(session, opted_in, {NotificationKind.enquiry_received: Delivery.immediately})
    company = make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD)
    enquiry = services.create_enquiry(session, by=None, channel="phone", company=company, text="To tømrere",
                                      settings=settings)
    session.commit()
    key = f"enquiry:{enquiry.id}"
    assert told(session) == sorted([(coordinator.id, key), (opted_in.id, key)])
    assert quiet.id not in {u for u, _k in told(session)} and other.id not in {u for u, _k in told(session)}
    # telling the centre again (a retried hook) makes no second notification
    services.tell_centre(session, enquiry, settings=settings)
    session.commit()
    assert len(told(session)) == 2
    # the coordinator's e-mail is the enquiry mail (outbox ``enquiry:<id>:<user>``); the opted-in
    # consultant chose e-mail at once and gets the notice
    keys = set(session.exec(select(OutboxMessage.idempotency_key)).all())
    assert f"enquiry:{enquiry.id}:{coordinator.id}" in keys
    mine = session.exec(select(Notification).where(Notification.user_id == opted_in.id)).one()
    assert f"notice:{mine.id}" in keys
    # re-routed to Allerød: Allerød's coordinator is told, Hillerød's people not again
    services.reroute(session, enquiry, by=coordinator, version=enquiry.version,
                     centre_id=centre_by_code(ALLEROD).id, reason="Arbejdsstedet er i Allerød", settings=settings)
    session.commit()
    assert sorted(u for u, _k in told(session)) == sorted([coordinator.id, opted_in.id, other.id])


def test_a_prospect_in_the_coordinators_queue_tells_every_coordinator(session, make_user, settings):
    a, h = make_user("coordinator", ALLEROD), make_user("coordinator", HILLEROD)
    make_user("staff", ALLEROD)
    services.create_enquiry(session, by=None, channel="mailbox", company_name="Ny Virksomhed I/S", text="Hej",
                            settings=settings)
    session.commit()
    assert sorted(u for u, _k in told(session)) == sorted([a.id, h.id])


def test_a_coordinator_who_turned_the_kind_off_is_not_told_in_the_app(session, make_company, make_user, settings):
    coordinator = make_user("coordinator", HILLEROD)
    notifications.save_settings(session, coordinator, {NotificationKind.enquiry_received: Delivery.off})
    company = make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD)
    services.create_enquiry(session, by=None, channel="phone", company=company, text="Hej", settings=settings)
    session.commit()
    assert told(session) == []


def test_the_settings_page_offers_the_new_kind(client, login_as):
    login_as("coordinator", centre=HILLEROD)
    page = client.get("/notifikationer/indstillinger")
    assert page.status_code == 200
    assert "En ny henvendelse er kommet til mit jobcenter" in page.get_data(as_text=True)
