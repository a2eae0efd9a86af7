"""Hardening, checked from the outside: headers, login, sessions, redirects, uploads."""

from __future__ import annotations

import re

import pytest

from nrs import create_app
from nrs.auth.models import User
from nrs.clock import utcnow
from tests.conftest import PASSWORD, csrf_token, login, post_form

NEW_PASSWORD = "ny-og-bedre-adgangskode-77"


# --- headers --------------------------------------------------------------------------------------

def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_every_page_sends_the_hardening_headers(client, login_as):
    for response in (client.get("/login"), client.get("/static/nrs.css")):
        csp = _csp(response)
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["script-src"] == "script-src 'self'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    # Plain http (development): no HSTS, which would lock the browser to https for a year.
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_when_served_over_https(settings):
    app = create_app(settings.with_(base_url="https://nrs.example.dk"))
    try:
        response = app.test_client().get("/login", base_url="https://nrs.example.dk")
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    finally:
        app.extensions["nrs_engine"].dispose()


def test_logged_in_pages_are_never_cached(client, login_as, app):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login_as("staff")
    pages = ["/"] + [
        rule.rule for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint.split(".")[0] in ("joborders", "reports")
    ]
    for url in pages:
        response = client.get(url)
        if response.status_code == 200:
            assert "no-store" in response.headers["Cache-Control"], url


def test_no_inline_script_or_style_in_pages(client, login_as):
    login_as("admin")
    for url in ("/", "/login", "/admin/brugere", "/persondata/adgangslog"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url


# --- login ----------------------------------------------------------------------------------------

def test_login_starts_a_new_session(client, make_user):
    user = make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker before login"
    login(client, user.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{user.id}:{user.session_version}"


def test_login_changes_the_session_cookie(client, make_user):
    user = make_user()
    client.get("/login")
    before = client.get_cookie("nrs_session")
    login(client, user.email)
    after = client.get_cookie("nrs_session")
    assert after is not None and (before is None or before.value != after.value)
    assert after.http_only


def _answer(response) -> tuple[int, str]:
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", response.get_data(as_text=True))
    html = re.sub(r'value="[^"]*"', "", html)  # the typed e-mail is echoed back
    return response.status_code, html


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = _answer(login(client, user.email, "helt-forkert-adgangskode"))
    unknown = _answer(login(client, "ukendt@c201.test", "helt-forkert-adgangskode"))
    assert wrong == unknown
    assert wrong[0] == 401


def test_throttle_counts_live_in_the_database_shared_by_two_workers(settings, make_user):
    """Two app instances on one database stand for two gunicorn workers."""
    user = make_user()
    apps = [create_app(settings) for _ in range(2)]
    try:
        clients = [a.test_client() for a in apps]
        for i in range(settings.login_max_failures):
            assert login(clients[i % 2], user.email, "forkert-forkert-forkert").status_code == 401
        for c in clients:  # blocked on both workers, even with the right password
            assert login(c, user.email).status_code == 429
    finally:
        for a in apps:
            a.extensions["nrs_engine"].dispose()


def test_throttle_per_address_across_accounts_and_workers(settings, make_user):
    limit = settings.login_max_failures * 4
    victim = make_user()
    apps = [create_app(settings) for _ in range(2)]
    try:
        clients = [a.test_client() for a in apps]
        for c in clients:
            c.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        for i in range(limit):
            assert login(clients[i % 2], f"gaet{i}@c201.test", "forkert-forkert-forkert").status_code == 401
        assert login(clients[0], victim.email).status_code == 429
        other = apps[1].test_client()
        other.environ_base["REMOTE_ADDR"] = "198.51.100.8"
        assert login(other, victim.email).status_code == 302  # another address is not blocked
    finally:
        for a in apps:
            a.extensions["nrs_engine"].dispose()


# --- sessions ------------------------------------------------------------------------------------

def _shift(client, **seconds_ago):
    now = int(utcnow().timestamp())
    with client.session_transaction() as sess:
        for key, ago in seconds_ago.items():
            sess[key] = now - ago


def _is_logged_out(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_idle_timeout_is_thirty_minutes(client, login_as):
    login_as("staff")
    _shift(client, seen=29 * 60)
    assert client.get("/").status_code == 200
    _shift(client, seen=31 * 60)
    assert _is_logged_out(client.get("/"))
    assert _is_logged_out(client.get("/"))  # and it stays ended


def test_absolute_timeout_is_twelve_hours_however_active(client, login_as):
    login_as("staff")
    _shift(client, auth_at=11 * 3600 + 59 * 60, seen=60)
    assert client.get("/").status_code == 200
    _shift(client, auth_at=12 * 3600 + 60, seen=60)
    assert _is_logged_out(client.get("/"))


def test_timeouts_are_configurable(settings, make_user):
    app = create_app(settings.with_(session_idle_minutes=5))
    try:
        c = app.test_client()
        login(c, make_user().email)
        _shift(c, seen=6 * 60)
        assert _is_logged_out(c.get("/"))
    finally:
        app.extensions["nrs_engine"].dispose()


def _copy_cookie(src, app):
    thief = app.test_client()
    thief.set_cookie("nrs_session", src.get_cookie("nrs_session").value)
    return thief


def test_password_change_kills_a_copied_cookie(client, app, login_as, session):
    login_as("staff")
    thief = _copy_cookie(client, app)
    assert thief.get("/").status_code == 200
    response = post_form(client, "/adgangskode", {"current": PASSWORD, "new": NEW_PASSWORD})
    assert response.status_code == 302
    assert _is_logged_out(thief.get("/"))
    assert client.get("/").status_code == 200  # the user who changed it stays logged in


def test_logout_kills_a_copied_cookie(client, app, login_as):
    login_as("staff")
    thief = _copy_cookie(client, app)
    post_form(client, "/log-ud", {}, form_url="/")
    assert _is_logged_out(thief.get("/"))


def test_deactivation_kills_the_users_sessions(client, app, login_as, make_user, session, centre_by_code):
    staff = make_user(role="staff")
    victim = app.test_client()
    assert login(victim, staff.email).status_code == 302
    stolen = _copy_cookie(victim, app)
    login_as("admin")
    response = post_form(client, f"/admin/brugere/{staff.id}", {
        "email": staff.email, "name": staff.name, "centre": centre_by_code(201).id, "role": "staff",
        "weekly_email": "y",  # "active" left out: unticked
    })
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, staff.id).active is False
    assert _is_logged_out(victim.get("/"))
    assert _is_logged_out(stolen.get("/"))
    assert login(app.test_client(), staff.email).status_code == 401


# --- redirects, uploads, GET ---------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "https://evil.example/x", "//evil.example/x", "/\\evil.example", "http:/evil.example",
    "javascript:alert(1)", " //evil.example", "%2F%2Fevil.example",
])
def test_no_open_redirect_after_login(client, make_user, target):
    user = make_user()
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": target},
                           data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith("//")), location
    assert "evil" not in location.split("?")[0] or location.startswith("/%2F"), location


def test_next_to_our_own_path_is_followed(client, make_user):
    user = make_user()
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/admin/brugere", data={"csrf_token": token, "email": user.email,
                                                               "password": PASSWORD})
    assert response.headers["Location"] == "/admin/brugere"


def test_language_switch_refuses_foreign_next(client):
    token = csrf_token(client, "/login")
    response = client.post("/sprog/en", data={"csrf_token": token, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_oversized_upload_is_refused_with_413(settings, make_user, app):
    small = create_app(settings.with_(upload_max_bytes=4096))
    try:
        c = small.test_client()
        login(c, make_user(role="admin").email)
        targets = [r.rule for r in small.url_map.iter_rules()
                   if "POST" in r.methods and not r.arguments and "import" in r.rule] or ["/login"]
        for url in targets:
            response = c.post(url, data={"file": (__import__("io").BytesIO(b"x" * 10_000), "big.csv")},
                              content_type="multipart/form-data")
            assert response.status_code == 413, url
            assert "for stor" in response.get_data(as_text=True)
    finally:
        small.extensions["nrs_engine"].dispose()


def test_forms_without_csrf_token_change_nothing(client, login_as, session):
    admin = login_as("admin")
    response = client.post(f"/admin/brugere/{admin.id}", data={
        "email": admin.email, "name": "Overtaget", "centre": admin.job_centre_id, "role": "admin", "active": "y"})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(User, admin.id).name != "Overtaget"
