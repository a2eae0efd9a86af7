from __future__ import annotations

from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.auth.models import User
from tests.conftest import PASSWORD, csrf_token, login, post_form


def test_login_page_is_danish_and_has_csrf(client, backend):
    html = client.get("/login").get_data(as_text=True)
    assert "Log ind" in html
    assert 'name="csrf_token"' in html


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "nrs_session" not in response.headers.get("Set-Cookie", "") or b"Log ud" not in response.data


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user()
    wrong = login(client, user.email, "forkert-adgangskode-123")
    unknown = login(client, "ingen@findes.test", "forkert-adgangskode-123")
    assert wrong.status_code == unknown.status_code == 401
    assert "Forkert e-mail eller adgangskode." in wrong.get_data(as_text=True)
    assert "Forkert e-mail eller adgangskode." in unknown.get_data(as_text=True)


def test_failed_logins_are_audited_and_throttled(client, make_user, session):
    user = make_user()
    for _ in range(5):
        assert login(client, user.email, "forkert-adgangskode-123").status_code == 401
    blocked = login(client, user.email, PASSWORD)
    assert blocked.status_code == 429
    assert "For mange mislykkede forsøg" in blocked.get_data(as_text=True)
    failures = session.exec(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert len(failures) == 5


def test_next_parameter_only_to_own_paths(client, make_user):
    user = make_user()
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x", data={"csrf_token": token, "email": user.email,
                                                              "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_admin_creates_staff_who_gets_403_in_admin_area(client, login_as, session, centre_by_code):
    admin = login_as("admin")
    centre = centre_by_code(210)
    response = post_form(
        client, "/admin/brugere/ny",
        {"email": "Ny.Konsulent@Fredensborg.test", "name": "Ny Konsulent", "centre": centre.id,
         "role": "staff", "weekly_email": "y", "password": "meget-hemmeligt-ord-42"},
    )
    assert response.status_code == 302
    staff = session.exec(select(User).where(User.email == "ny.konsulent@fredensborg.test")).one()
    assert staff.job_centre_id == centre.id and staff.weekly_email

    post_form(client, "/log-ud", {}, form_url="/")
    assert login(client, "ny.konsulent@fredensborg.test", "meget-hemmeligt-ord-42").status_code == 302
    assert client.get("/admin/brugere").status_code == 403
    assert client.get("/").status_code == 200

    actions = {(e.user_id, e.action) for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "user"))}
    assert (admin.id, "create") in actions
    assert (staff.id, "login") in actions
    assert (admin.id, "logout") in actions


def test_create_user_form_shows_errors_next_to_fields(client, login_as, session, centre_by_code):
    login_as("admin")
    response = post_form(
        client, "/admin/brugere/ny",
        {"email": "x@y.test", "name": "X", "centre": centre_by_code(201).id, "role": "staff", "password": "kort"},
    )
    assert response.status_code == 400
    assert "Adgangskoden skal være mindst 12 tegn." in response.get_data(as_text=True)
    assert session.exec(select(User).where(User.email == "x@y.test")).first() is None


def test_logout_kills_copied_cookie(app, make_user):
    user = make_user()
    browser = app.test_client()
    login(browser, user.email)
    cookie = browser.get_cookie("nrs_session").value
    thief = app.test_client()
    thief.set_cookie("nrs_session", cookie)
    assert thief.get("/").status_code == 200
    post_form(browser, "/log-ud", {}, form_url="/")
    assert thief.get("/").status_code == 302


def test_deactivated_user_is_logged_out(client, login_as, app, make_user, session):
    staff = make_user()
    other = app.test_client()
    login(other, staff.email)
    assert other.get("/").status_code == 200
    login_as("admin")
    response = post_form(client, f"/admin/brugere/{staff.id}",
                         {"email": staff.email, "name": staff.name, "centre": staff.job_centre_id,
                          "role": "staff", "weekly_email": "y"})
    assert response.status_code == 302
    assert other.get("/").status_code == 302


def test_front_page_lists_the_nine_centres_with_staff_counts(client, login_as, make_user):
    login_as("staff", centre=217)
    make_user(centre=217)
    html = client.get("/").get_data(as_text=True)
    for name in ("Allerød", "Fredensborg", "Helsingør", "Hillerød", "Hørsholm", "Egedal",
                 "Frederikssund", "Halsnæs", "Gribskov"):
        assert f"Jobcenter {name}" in html
    table = html.split('data-testid="centres"', 1)[1]
    row = table.split("Jobcenter Helsingør", 1)[1].split("</tr>", 1)[0]
    assert ">2</td>" in row


def test_security_headers(client, login_as):
    login_as()
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = client.get_cookie("nrs_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_behind_a_proxy_the_client_address_is_throttled_not_the_proxy(settings, make_user):
    from nrs import create_app

    app = create_app(settings.with_(proxy_hops=1, login_max_failures=2))
    user = make_user()
    attacker = app.test_client()
    for _ in range(8):
        token = csrf_token(attacker, "/login")
        attacker.post("/login", data={"csrf_token": token, "email": f"x{_}@y.test", "password": "forkert-forkert"},
                      headers={"X-Forwarded-For": "203.0.113.9"})
    # The attacker's address is blocked; a colleague behind the same proxy is not.
    token = csrf_token(attacker, "/login")
    blocked = attacker.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD},
                            headers={"X-Forwarded-For": "203.0.113.9"})
    assert blocked.status_code == 429
    colleague = app.test_client()
    token = csrf_token(colleague, "/login")
    ok = colleague.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.51.100.7"})
    assert ok.status_code == 302
    app.extensions["nrs_engine"].dispose()
