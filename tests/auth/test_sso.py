"""Single sign-on against a real OIDC provider process (tests/auth/oidc_provider.py) on loopback.

The Flask test client plays the browser on NRS's side, ``requests`` on the provider's: every hop
is the real redirect, the provider's login page is fetched and its form posted, and NRS fetches
discovery, JWKS and the token over HTTP. Nothing in the login is patched.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.auth.models import Role, SsoIdentity, User
from nrs.config import OidcProvider
from tests.auth.oidc_provider import Running
from tests.conftest import PASSWORD, login


@pytest.fixture(scope="module")
def idp():
    with Running("nrs-hil:hil-secret") as url:
        yield url


def hil(idp: str, **changes) -> OidcProvider:
    values = dict(name="hil", issuer=idp, client_id="nrs-hil", client_secret="hil-secret", centre=219,
                  domains=("hillerod.test",), label="Hillerød")
    values.update(changes)
    return OidcProvider(**values)


@pytest.fixture
def provider_options():
    return {}


@pytest.fixture
def settings(settings, idp, provider_options):
    return settings.with_(oidc_providers=(hil(idp, **provider_options),), admin_totp_required=True)


def sso_login(client, idp: str, email: str, *, bend: dict | None = None, tamper=None):
    """Click "Log ind med Hillerød", log in on the provider's page, follow it back to NRS."""
    start = client.get("/login/sso/hil")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{idp}/authorize?")
    query = dict(parse_qsl(urlsplit(authorize).query))
    assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
    page = requests.get(authorize, timeout=10)
    assert page.status_code == 200 and "Test-IdP" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    if bend:
        requests.post(f"{idp}/_test/next", json=bend, timeout=10).raise_for_status()
    back = requests.post(f"{idp}/authorize", data={**fields, "login_email": email, "login_name": "Anne Hansen"},
                         allow_redirects=False, timeout=10)
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://nrs.test/login/sso/hil/callback"
    params = dict(parse_qsl(location.query))
    if tamper:
        params = tamper(params)
    return client.get(f"{location.path}?{urlencode(params)}")


def test_login_page_offers_the_centres_provider(client, idp):
    html = client.get("/login").get_data(as_text=True)
    assert "Log ind med Hillerød" in html
    from tests.conftest import csrf_token

    token = csrf_token(client, "/login")
    by_domain = client.post("/login/sso", data={"csrf_token": token, "email": "Anne@Hillerod.test"})
    assert by_domain.status_code == 302 and by_domain.headers["Location"].startswith("/login/sso/hil")
    other = client.post("/login/sso", data={"csrf_token": token, "email": "anne@egedal.test"})
    assert other.status_code == 400
    assert "Der er ikke single sign-on for dette e-maildomæne" in other.get_data(as_text=True)


def test_known_email_is_linked_and_lands_on_the_front_page(client, idp, make_user, session):
    user = make_user(centre=219, email="anne@hillerod.test")
    response = sso_login(client, idp, "anne@hillerod.test")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    identity = session.exec(select(SsoIdentity).where(SsoIdentity.user_id == user.id)).one()
    assert identity.issuer == idp
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(user.id)))]
    assert "sso_link" in actions and "login" in actions
    # The second login finds the link; no second one is made.
    client.post("/log-ud", data={"csrf_token": _token(client)})
    assert sso_login(client, idp, "anne@hillerod.test").status_code == 302
    assert len(session.exec(select(SsoIdentity).where(SsoIdentity.user_id == user.id)).all()) == 1


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/")


def _refused(response, status: int, words: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert words in response.get_data(as_text=True)


def test_a_wrong_state_is_refused(client, idp, make_user):
    make_user(centre=219, email="anne@hillerod.test")
    response = sso_login(client, idp, "anne@hillerod.test", tamper=lambda p: {**p, "state": "forged"})
    _refused(response, 400, "Login via Hillerød blev afvist")
    assert client.get("/").status_code == 302  # not logged in


def test_an_expired_id_token_is_refused(client, idp, make_user):
    make_user(centre=219, email="anne@hillerod.test")
    response = sso_login(client, idp, "anne@hillerod.test", bend={"exp_offset": -900})
    _refused(response, 400, "Login via Hillerød blev afvist")
    assert client.get("/").status_code == 302


def test_an_id_token_for_another_audience_is_refused(client, idp, make_user):
    make_user(centre=219, email="anne@hillerod.test")
    response = sso_login(client, idp, "anne@hillerod.test", bend={"aud": "another-application"})
    _refused(response, 400, "Login via Hillerød blev afvist")
    assert client.get("/").status_code == 302


def test_an_id_token_signed_with_another_key_is_refused(client, idp, make_user):
    make_user(centre=219, email="anne@hillerod.test")
    response = sso_login(client, idp, "anne@hillerod.test", bend={"foreign_key": True})
    _refused(response, 400, "Login via Hillerød blev afvist")


def test_a_wrong_nonce_is_refused(client, idp, make_user):
    make_user(centre=219, email="anne@hillerod.test")
    response = sso_login(client, idp, "anne@hillerod.test", bend={"nonce": "replayed"})
    _refused(response, 400, "Login via Hillerød blev afvist")


def test_a_deactivated_user_is_refused(client, idp, make_user, session):
    make_user(centre=219, email="anne@hillerod.test", active=False)
    response = sso_login(client, idp, "anne@hillerod.test")
    _refused(response, 403, "Din bruger i NRS er deaktiveret.")
    assert client.get("/").status_code == 302
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "sso_refused")).all()
    assert len(refused) == 1


def test_a_user_deactivated_while_logged_in_is_out_at_the_next_request(client, idp, make_user, session):
    user = make_user(centre=219, email="anne@hillerod.test")
    assert sso_login(client, idp, "anne@hillerod.test").status_code == 302
    assert client.get("/").status_code == 200
    from nrs.auth import services

    services.update_user(session, session.get(User, user.id), by=None, active=False)
    session.commit()
    assert client.get("/").status_code == 302


def test_an_unknown_user_is_refused_when_the_provider_may_not_create(client, idp, session):
    response = sso_login(client, idp, "ny@hillerod.test")
    _refused(response, 403, "Du har endnu ingen bruger i NRS")
    assert session.exec(select(User).where(User.email == "ny@hillerod.test")).first() is None


@pytest.mark.parametrize("provider_options", [{"create_users": True}])
def test_an_unknown_user_is_created_as_staff_of_the_centre(client, idp, session, centre_by_code):
    response = sso_login(client, idp, "Ny@Hillerod.test")
    assert response.status_code == 302
    user = session.exec(select(User).where(User.email == "ny@hillerod.test")).one()
    assert user.role == Role.staff and user.job_centre_id == centre_by_code(219).id
    assert client.get("/").status_code == 200
    # No local password comes with it.
    client.post("/log-ud", data={"csrf_token": _token(client)})
    assert login(client, "ny@hillerod.test", "!sso").status_code in (400, 401)


@pytest.mark.parametrize("provider_options", [{"create_users": True}])
def test_a_provider_vouches_only_for_its_own_domains(client, idp, make_user, session):
    make_user(centre=240, email="admin@egedal.test", role="admin")
    response = sso_login(client, idp, "admin@egedal.test")
    _refused(response, 403, "ingen e-mailadresse, som NRS kender")
    assert client.get("/").status_code == 302


def test_an_admin_by_sso_owes_no_second_factor_in_nrs(client, idp, make_user):
    make_user(centre=219, email="chef@hillerod.test", role="admin")
    assert sso_login(client, idp, "chef@hillerod.test").status_code == 302
    assert client.get("/admin/brugere").status_code == 200


@pytest.mark.parametrize("provider_options", [{"password_login": False}])
def test_local_passwords_switched_off_for_the_centre(client, idp, make_user):
    make_user(centre=219, email="anne@hillerod.test")
    response = login(client, "anne@hillerod.test", PASSWORD)
    _refused(response, 400, "Hillerød logger ind med single sign-on")
    assert client.get("/").status_code == 302
    # A user of the centre with an address of another domain is refused too, after the password.
    make_user(centre=219, email="vikar@example.test")
    _refused(login(client, "vikar@example.test", PASSWORD), 403, "logger ind med single sign-on")
    # The way in that is left works.
    assert sso_login(client, idp, "anne@hillerod.test").status_code == 302
    assert client.get("/").status_code == 200


def test_providers_come_from_the_environment(tmp_path):
    from nrs.config import ConfigError, Settings

    env = {"NRS_INSTANCE_PATH": str(tmp_path), "NRS_OIDC_PROVIDERS": "hil, ege",
           **{f"NRS_OIDC_{n}_{k}": v for n in ("HIL", "EGE") for k, v in
              (("ISSUER", f"https://idp.{n.lower()}.test/"), ("CLIENT_ID", "nrs"), ("CLIENT_SECRET", "s"),
               ("CENTRE", "219" if n == "HIL" else "240"), ("DOMAINS", f"{n.lower()}.test"))},
           "NRS_OIDC_EGE_PASSWORD_LOGIN": "false", "NRS_TOTP_REQUIRED_CENTRES": "201,217"}
    settings = Settings.from_env(env)
    assert [(p.name, p.issuer, p.centre, p.domains, p.password_login) for p in settings.oidc_providers] == [
        ("hil", "https://idp.hil.test", 219, ("hil.test",), True),
        ("ege", "https://idp.ege.test", 240, ("ege.test",), False)]
    assert settings.admin_totp_required and settings.totp_required_centres == {201, 217}
    del env["NRS_OIDC_EGE_CLIENT_SECRET"]
    with pytest.raises(ConfigError, match="NRS_OIDC_EGE_CLIENT_SECRET"):
        Settings.from_env(env)
