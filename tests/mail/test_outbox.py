"""The outbox delivers each message once to a real SMTP server, through outages and refusals."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from nrs.db import session_scope
from nrs.mail.models import OutboxMessage, OutboxStatus
from nrs.mail.services import MAX_ATTEMPTS, enqueue, send_due
from tests.conftest import post_form

NOW = datetime(2016, 4, 4, 5, 0, tzinfo=UTC)


def queue(engine, n: int = 1, *, key: str = "test:2016-W13", force: bool = False, now=NOW):
    with session_scope(engine) as s:
        made = [
            enqueue(s, key=f"{key}:user{i}@c201.test", to=f"user{i}@c201.test",
                    subject=f"Besked {i}", text=f"Hej {i}\nÆblegrød", html=f"<p>Hej {i}</p>",
                    now=now, force=force)
            for i in range(n)
        ]
    return made


def rows(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_message_arrives_with_text_and_html_parts(engine, settings, smtp_server, session):
    queue(engine)
    report = send_due(engine, now=NOW, settings=settings)
    assert report.sent == ["test:2016-W13:user0@c201.test"]
    [got] = smtp_server.received
    assert got.rcpt_tos == ["user0@c201.test"]
    assert got.mail_from == "nrs@nrs.test"
    assert got.subject == "Besked 0"
    assert got.part("plain").strip() == "Hej 0\nÆblegrød"
    assert got.part("html").strip() == "<p>Hej 0</p>"
    [row] = rows(session)
    assert row.status == OutboxStatus.sent and row.sent_at == NOW and row.attempts == 1


def test_the_same_key_is_queued_once_unless_forced(engine, settings, smtp_server, session):
    assert queue(engine)[0] is not None
    assert queue(engine) == [None]
    forced = queue(engine, force=True)[0]
    assert forced.idempotency_key == "test:2016-W13:user0@c201.test#2"
    assert queue(engine, force=True)[0].idempotency_key.endswith("#3")
    send_due(engine, now=NOW, settings=settings)
    assert len(smtp_server.received) == 3
    assert len({r.message["Message-ID"] for r in smtp_server.received}) == 3


def test_nothing_is_sent_twice(engine, settings, smtp_server):
    queue(engine, 3)
    assert len(send_due(engine, now=NOW, settings=settings).sent) == 3
    assert send_due(engine, now=NOW + timedelta(hours=2), settings=settings).claimed == 0
    assert len(smtp_server.received) == 3


def test_server_down_delays_mail_and_loses_none(engine, settings, smtp_server, session):
    queue(engine, 5)
    smtp_server.stop()
    report = send_due(engine, now=NOW, settings=settings)
    assert len(report.retrying) == 5 and not report.sent
    assert {(r.status, r.attempts, r.next_attempt_at) for r in rows(session)} == {
        (OutboxStatus.pending, 1, NOW + timedelta(minutes=1))}
    assert "ConnectionRefusedError" in rows(session)[0].last_error
    # not due yet: nothing is claimed before the back-off has run out
    assert send_due(engine, now=NOW + timedelta(seconds=30), settings=settings).claimed == 0
    # still down a minute later: the wait doubles
    send_due(engine, now=NOW + timedelta(minutes=1), settings=settings)
    assert {r.next_attempt_at for r in rows(session)} == {NOW + timedelta(minutes=3)}
    smtp_server.start()
    later = NOW + timedelta(minutes=3)
    assert len(send_due(engine, now=later, settings=settings).sent) == 5
    assert send_due(engine, now=later + timedelta(hours=1), settings=settings).claimed == 0
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        f"user{i}@c201.test" for i in range(5)]
    assert {r.status for r in rows(session)} == {OutboxStatus.sent}


def test_an_hour_long_outage_with_the_minute_job(engine, settings, smtp_server, session):
    """The scheduler's minute job against a server down for an hour: all arrive, once."""
    queue(engine, 4)
    smtp_server.stop()
    for minute in range(60):
        send_due(engine, now=NOW + timedelta(minutes=minute), settings=settings)
    assert {r.status for r in rows(session)} == {OutboxStatus.pending}
    assert max(r.attempts for r in rows(session)) < MAX_ATTEMPTS
    smtp_server.start()
    for minute in range(60, 125):
        send_due(engine, now=NOW + timedelta(minutes=minute), settings=settings)
    assert {r.status for r in rows(session)} == {OutboxStatus.sent}
    assert len(smtp_server.received) == 4


def test_a_server_that_refuses_gets_retried(engine, settings, smtp_server, session):
    queue(engine, 2)
    smtp_server.refuse = True
    report = send_due(engine, now=NOW, settings=settings)
    assert len(report.retrying) == 2
    assert "451" in rows(session)[0].last_error
    smtp_server.refuse = False
    assert len(send_due(engine, now=NOW + timedelta(minutes=1), settings=settings).sent) == 2
    assert len(smtp_server.received) == 2


def test_a_sender_that_died_holding_rows_is_taken_over(engine, settings, smtp_server, session):
    queue(engine)
    [row] = rows(session)
    row.status, row.claimed_by = OutboxStatus.sending, "dead-host:1"
    row.claimed_until = NOW + timedelta(minutes=5)
    session.add(row)
    session.commit()
    assert send_due(engine, now=NOW, settings=settings).claimed == 0
    assert len(send_due(engine, now=NOW + timedelta(minutes=6), settings=settings).sent) == 1


def test_concurrent_senders_never_take_the_same_message(engine, settings, smtp_server):
    queue(engine, 40)
    barrier = threading.Barrier(4)
    reports = []

    def sender():
        barrier.wait()
        for _ in range(5):
            reports.append(send_due(engine, now=NOW, settings=settings, limit=5))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = [k for r in reports for k in r.sent]
    assert len(sent) == 40 and len(set(sent)) == 40
    assert len(smtp_server.received) == 40
    assert len({r.rcpt_tos[0] for r in smtp_server.received}) == 40


def fail_for_good(engine, settings, smtp_server):
    queue(engine)
    smtp_server.stop()
    at = NOW
    for _ in range(MAX_ATTEMPTS):
        send_due(engine, now=at, settings=settings)
        at += timedelta(hours=1)
    smtp_server.start()
    return at


def test_a_message_that_keeps_failing_is_shown_to_admins_and_can_be_resent(
        engine, settings, smtp_server, session, client, login_as, cli_run):
    at = fail_for_good(engine, settings, smtp_server)
    [row] = rows(session)
    assert row.status == OutboxStatus.failed and row.attempts == MAX_ATTEMPTS
    assert send_due(engine, now=at + timedelta(days=1), settings=settings).claimed == 0
    login_as("admin")
    page = client.get("/admin/udbakke/").get_data(as_text=True)
    assert "user0@c201.test" in page and "ConnectionRefusedError" in page and "Send igen" in page
    response = post_form(client, f"/admin/udbakke/{row.id}/send-igen", {}, form_url="/admin/udbakke/")
    assert response.status_code == 302
    assert rows(session)[0].status == OutboxStatus.pending
    result = cli_run("mail", "send")
    assert result.exit_code == 0 and "Sendt: 1" in result.output
    assert [r.rcpt_tos for r in smtp_server.received] == [["user0@c201.test"]]
    assert "Sendt" in client.get("/admin/udbakke/?status=sent").get_data(as_text=True)


def test_only_admins_see_the_outbox(client, login_as):
    login_as("coordinator")
    assert client.get("/admin/udbakke/").status_code == 403


def test_mail_send_reports_messages_it_could_not_send(engine, smtp_server, cli_run):
    queue(engine, now=datetime(2016, 1, 1, tzinfo=UTC))
    smtp_server.stop()
    result = cli_run("mail", "send")
    assert result.exit_code == 0
    assert "prøves igen senere: 1" in result.output
