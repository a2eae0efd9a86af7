"""Phone layout and accessibility in a real browser, over the demo data set.

One browser and one page for everything (the run stays short): every page is opened at 1366×768 and
at 390×844, in Danish and in English. At each, the page must not be wider than the window
(``document.scrollingElement.scrollWidth``), and axe-core (shipped with the tests in the
axe-playwright-python package, never from a CDN) must find no serious or critical violation.
The five main pages are photographed at both widths into test-artifacts/screenshots/. A confirmation
is walked through with the keyboard-free, JavaScript-free mechanism (nrs.confirm), and a failed
submit puts the focus on the first field with an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import url_for
from sqlmodel import Session, select

from nrs import create_app
from nrs.config import Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.e2e.live import live_server
from tests.e2e.test_journey import ARGS, CHROMIUM, SCREENSHOTS, _need_browser

pytestmark = pytest.mark.browser

WIDTHS = {"desk": (1366, 768), "phone": (390, 844)}
#: The five main pages, photographed at both widths.
MAIN = ("home", "order-list", "order", "company", "campaign")
SERIOUS = ("serious", "critical")
#: Pages left out of the axe runs (they are still measured for width), to keep the run short:
#: the same macros and layout as pages that are checked.
NOT_AXED = ("company-list", "users", "new-company", "password")


def _axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The app over a migrated SQLite database holding the demo data, and the pages to visit."""
    from nrs.agreements.models import Agreement
    from nrs.campaigns.models import Campaign, CampaignTarget
    from nrs.companies.models import Company
    from nrs.demo import load_demo
    from nrs.joborders.models import JobOrder
    from nrs.municipalities.services import load_reference_data

    tmp = tmp_path_factory.mktemp("layout")
    url = f"sqlite:///{tmp / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
    engine.dispose()
    instance = tmp / "instance"
    instance.mkdir()
    # The demo admin logs in with a password alone here: the second factor has its own tests.
    settings = Settings(instance_path=instance, database_url=url, secret_key="layout-secret",
                        base_url="http://127.0.0.1", run_scheduler=False, admin_totp_required=False)
    app = create_app(settings)
    with app.app_context(), Session(app.extensions["nrs_engine"]) as s:
        email, password = load_demo(s, seed=2016)  # as `nrs demo` does: in the app, one commit
        s.commit()
        order = s.exec(select(JobOrder.id).order_by(JobOrder.id)).first()
        company = s.exec(select(JobOrder.company_id).order_by(JobOrder.id)).first()
        agreement = s.exec(select(Agreement.id).order_by(Agreement.id)).first()
        campaign = s.exec(select(Campaign.id).order_by(Campaign.id)).first()
        target = s.exec(select(CampaignTarget.id).order_by(CampaignTarget.id)).first()
        assert s.get(Company, company) is not None and None not in (order, agreement, campaign, target)
    with app.test_request_context():
        pages = {
            "home": url_for("home.index"),
            "order-list": url_for("joborders.index"),
            "order": url_for("joborders.detail", order_id=order),
            "company": url_for("companies.detail", company_id=company),
            "campaign": url_for("campaigns.detail", campaign_id=campaign),
            "company-list": url_for("companies.index"),
            "agreement-list": url_for("agreements.index"),
            "agreement": url_for("agreements.detail", agreement_id=agreement),
            "campaign-list": url_for("campaigns.index"),
            "campaign-target": url_for("campaigns.target", target_id=target),
            "sectors": url_for("sectors.index"),
            "reports": url_for("reports.index"),
            "enquiries": url_for("enquiries.index"),
            "tasks": url_for("activities.tasks"),
            "notifications": url_for("notifications.index"),
            "users": url_for("admin.users"),
            "new-order": url_for("joborders.new"),
            "new-company": url_for("companies.new"),
            "new-campaign": url_for("campaigns.new"),
            "password": url_for("auth.password"),
        }
        new_sector = url_for("sectors.new")
    with live_server(app) as base:
        yield {"base": base, "email": email, "password": password,
               "pages": pages, "new_sector": new_sector}
    app.extensions["nrs_engine"].dispose()


@pytest.fixture(scope="module")
def page(demo_server):
    """One logged-in admin page in one browser, reused by every test here."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(base_url=demo_server["base"], locale="da-DK",
                                      viewport={"width": 1366, "height": 768})
        context.set_default_timeout(20_000)
        pg = context.new_page()
        pg.goto("/login")
        pg.get_by_label("E-mail").fill(demo_server["email"])
        pg.get_by_label("Adgangskode").fill(demo_server["password"])
        pg.get_by_role("button", name="Log ind").click()
        pg.wait_for_url(f"{demo_server['base']}/")
        yield pg
        browser.close()


def _language(page, lang: str) -> None:
    """Switch the interface language with the header's button, as a user does."""
    current = page.evaluate("document.documentElement.lang")
    if current != lang:
        page.locator("form.lang button").click()
        page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == lang


def _overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


def _serious(page, script: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', "
                           "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v.get("impact") in SERIOUS]


def test_no_page_is_wider_than_a_phone_and_axe_finds_nothing_serious(page, demo_server):
    script = _axe_script()
    pages = demo_server["pages"]
    assert len([p for p in pages if p not in NOT_AXED]) >= 15
    problems: list[str] = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("da", "en"):
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(pages["home"])
        _language(page, lang)
        for width_name, (w, h) in WIDTHS.items():
            page.set_viewport_size({"width": w, "height": h})
            for name, path in pages.items():
                response = page.goto(path)
                assert response is not None and response.status == 200, (lang, name, path)
                scroll, inner = _overflow(page)
                if scroll > inner:
                    problems.append(f"{lang} {width_name} {name}: {scroll} px wide in a {inner} px window")
                if name not in NOT_AXED:
                    problems += [f"{lang} {width_name} {name}: {v}" for v in _serious(page, script)]
                if lang == "da" and name in MAIN:
                    page.screenshot(path=str(SCREENSHOTS / f"layout-{name}-{w}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    _language(page, "da")
    assert problems == []


def test_the_phone_menu_folds_and_opens_without_javascript(page, demo_server):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo_server["pages"]["home"])
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(nav).to_be_visible()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(demo_server["pages"]["home"])
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_visible()


def test_stacked_rows_show_their_column_names_on_a_phone(page, demo_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo_server["pages"]["sectors"])
    cell = page.locator("table.stack td[data-label]").first
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") == f'"{cell.get_attribute("data-label")}"'
    page.set_viewport_size({"width": 1366, "height": 768})
    assert cell.evaluate("e => getComputedStyle(e).display") == "table-cell"


def test_a_failed_submit_focuses_the_first_field_with_an_error(page, demo_server):
    page.goto(demo_server["new_sector"])
    page.get_by_label("Navn").fill("")
    page.get_by_label("År").fill("1999")
    page.evaluate("document.querySelector('main form[method=post]').noValidate = true")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("error-summary").is_visible()
    assert page.evaluate("document.activeElement.id") == "year"


def test_a_confirmation_without_javascript(page, demo_server):
    """Deleting a sector nothing uses: the confirmation page, "Fortryd" leaves it, "Ja" deletes it."""
    from playwright.sync_api import expect

    page.goto(demo_server["new_sector"])
    page.get_by_label("År").fill("2030")
    page.get_by_label("Navn").fill("Prøvebranche")
    page.get_by_label("Branchekoder (DB07)").fill("01")
    page.get_by_role("button", name="Gem").click()
    row = page.locator("tr", has_text="Prøvebranche")
    row.get_by_role("button", name="Slet").click()
    expect(page.get_by_test_id("confirm")).to_be_visible()
    expect(page.get_by_test_id("confirm-what")).to_contain_text("Prøvebranche (2030) slettes")
    page.get_by_test_id("confirm-back").click()
    expect(page.locator("tr", has_text="Prøvebranche")).to_have_count(1)
    page.locator("tr", has_text="Prøvebranche").get_by_role("button", name="Slet").click()
    page.get_by_role("button", name="Ja, slet fokusbranchen").click()
    expect(page.locator(".flash-success")).to_contain_text("Fokusbranchen er slettet")
    expect(page.locator("tr", has_text="Prøvebranche")).to_have_count(0)
