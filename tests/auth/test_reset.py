"""Password reset by e-mail, and the forced change after an admin sets a password."""

from __future__ import annotations

import re
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import select

from nrs.auth import reset
from nrs.auth.models import User
from nrs.mail.models import OutboxMessage
from tests.conftest import PASSWORD, csrf_token, login, post_form

NEW_PASSWORD = "ny-lang-adgangskode-2017"


def _ask(client, email: str):
    return post_form(client, "/login/glemt", {"email": email})


def _mails(session, to: str) -> list[OutboxMessage]:
    return session.exec(select(OutboxMessage).where(OutboxMessage.recipient == to,
                                                    OutboxMessage.kind == "password-reset")).all()


def _link_path(message: OutboxMessage) -> str:
    return re.search(r"http://nrs\.test(/login/nulstil/\S+)", message.body_text).group(1)


def _answer(response) -> str:
    return response.get_data(as_text=True).split('data-testid="reset-sent">', 1)[1].split("</p>", 1)[0]


def test_the_answer_is_the_same_whether_or_not_the_address_exists(client, make_user, session):
    user = make_user()
    known, unknown = _ask(client, user.email.upper()), _ask(client, "ingen@findes.test")
    assert known.status_code == unknown.status_code == 200
    assert _answer(known) == _answer(unknown)
    assert len(_mails(session, user.email)) == 1
    assert session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "ingen@findes.test")).all() == []


def test_the_link_sets_a_new_password_once_and_ends_every_session(client, app, make_user, session):
    user = make_user()
    elsewhere = app.test_client()
    login(elsewhere, user.email)
    assert elsewhere.get("/").status_code == 200
    _ask(client, user.email)
    path = _link_path(_mails(session, user.email)[0])
    assert client.get(path).status_code == 200
    mismatch = post_form(client, path, {"new": NEW_PASSWORD, "repeat": "noget-andet-helt-2017"})
    assert mismatch.status_code == 400 and "De to adgangskoder er ikke ens." in mismatch.get_data(as_text=True)
    weak = post_form(client, path, {"new": "kort", "repeat": "kort"})
    assert weak.status_code == 400 and "mindst 12 tegn" in weak.get_data(as_text=True)
    done = post_form(client, path, {"new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert elsewhere.get("/").status_code == 302  # the other session is over
    assert login(client, user.email, PASSWORD).status_code == 401
    assert login(client, user.email, NEW_PASSWORD).status_code == 302
    # Used once, the link is dead.
    again = client.get(path)
    assert again.status_code == 400 and "udløbet eller allerede brugt" in again.get_data(as_text=True)


def test_a_link_older_than_30_minutes_is_refused(client, make_user, app):
    user = make_user()

    class HalfAnHourAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 31 * 60

    with app.app_context():
        token = reset.make_token(app.config["SECRET_KEY"], user)
        stale = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=reset.SALT, signer=HalfAnHourAgo).dumps(
            URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=reset.SALT).loads(token))
    assert client.get(f"/login/nulstil/{token}").status_code == 200
    assert client.get(f"/login/nulstil/{stale}").status_code == 400
    assert client.get(f"/login/nulstil/{token[:-3]}abc").status_code == 400  # a forged signature


def test_requests_are_throttled_per_account_and_per_address(client, make_user, session):
    user = make_user()
    for _ in range(4):
        assert _ask(client, user.email).status_code == 200
    assert len(_mails(session, user.email)) == reset.PER_ACCOUNT  # the fourth answer is the same, unsent
    for n in range(reset.PER_ADDRESS - 4):
        assert _ask(client, f"nogen{n}@findes.test").status_code == 200
    refused = _ask(client, "endnu.en@findes.test")
    assert refused.status_code == 429
    assert "For mange forsøg fra din adresse" in refused.get_data(as_text=True)


def test_a_deactivated_user_gets_no_mail(client, make_user, session):
    user = make_user(active=False)
    assert _ask(client, user.email).status_code == 200
    assert _mails(session, user.email) == []


def test_a_password_set_by_an_admin_must_be_changed_at_next_login(client, app, login_as, make_user, session):
    staff = make_user()
    login_as("admin")
    response = post_form(client, f"/admin/brugere/{staff.id}",
                         {"email": staff.email, "name": staff.name, "centre": staff.job_centre_id,
                          "role": "staff", "weekly_email": "y", "active": "y",
                          "password": "admin-valgt-kode-2016"})
    assert response.status_code == 302
    user_client = app.test_client()
    assert login(user_client, staff.email, "admin-valgt-kode-2016").status_code == 302
    held = user_client.get("/")
    assert held.status_code == 302 and held.headers["Location"] == "/adgangskode"
    token = csrf_token(user_client, "/adgangskode")
    changed = user_client.post("/adgangskode", data={"csrf_token": token, "current": "admin-valgt-kode-2016",
                                                  "new": NEW_PASSWORD})
    assert changed.status_code == 302
    assert user_client.get("/").status_code == 200
    session.expire_all()
    assert not session.get(User, staff.id).must_change_password
