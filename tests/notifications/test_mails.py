"""Every mail can be left with one click; the Monday mail in the browser; two schedulers notify once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from nrs.auth.models import User
from nrs.companies.models import Company
from nrs.mail.models import OutboxMessage
from nrs.notifications import services, unsubscribe
from nrs.notifications.models import Delivery, Notification, NotificationKind, NotificationSetting
from tests.conftest import login
from tests.mail.weekly_data import WEEK, week_data  # noqa: F401 - fixture

HILLEROD = 219


def test_the_weekly_mail_carries_a_one_click_unsubscribe_that_needs_no_login(
        cli_run, client, session, smtp_server, week_data):  # noqa: F811
    assert cli_run("reports", "weekly", "--week", WEEK, "--send").exit_code == 0
    karen = smtp_server.to("karen@allerod.test")[0]
    header = karen.message["List-Unsubscribe"]
    assert karen.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url in karen.part("plain") and url in karen.part("html")
    path = url.removeprefix("http://nrs.test")

    # a link scanner's GET only asks
    page = client.get(path)
    assert page.status_code == 200 and "karen@allerod.test" in page.get_data(as_text=True)
    user = session.exec(select(User).where(User.email == "karen@allerod.test")).one()
    assert user.weekly_email is True

    # the mail client's one-click POST (RFC 8058): no session, no CSRF token
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    session.expire_all()
    assert session.get(User, user.id).weekly_email is False
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200   # twice is fine

    # next week she gets none; the others still do
    assert cli_run("reports", "weekly", "--week", "2016-W14").exit_code == 0
    recipients = session.exec(select(OutboxMessage.recipient).where(
        OutboxMessage.idempotency_key.like("weekly:2016-W14:%"))).all()
    assert "karen@allerod.test" not in recipients and "ole@hillerod.test" in recipients


def test_a_forged_or_damaged_token_changes_nothing(app, client, session, make_user):
    user = make_user("staff", 201)
    with app.app_context():
        good = unsubscribe.token(user, "weekly")
        other_scope = unsubscribe.token(user, "kind:nonsense")
    for bad in (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), "x", other_scope):
        r = client.post(f"/afmeld/{bad}", data={"List-Unsubscribe": "One-Click"})
        assert r.status_code == 400 and "ugyldigt" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).weekly_email is True


def test_unsubscribing_from_one_kind_of_notification_turns_that_kind_off(app, client, session, make_user):
    user = make_user("coordinator", 201)
    with app.app_context():
        path = unsubscribe.link(user, "kind:help_requested").removeprefix("http://nrs.test")
    assert client.post(path).status_code == 200
    row = session.get(NotificationSetting, (user.id, NotificationKind.help_requested))
    assert row is not None and row.delivery == Delivery.off
    with app.app_context():
        made = services.notify(session, kind=NotificationKind.help_requested, users=[session.get(User, user.id)],
                               event_key="help_request:1", text="Hjælp", link="/", now=datetime.now(UTC))
    assert made == []


def test_a_user_previews_their_own_monday_mail_and_a_future_week_is_refused(
        client, cli_run, session, week_data):  # noqa: F811
    assert login(client, "karen@allerod.test").status_code == 302
    page = client.get(f"/notifikationer/ugemail?uge={WEEK}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Hej Karen Jensen" in html and "Murer, Allerød Byg ApS" in html
    assert "NRS ugestatus, uge 13 2016: Jobcenter Allerød" in html
    as_html = client.get(f"/notifikationer/ugemail?uge={WEEK}&format=html")
    assert as_html.status_code == 200 and "<table" in as_html.get_data(as_text=True)
    assert session.exec(select(OutboxMessage)).all() == []          # a preview queues nothing

    future = date.today() + timedelta(days=14)
    week = f"{future.isocalendar().year}-W{future.isocalendar().week:02d}"
    refused = client.get(f"/notifikationer/ugemail?uge={week}")
    assert refused.status_code == 400 and "fremtiden" in refused.get_data(as_text=True)
    assert client.get("/notifikationer/ugemail?uge=2016-W54").status_code == 400
    result = cli_run("reports", "weekly", "--week", week)
    assert result.exit_code == 1 and "fremtiden" in result.stderr


def test_a_consultant_and_a_coordinator_get_the_lists_their_role_needs(app, engine, week_data):  # noqa: F811
    from nrs.db import session_scope
    from nrs.reports import weekly

    with app.app_context(), session_scope(engine) as s:
        mails = {m.to: m for m in weekly.render_all(s, week=weekly.parse_week(WEEK))}
    karen, ole = mails["karen@allerod.test"].text, mails["ole@hillerod.test"].text
    # Karen holds the idle order "Murer": hers to act on, by title and company, with its link
    assert "Mine åbne jobordrer over 14 dage uden henvisning" in karen and "Murer, Allerød Byg ApS" in karen
    assert "http://nrs.test/jobordrer/" in karen
    # Hillerød's coordinator: Allerød's request for help is Hillerød's to answer
    assert "Andre jobcentre beder om hjælp" in ole and "Murer, Allerød Byg ApS (Allerød)" in ole
    # her tasks as she reads it on Monday: the overdue one and this week's, not the done or later ones
    assert "Mine forfaldne opgaver" in karen and "Ring tilbage om lærlinge, Allerød Byg ApS" in karen
    assert "Mine opgaver i uge 14" in karen and "Send tilbud" in karen
    assert "Book møde" not in karen and "Følg op i maj" not in karen
    assert "Ring tilbage" not in ole            # another centre's tasks are not Hillerød's
    # the week's campaign contacts, not today's totals; the draft campaign is left out
    assert "1 virksomhed kontaktet i uge 13" in karen and "Kladde" not in karen + ole


def _start_together(args: list[str], env: dict, go: Path, n: int) -> list[subprocess.CompletedProcess]:
    nrs = str(Path(sys.executable).parent / "nrs")
    procs = [subprocess.Popen([nrs, *a, "--wait-for", str(go)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for a in args]
    deadline = time.time() + 120
    while len(list(go.parent.glob(go.name + ".ready.*"))) < n and time.time() < deadline:
        time.sleep(0.05)
    go.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def test_two_scheduler_processes_on_postgresql_notify_and_mail_once(
        backend, database_url, session, smtp_server, make_user, make_company, make_agreement, tmp_path):
    """Two processes run the agreement scan at once (different due times, so both really run:
    the lease does not save them), then two send the outbox: one notification, one e-mail."""
    if backend != "postgresql":
        pytest.skip("two OS processes against one server: PostgreSQL")
    coordinator = make_user("coordinator", HILLEROD, email="ole@hillerod.test")
    company = make_company(name="Hillerød Transport A/S", municipality_code=HILLEROD)
    make_agreement(session.get(Company, company.id), kind="cooperation", valid_from=date(2016, 1, 1),
                   signed_on=date(2015, 12, 15), valid_to=date(2016, 5, 15))
    session.add(NotificationSetting(user_id=coordinator.id, kind=NotificationKind.agreement_ending,
                                    delivery=Delivery.immediately))
    session.commit()
    env = dict(os.environ)
    env.update(NRS_DATABASE_URL=database_url, NRS_INSTANCE_PATH=str(tmp_path / "instance"),
               NRS_SECRET_KEY="test-secret-key-long-enough-for-a-key", NRS_BASE_URL="http://nrs.test",
               NRS_SMTP_HOST="127.0.0.1", NRS_SMTP_PORT=str(smtp_server.port), NRS_MAIL_FROM="nrs@nrs.test",
               NRS_RUN_SCHEDULER="false")
    runs = _start_together([["scheduler", "fire", "agreement_notices", "--due", f"2016-04-04T08:{m:02d}"]
                            for m in (15, 16)], env, tmp_path / "go", 2)
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    assert sorted(r.stdout.strip().rsplit(" ", 1)[-1] for r in runs) == ["ran", "ran"]
    told = session.exec(select(Notification).where(Notification.user_id == coordinator.id)).all()
    assert len(told) == 1
    assert len(session.exec(select(OutboxMessage)).all()) == 1

    senders = _start_together([["scheduler", "fire", "outbox", "--due", f"2016-04-04T09:{m:02d}"]
                               for m in (0, 1)], env, tmp_path / "go2", 2)
    assert all(r.returncode == 0 for r in senders), [r.stderr for r in senders]
    assert len(smtp_server.to("ole@hillerod.test")) == 1
