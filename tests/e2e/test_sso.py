"""Single sign-on in a real browser: NRS's login page, the provider's own login page, back to NRS.

The provider is the test OIDC provider process (tests/auth/oidc_provider.py) on loopback; NRS is a
real server thread. Every hop is a real redirect the browser follows.
"""

from __future__ import annotations

import pytest

from nrs import create_app
from nrs.config import OidcProvider, Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.auth.oidc_provider import Running
from tests.conftest import PASSWORD
from tests.e2e.live import LiveServer
from tests.e2e.test_journey import ARGS, CHROMIUM, _need_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def sso_server(tmp_path):
    from nrs.auth import services
    from nrs.municipalities.services import load_reference_data

    url = f"sqlite:///{tmp_path / 'sso.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
        for email, active in (("anne@hillerod.test", True), ("gammel@hillerod.test", False)):
            user = services.create_user(s, by=None, email=email, name="Anne Hansen", role="staff",
                                        password=PASSWORD, job_centre_id=services.centre_by_code(s, 219).id)
            user.active = active
    engine.dispose()
    instance = tmp_path / "instance"
    instance.mkdir()
    with Running("nrs-hil:hil-secret") as idp:
        server = LiveServer()
        base = server.base
        provider = OidcProvider(name="hil", issuer=idp, client_id="nrs-hil", client_secret="hil-secret",
                                centre=219, domains=("hillerod.test",), label="Hillerød")
        app = create_app(Settings(instance_path=instance, database_url=url, secret_key="sso-journey-secret",
                                  base_url=base, run_scheduler=False, oidc_providers=(provider,)))
        server.app = app
        server.start()
        yield base
        server.stop()
        app.extensions["nrs_engine"].dispose()


@pytest.fixture
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _through_the_provider(browser, base: str, email: str):
    context = browser.new_context(base_url=base, locale="da-DK")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_role("link", name="Log ind med Hillerød").click()
    page.get_by_role("heading", name="Test-IdP: log ind").wait_for()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Log ind hos test-IdP").click()
    return page


def test_sso_login_lands_on_the_front_page_and_a_deactivated_user_is_refused(sso_server, browser):
    from playwright.sync_api import expect

    page = _through_the_provider(browser, sso_server, "anne@hillerod.test")
    page.wait_for_url(f"{sso_server}/")
    expect(page.get_by_role("heading", name="Goddag, Anne Hansen")).to_be_visible()

    refused = _through_the_provider(browser, sso_server, "gammel@hillerod.test")
    expect(refused.get_by_test_id("reason")).to_have_text("Din bruger i NRS er deaktiveret.")
    refused.goto("/")
    assert "/login" in refused.url
