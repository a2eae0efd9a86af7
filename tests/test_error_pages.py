"""Every error page carries the security headers, the last-resort one too.

The review saw gunicorn's bare 500 page (no CSP, no X-Frame-Options) where the error handler itself
failed: on PostgreSQL a failed statement leaves the transaction unusable, and the error page loads
the user for its navigation from it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nrs import create_app
from nrs.db import db_session
from nrs.errors import DomainError
from nrs.forms import Form
from nrs.security import SECURITY_HEADERS, access
from tests.conftest import login


@pytest.fixture
def live_app(settings):
    """The app as served: errors become pages instead of being raised into the test."""
    app = create_app(settings.with_(testing=False))

    @app.get("/_test/boom")
    @access("public")
    def boom():
        raise RuntimeError("boom")

    @app.get("/_test/refused")
    @access("public")
    def refused():
        raise DomainError("Feltet må ikke indeholde et CPR-nummer.", field="no_such_field")

    @app.get("/_test/bad-sql")
    @access("user")
    def bad_sql():
        db_session().execute(sa.text("SELECT * FROM no_such_table"))
        return "unreachable"

    yield app
    app.extensions["nrs_engine"].dispose()


def _has_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name


def test_500_page_has_the_headers(live_app):
    r = live_app.test_client().get("/_test/boom")
    assert r.status_code == 500
    _has_headers(r)
    assert "Der opstod en fejl" in r.get_data(as_text=True)


def test_500_after_a_failed_statement_still_renders_the_page_for_a_logged_in_user(live_app, make_user):
    client = live_app.test_client()
    user = make_user()
    assert login(client, user.email).status_code == 302
    r = client.get("/_test/bad-sql")
    assert r.status_code == 500
    _has_headers(r)
    assert r.headers["Cache-Control"] == "no-store"
    assert user.name in r.get_data(as_text=True) or "Log ud" in r.get_data(as_text=True)


def test_when_the_error_handler_itself_fails_the_last_resort_page_has_the_headers(live_app):
    def broken(_exc):
        raise RuntimeError("the error page failed")

    live_app.register_error_handler(500, broken)
    r = live_app.test_client().get("/_test/boom")
    assert r.status_code == 500
    _has_headers(r)
    assert r.headers["Cache-Control"] == "no-store"
    assert "Der opstod en fejl" in r.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/no-such-page", "/virksomheder/9999999999999"])
def test_4xx_pages_have_the_headers(live_app, url):
    r = live_app.test_client().get(url)
    assert 400 <= r.status_code < 500
    _has_headers(r)


def test_a_refusal_no_view_caught_is_a_400_with_its_message(live_app):
    """A service's refusal naming a column no form shows (the stored-text rule) is not a 500."""
    response = live_app.test_client().get("/_test/refused")
    assert response.status_code == 400
    assert "Feltet må ikke indeholde et CPR-nummer." in response.get_data(as_text=True)
    _has_headers(response)


def test_a_refusal_for_a_field_the_form_has_not_got_goes_on_the_default_field(app):
    from wtforms import StringField

    class NameForm(Form):
        name = StringField()

    with app.test_request_context("/", method="POST"):
        form = NameForm(meta={"csrf": False})
        form.show_error(DomainError("Nej.", field="companies.address"), "name")
        assert form.name.errors == ["Nej."]
