"""The shared mailbox against a real IMAP server (dovecot, ``tests/imap.py``): one message, one enquiry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from sqlmodel import select

from nrs.enquiries import mailbox
from nrs.enquiries.models import Enquiry, EnquiryAttachment
from nrs.mail.models import OutboxMessage

HILLEROD = 219
NOW = datetime(2016, 3, 7, 10, tzinfo=UTC)


@pytest.fixture
def imap_settings(settings, imap_server):
    return imap_server.settings(settings)


def message(*, sender="Ole Olsen <ole@trae.test>", subject="Vi mangler folk", body="Vi mangler to tømrere.",
            message_id="<m1@trae.test>") -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "nrs@nrs.test"
    m["Subject"] = subject
    m["Date"] = "Mon, 07 Mar 2016 09:30:00 +0100"
    if message_id:
        m["Message-ID"] = message_id
    m.set_content(body)
    return m


def enquiries(session) -> list[Enquiry]:
    session.expire_all()
    return list(session.exec(select(Enquiry).order_by(Enquiry.id)))


def test_two_fetches_at_once_make_one_enquiry_for_the_right_centre_and_one_mail(
        engine, session, imap_server, imap_settings, make_company, make_user, monkeypatch, centre_by_code):
    make_company(name="Hillerød Træ ApS", municipality_code=HILLEROD, email="info@trae.test")
    coordinator = make_user("coordinator", HILLEROD)
    make_user("coordinator", 201)
    imap_server.deliver(message())
    # Both fetches have read the message before either stores it: the race the unique key decides.
    both_read = threading.Barrier(2, timeout=30)
    store = mailbox.store_message

    def racing_store(*args, **kwargs):
        both_read.wait()
        return store(*args, **kwargs)

    monkeypatch.setattr(mailbox, "store_message", racing_store)
    results, errors = [], []

    def fetch():
        try:
            results.append(mailbox.fetch_mailbox(engine, now=NOW, settings=imap_settings))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(r.created for r in results) == [0, 1]
    [enquiry] = enquiries(session)
    assert enquiry.lead_centre_id == centre_by_code(HILLEROD).id
    assert (enquiry.channel, enquiry.contact_email, enquiry.contact_name) == ("mailbox", "ole@trae.test", "Ole Olsen")
    assert "Vi mangler to tømrere." in enquiry.text
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key.like("enquiry:%"))).all()
    assert [m.recipient for m in mails] == [coordinator.email]
    assert imap_server.uids("INBOX", "UNKEYWORD", mailbox.KEYWORD) == []  # marked on the server
    monkeypatch.setattr(mailbox, "store_message", store)
    assert mailbox.fetch_mailbox(engine, now=NOW, settings=imap_settings).read == 0


def test_a_crash_between_storing_and_marking_loses_nothing_and_doubles_nothing(
        engine, session, imap_server, imap_settings, monkeypatch):
    imap_server.deliver(message(message_id=None))  # no Message-ID: a stable key from the message
    mark = mailbox._mark

    def crash(*_args, **_kwargs):
        raise OSError("connection reset")

    monkeypatch.setattr(mailbox, "_mark", crash)
    with pytest.raises(mailbox.MailboxUnavailable):
        mailbox.fetch_mailbox(engine, now=NOW, settings=imap_settings)
    assert len(enquiries(session)) == 1
    monkeypatch.setattr(mailbox, "_mark", mark)
    again = mailbox.fetch_mailbox(engine, now=NOW, settings=imap_settings)
    assert (again.read, again.created) == (1, 0)
    assert len(enquiries(session)) == 1
    assert imap_server.uids("INBOX", "UNKEYWORD", mailbox.KEYWORD) == []


def test_an_outage_delays_intake_and_loses_nothing(engine, session, imap_server, imap_settings, cli_run,
                                                   app):
    imap_server.deliver(message())
    down = imap_settings.with_(imap_port=1)
    with pytest.raises(mailbox.MailboxUnavailable):
        mailbox.fetch_mailbox(engine, now=NOW, settings=down)
    app.config["NRS"] = down
    result = cli_run("enquiries", "fetch")
    assert result.exit_code == 1 and "wait" in result.output + (result.stderr or "")
    assert enquiries(session) == []
    app.config["NRS"] = imap_settings
    assert cli_run("enquiries", "fetch").output.strip() == "1 read, 1 new enquiries"
    assert len(enquiries(session)) == 1


def test_cvr_in_the_text_html_cpr_and_attachments(engine, session, imap_server, imap_settings, make_company,
                                                   settings):
    company = make_company(name="Gribskov Stål A/S", municipality_code=270)
    m = EmailMessage()
    m["From"] = "someone@gmail.com"
    m["Subject"] = "Praktik"
    m["Message-ID"] = "<html-1@gmail.com>"
    m.set_content(f"<html><head><style>p {{color: red}}</style><script>alert('x')</script></head>"
                  f"<body><p>Vi er CVR {company.cvr}.</p><p>Borgeren har CPR 010190-1234.</p></body></html>",
                  subtype="html")
    m.add_attachment(b"%PDF-1.4 stillingsopslag", maintype="application", subtype="pdf", filename="opslag.pdf")
    m.add_attachment(b"MZ...", maintype="application", subtype="x-msdownload", filename="virus.exe")
    imap_server.deliver(m)
    assert mailbox.fetch_mailbox(engine, now=NOW, settings=imap_settings).created == 1
    [enquiry] = enquiries(session)
    assert enquiry.company_id == company.id
    assert enquiry.cpr_masked and "010190" not in enquiry.text and "[CPR-nummer fjernet]" in enquiry.text
    assert "alert" not in enquiry.text and "color" not in enquiry.text and "<p>" not in enquiry.text
    assert f"Vi er CVR {company.cvr}." in enquiry.text
    assert "virus.exe" in enquiry.text  # named as left out
    [kept] = session.exec(select(EnquiryAttachment)).all()
    assert kept.filename == "opslag.pdf"
    assert (imap_settings.instance_path / "enquiries" / kept.path).read_bytes() == b"%PDF-1.4 stillingsopslag"


def test_fetched_messages_are_moved_to_the_done_folder(engine, session, imap_server, imap_settings):
    imap_server.deliver(message())
    moving = imap_settings.with_(imap_done_folder="Done")
    assert mailbox.fetch_mailbox(engine, now=NOW, settings=moving).created == 1
    assert imap_server.uids("INBOX") == []
    assert len(imap_server.uids("Done")) == 1
