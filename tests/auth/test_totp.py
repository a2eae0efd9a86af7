"""Two-factor login: enrolment by the QR code's secret, login with a code, recovery codes, throttling."""

from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
import sqlalchemy as sa
from sqlmodel import select

from nrs import create_app
from nrs.audit.models import AuditEvent
from nrs.auth import totp
from nrs.auth.models import User
from nrs.clock import utcnow
from tests.conftest import BACKENDS, PASSWORD, csrf_token, login, post_form


@pytest.fixture
def settings(settings):
    return settings.with_(admin_totp_required=True)


def _secret(html: str) -> str:
    return re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)


def _codes(html: str) -> list[str]:
    block = html.split('data-testid="recovery-codes"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<code>([A-Z0-9-]+)</code>", block)


def _next_code(secret: str) -> str:
    """The code of the coming 30-second step: newer than the one enrolment used, still accepted."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def _logout(client) -> None:
    client.post("/log-ud", data={"csrf_token": csrf_token(client, "/")})


@pytest.fixture
def enrolled(app, session, make_user):
    """``enrolled(role=…, centre=…)``: a user with TOTP on, their secret and recovery codes."""

    def make(role="staff", centre=201) -> tuple[User, str, list[str]]:
        user = make_user(role=role, centre=centre)
        secret = totp.new_secret()
        with app.app_context():  # the secret is sealed with the app's key, as inside a request
            codes = totp.enrol(session, session.get(User, user.id), secret=secret, code=pyotp.TOTP(secret).now())
        session.commit()
        return user, secret, codes

    return make


def test_admin_enrols_by_the_qr_codes_secret_and_logs_in_with_a_code(client, make_user, session):
    admin = make_user(role="admin")
    assert login(client, admin.email).status_code == 302
    # Without a second factor an admin reaches nothing but the enrolment page.
    held = client.get("/admin/brugere")
    assert held.status_code == 302 and held.headers["Location"] == "/konto/totrin"
    page = client.get("/konto/totrin").get_data(as_text=True)
    assert "<svg" in page and "Totrinslogin er påkrævet" in page
    secret = _secret(page)
    wrong = post_form(client, "/konto/totrin", {"code": "000000"})
    assert wrong.status_code == 400 and "Koden passer ikke" in wrong.get_data(as_text=True)
    done = post_form(client, "/konto/totrin", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = _codes(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/brugere").status_code == 200
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "totp_enrol",
                                                 AuditEvent.entity_id == str(admin.id))).one()

    _logout(client)
    step_one = login(client, admin.email)
    assert step_one.status_code == 302 and step_one.headers["Location"] == "/login/kode"
    assert client.get("/").status_code == 302  # the password alone is no session
    code = _next_code(secret)
    assert post_form(client, "/login/kode", {"code": code}).status_code == 302
    assert client.get("/admin/brugere").status_code == 200

    # The same code a second time is refused: a code is good once.
    _logout(client)
    login(client, admin.email)
    replay = post_form(client, "/login/kode", {"code": code})
    assert replay.status_code == 401 and "Forkert eller allerede brugt kode" in replay.get_data(as_text=True)


def _sent_at_once(app, monkeypatch, user, codes: list[str]) -> list[int]:
    """Each code posted by its own browser that has passed the password step, both checked before
    either is settled: the read-only check passes for both, only the settling can tell them apart."""
    clients = [app.test_client() for _ in codes]
    tokens = []
    for c in clients:
        assert login(c, user.email).headers["Location"] == "/login/kode"
        tokens.append(csrf_token(c, "/login/kode"))
    both_checked = threading.Barrier(len(codes), timeout=20)
    real_check = totp.fresh_step

    def check_then_wait(*args, **kwargs):
        step = real_check(*args, **kwargs)
        both_checked.wait()
        return step

    monkeypatch.setattr(totp, "fresh_step", check_then_wait)
    statuses: list[int] = []

    def send(c, token, code):
        statuses.append(c.post("/login/kode", data={"csrf_token": token, "code": code}).status_code)

    threads = [threading.Thread(target=send, args=args) for args in zip(clients, tokens, codes, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


#: Two logins in flight at once: PostgreSQL's. SQLite runs one writing request at a time (each
#: POST's transaction begins IMMEDIATE), so there the second request is the plain replay above.
AT_ONCE = pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgresql"])


@AT_ONCE
def test_one_code_sent_twice_at_once_lets_in_one_login(enrolled, app, monkeypatch, make_user, session):
    user, secret, _codes_ = enrolled()
    assert _sent_at_once(app, monkeypatch, user, [_next_code(secret)] * 2) == [302, 401]
    logins = session.exec(select(AuditEvent).where(AuditEvent.action == "login",
                                                   AuditEvent.entity_id == str(user.id))).all()
    assert len(logins) == 1


@AT_ONCE
def test_one_recovery_code_sent_twice_at_once_lets_in_one_login(enrolled, app, monkeypatch, make_user, session):
    user, _secret_, codes = enrolled()
    assert _sent_at_once(app, monkeypatch, user, [codes[0]] * 2) == [302, 401]
    used = session.exec(select(AuditEvent).where(AuditEvent.action == "totp_recovery_code_used")).all()
    assert len(used) == 1


def test_a_recovery_code_works_once_and_is_audited(enrolled, client, make_user, session):
    user, _secret_, codes = enrolled()
    login(client, user.email)
    first = post_form(client, "/login/kode", {"code": codes[3].lower()})
    assert first.status_code == 302
    assert "der er 9 tilbage" in client.get("/").get_data(as_text=True)
    used = session.exec(select(AuditEvent).where(AuditEvent.action == "totp_recovery_code_used")).all()
    assert [e.entity_id for e in used] == [str(user.id)]
    _logout(client)
    login(client, user.email)
    again = post_form(client, "/login/kode", {"code": codes[3]})
    assert again.status_code == 401
    assert client.get("/").status_code == 302


def test_codes_are_throttled_like_the_password(enrolled, client, make_user, session):
    user, secret, _codes_ = enrolled()
    login(client, user.email)
    for _ in range(5):
        assert post_form(client, "/login/kode", {"code": "123456"}).status_code == 401
    blocked = post_form(client, "/login/kode", {"code": _next_code(secret)})
    assert blocked.status_code == 429
    assert "For mange mislykkede forsøg" in blocked.get_data(as_text=True)


def test_the_password_step_is_not_skipped(enrolled, client, make_user, session):
    user, secret, _codes_ = enrolled()
    response = post_form(client, "/login/kode", {"code": _next_code(secret)}, form_url="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_an_admin_resets_a_lost_second_factor(enrolled, client, app, make_user, session):
    user, secret, _codes_ = enrolled()
    other = app.test_client()
    login(other, user.email)
    post_form(other, "/login/kode", {"code": _next_code(secret)}, form_url="/login")
    assert other.get("/").status_code == 200
    admin, admin_secret, _ = enrolled(role="admin")
    login(client, admin.email)
    post_form(client, "/login/kode", {"code": _next_code(admin_secret)}, form_url="/login")
    page = client.get(f"/admin/brugere/{user.id}").get_data(as_text=True)
    assert "Nulstil totrinslogin" in page
    response = post_form(client, f"/admin/brugere/{user.id}/totrin/nulstil", {"confirm": "1"}, form_url=f"/admin/brugere/{user.id}")
    assert response.status_code == 302
    session.expire_all()
    assert not session.get(User, user.id).has_totp
    assert other.get("/").status_code == 302  # the user's sessions ended with it
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "totp_reset")).one()
    assert event.user_id == admin.id and event.entity_id == str(user.id)
    # Staff (not required) log in with the password alone again.
    assert login(other, user.email).headers["Location"] == "/"


@pytest.fixture
def centre_rule(settings):
    return settings.with_(totp_required_centres=frozenset({217}))


def test_a_centre_can_require_it_for_everyone(app, make_user, centre_rule):
    app.config["NRS"] = centre_rule
    helsingor, allerod = app.test_client(), app.test_client()
    login(helsingor, make_user(centre=217).email)
    assert helsingor.get("/").headers.get("Location") == "/konto/totrin"
    login(allerod, make_user(centre=201).email)
    assert allerod.get("/").status_code == 200


def test_staff_may_enrol_of_their_own_accord(client, make_user):
    user = make_user()
    login(client, user.email, PASSWORD)
    page = client.get("/konto/totrin").get_data(as_text=True)
    assert "påkrævet" not in page
    secret = _secret(page)
    assert post_form(client, "/konto/totrin", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert "Totrinslogin er slået til" in client.get("/konto/totrin").get_data(as_text=True)
    _logout(client)
    assert login(client, user.email).headers["Location"] == "/login/kode"


def test_the_last_admins_lost_phone_is_reset_from_the_command_line(enrolled, cli_run, make_user, session):
    admin, _secret_, _codes_ = enrolled(role="admin")
    result = cli_run("users", "reset-totp", "--email", admin.email.upper())
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert not session.get(User, admin.id).has_totp
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "totp_reset")).one().user_id is None
    again = cli_run("users", "reset-totp", "--email", admin.email)
    assert again.exit_code == 1


def _stored_secret(session, user) -> str:
    return session.execute(sa.text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar_one()


def test_the_secret_is_stored_sealed_and_opens_only_with_the_secret_key(enrolled, app, settings, make_user, session):
    user, secret, _codes_ = enrolled()
    stored = _stored_secret(session, user)
    # A copy of the database (or of a backup) does not hold the secret that makes the codes.
    assert len(stored) == 64 and secret not in stored
    with app.app_context():
        assert totp.unseal(user.id, stored) == secret
        # Bound to its user: copied into another user's row it does not open.
        assert totp.unseal(user.id + 1, stored) is None
    # Another secret key (a database restored beside the wrong NRS_SECRET_KEY) opens nothing: the
    # code is refused with the usual message, not a server error.
    other = create_app(settings.with_(secret_key="another-secret-key"))
    try:
        with other.app_context():
            assert totp.unseal(user.id, stored) is None
        browser = other.test_client()
        assert login(browser, user.email).headers["Location"] == "/login/kode"
        refused = post_form(browser, "/login/kode", {"code": _next_code(secret)})
        assert refused.status_code == 401 and "Forkert eller allerede brugt kode" in refused.get_data(as_text=True)
    finally:
        other.extensions["nrs_engine"].dispose()


def test_a_secret_stored_before_sealing_still_works_and_is_sealed_at_the_next_login(client, make_user, session):
    user = make_user(role="staff", centre=201)
    secret = totp.new_secret()
    session.execute(sa.update(User).where(User.id == user.id).values(totp_secret=secret, totp_enabled_at=utcnow()))
    session.commit()
    assert login(client, user.email).headers["Location"] == "/login/kode"
    assert post_form(client, "/login/kode", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    stored = _stored_secret(session, user)
    assert len(stored) == 64 and secret not in stored
    # ...and the next login opens the sealed one.
    _logout(client)
    login(client, user.email)
    assert post_form(client, "/login/kode", {"code": _next_code(secret)}).status_code == 302
