"""Login throttling that slows guessing without letting anyone lock a real user out.

Each test is a situation from the security review (issue 13, item 3): what the attacker does, and
what the real user then sees.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.auth.models import LoginThrottle
from nrs.clock import utcnow
from tests.conftest import PASSWORD, csrf_token, login, post_form

WRONG = "forkert-forkert-forkert"


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: no test waits for a refusal window to pass."""

    class Clock:
        now = utcnow()

        def advance(self, **delta):
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr("nrs.auth.throttle.utcnow", lambda: c.now)
    return c


def _failures(session, action="login_failed"):
    session.expire_all()
    return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


# --- (a) someone else's failures never lock the real user out ------------------------------------

def test_attacker_hammering_an_account_does_not_lock_out_its_user(app, make_user):
    victim = make_user()
    attacker = _from(app, "203.0.113.66")
    answers = [login(attacker, victim.email, WRONG).status_code for _ in range(9)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    # The real user, from their own address, gets in with the right password at once.
    assert login(_from(app, "198.51.100.20"), victim.email).status_code == 302
    # The attacker, even with the right password, is still refused from where the guesses came.
    assert login(attacker, victim.email).status_code == 429


def test_account_under_attack_from_many_addresses_gives_each_address_one_guess(app, make_user):
    victim = make_user()
    for i in range(6):
        assert login(_from(app, f"203.0.113.{i + 1}"), victim.email, WRONG).status_code == 401
    # Now the account is under attack: a further address gets one guess, then must wait.
    botnet = _from(app, "203.0.113.99")
    assert login(botnet, victim.email, WRONG).status_code == 401
    refused = login(botnet, victim.email, WRONG)
    assert refused.status_code == 429
    assert "For mange mislykkede forsøg" in refused.get_data(as_text=True)
    # An address with no failures still gets in with the right password.
    assert login(_from(app, "198.51.100.20"), victim.email).status_code == 302


def test_refusals_step_up_and_end(app, make_user, clock):
    victim = make_user()
    attacker = _from(app, "203.0.113.66")
    for _ in range(5):
        assert login(attacker, victim.email, WRONG).status_code == 401
    assert login(attacker, victim.email, WRONG).status_code == 429
    clock.advance(seconds=31)
    assert login(attacker, victim.email, WRONG).status_code == 401  # one more guess after 30 s
    clock.advance(seconds=31)
    assert login(attacker, victim.email, WRONG).status_code == 429  # the next wait is longer (1 min)
    clock.advance(seconds=30)
    assert login(attacker, victim.email).status_code == 302
    # A success clears that address's count for the account.
    assert login(_from(app, "203.0.113.66"), victim.email, WRONG).status_code == 401


def test_refusal_reads_the_same_for_unknown_and_known_accounts(app, make_user):
    user = make_user()
    pages = {}
    for email in (user.email, "ingen@findes.test"):
        c = _from(app, "203.0.113.7")
        for _ in range(5):
            assert login(c, email, WRONG).status_code == 401
        refused = login(c, email, WRONG)
        assert refused.status_code == 429
        html = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", refused.get_data(as_text=True))
        pages[email] = re.sub(r'value="[^"]*"', "", html)  # the typed e-mail is echoed back
    assert "For mange mislykkede forsøg" in pages[user.email]
    assert pages[user.email] == pages["ingen@findes.test"]


# --- (b) failures from one address do not block everyone behind it --------------------------------

def test_password_spraying_from_a_shared_address_spares_its_regular_users(app, make_user):
    colleague = make_user()
    office = "192.0.2.10"  # the municipality's NAT address
    assert login(_from(app, office), colleague.email).status_code == 302
    sprayer = _from(app, office)
    for i in range(20):
        assert login(sprayer, f"gaet{i}@c201.test", WRONG).status_code == 401
    # The sprayer is refused on any further account, right password or not: no oracle.
    newcomer = make_user()
    assert login(sprayer, "gaet99@c201.test", WRONG).status_code == 429
    assert login(sprayer, newcomer.email).status_code == 429
    # A colleague who has logged in from this address before gets in; other addresses are untouched.
    assert login(_from(app, office), colleague.email).status_code == 302
    assert login(_from(app, "198.51.100.20"), newcomer.email).status_code == 302


def test_ipv6_addresses_of_one_network_count_together(app, make_user):
    user = make_user()
    for i in range(20):
        assert login(_from(app, f"2001:db8:1:2::{i + 1:x}"), f"gaet{i}@c201.test", WRONG).status_code == 401
    assert login(_from(app, "2001:db8:1:2:ffff::1"), user.email).status_code == 429
    assert login(_from(app, "2001:db8:1:3::1"), user.email).status_code == 302


@pytest.mark.parametrize(("raw", "counted_as"), [
    ("203.0.113.5", "203.0.113.5"),
    ("::ffff:203.0.113.5", "203.0.113.5"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::9", "2001:db8:1:2::/64"),
    ("x" * 5000, "invalid"),
    ("", "invalid"),
    (None, "invalid"),
    ("203.0.113.5, 10.0.0.1", "invalid"),
])
def test_client_address_is_normalised_and_bounded(raw, counted_as):
    from nrs.auth import throttle

    assert throttle.client_address(raw) == counted_as


# --- (d) concurrent failures are counted exactly, never a 500 -------------------------------------

def _together(app, n: int, make_request):
    """Send ``n`` requests at the same moment from ``n`` threads; their status codes."""
    barrier = threading.Barrier(n)
    results: list[int | str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            request = make_request(i)
        except Exception as exc:
            barrier.abort()
            status = f"could not prepare: {exc!r}"
        else:
            try:
                barrier.wait(timeout=120)
                status = request()
            except threading.BrokenBarrierError:
                status = "another thread could not prepare"
            except Exception as exc:  # the browser would see a 500
                status = f"500 {exc!r}"
        with lock:
            results.append(status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _prepared_login(app, address: str, email: str, password: str):
    client = _from(app, address)
    token = csrf_token(client, "/login")
    return lambda: client.post("/login", data={"csrf_token": token, "email": email,
                                               "password": password}).status_code


def test_concurrent_guesses_from_one_address_are_counted_exactly(app, make_user, session):
    email = make_user().email  # read here: the fixture's objects are not for other threads
    answers = _together(app, 12, lambda i: _prepared_login(app, "203.0.113.66", email, WRONG))
    assert sorted(answers, key=str) == [401] * 5 + [429] * 7, answers
    assert len(_failures(session)) == 5
    assert login(_from(app, "198.51.100.20"), email).status_code == 302


def test_concurrent_guesses_from_many_addresses_are_all_counted(app, make_user, session):
    email = make_user().email
    answers = _together(app, 10, lambda i: _prepared_login(app, f"203.0.113.{i + 1}", email, WRONG))
    assert answers == [401] * 10, answers
    assert len(_failures(session)) == 10
    session.expire_all()
    assert session.get(LoginThrottle, f"account:{email}").failures == 10
    # Every one of them counted towards the account: each of those addresses must now wait.
    assert login(_from(app, "203.0.113.1"), email, WRONG).status_code == 429
    assert login(_from(app, "198.51.100.20"), email).status_code == 302


# --- (e) the change-password form's current-password check ----------------------------------------

def test_guessing_the_current_password_is_throttled_and_logged(client, login_as, session):
    user = login_as("staff")
    for _ in range(5):
        r = post_form(client, "/adgangskode", {"current": WRONG, "new": "ny-og-bedre-adgangskode-77"})
        assert r.status_code == 400
        assert "Forkert adgangskode." in r.get_data(as_text=True)
    refused = post_form(client, "/adgangskode", {"current": PASSWORD, "new": "ny-og-bedre-adgangskode-77"})
    assert refused.status_code == 429
    assert "For mange mislykkede forsøg" in refused.get_data(as_text=True)
    failed = _failures(session, "password_check_failed")
    assert len(failed) == 5
    assert {(e.user_id, e.entity_id, e.note) for e in failed} == {(user.id, str(user.id), "127.0.0.1")}
    session.expire_all()
    from nrs.auth.models import User
    from nrs.auth.passwords import verify_password

    assert verify_password(session.get(User, user.id).password_hash, PASSWORD)  # unchanged


# --- the migration keeps the counters a running system has ----------------------------------------

def test_migration_0014_keeps_existing_counters(database_url):
    import sqlalchemy as sa
    from alembic import command
    from sqlmodel.sql.sqltypes import UTCDateTime

    from nrs.db import alembic_config, make_engine

    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0014-1")
    first, until = utcnow() - timedelta(minutes=3), utcnow() + timedelta(minutes=2)
    old = sa.table("login_throttles", sa.column("key"), sa.column("failures"),
                   sa.column("first_failure_at", UTCDateTime()), sa.column("blocked_until", UTCDateTime()))
    engine = make_engine(database_url)
    try:
        with engine.begin() as c:
            c.execute(old.insert(), [
                {"key": "account:a@c201.test", "failures": 7, "first_failure_at": first, "blocked_until": until},
                {"key": "address:192.0.2.1", "failures": 3, "first_failure_at": first, "blocked_until": None},
            ])
        command.upgrade(cfg, "head")
        with engine.connect() as c:
            rows = {r.key: r for r in c.execute(sa.select(LoginThrottle.__table__))}
    finally:
        engine.dispose()
    assert (rows["account:a@c201.test"].failures, rows["account:a@c201.test"].last_failure_at) == (7, until)
    assert (rows["address:192.0.2.1"].failures, rows["address:192.0.2.1"].last_failure_at) == (3, first)
    assert rows["address:192.0.2.1"].last_success_at is None
