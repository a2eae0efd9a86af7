"""The whole journey in a real browser (Debian's chromium through Playwright).

A real server thread on a free port serves a fresh, migrated SQLite database. Two browser
contexts stand for two job centres: Allerød's coordinator works the order, a Helsingør
consultant refers a candidate. Screenshots of the main pages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from nrs import create_app
from nrs.clock import format_date, today
from nrs.config import Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.conftest import PASSWORD, data_file
from tests.e2e.live import live_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _need_browser():
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser journey")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture
def server(tmp_path):
    """The app on 127.0.0.1:<free port>, with two users of two centres."""
    from nrs.auth import services
    from nrs.municipalities.services import load_reference_data

    url = f"sqlite:///{tmp_path / 'journey.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
        for email, name, code, role in (
            ("koordinator@alleroed.test", "Anne Koordinator", 201, "coordinator"),
            ("konsulent@helsingoer.test", "Henrik Konsulent", 217, "staff"),
            ("konsulent@egedal.test", "Eva Konsulent", 240, "staff"),
        ):
            services.create_user(s, by=None, email=email, name=name, role=role, password=PASSWORD,
                                 job_centre_id=services.centre_by_code(s, code).id)
    engine.dispose()
    instance = tmp_path / "instance"
    instance.mkdir()
    settings = Settings(instance_path=instance, database_url=url, secret_key="journey-secret",
                        base_url="http://127.0.0.1", run_scheduler=False)
    app = create_app(settings)
    with live_server(app) as base:
        yield base
    app.extensions["nrs_engine"].dispose()


@pytest.fixture
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _login(browser, base: str, email: str):
    context = browser.new_context(base_url=base, locale="da-DK", accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in
            (m.location or {}).get("url", "") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{base}/")
    page.errors = errors
    return page


def _figures(page) -> dict[str, int]:
    page.goto("/")
    return {key: int(page.get_by_test_id(f"nrs-{key}").inner_text().replace(".", ""))
            for key in ("received", "filled", "open")}


def test_journey(server, browser):
    from playwright.sync_api import expect

    day = format_date(today())
    coordinator = _login(browser, server, "koordinator@alleroed.test")
    expect(coordinator.get_by_role("heading", name="Goddag, Anne Koordinator")).to_be_visible()
    before = _figures(coordinator)
    _shot(coordinator, "01-front-page")

    # Import a company file through the upload page.
    coordinator.goto("/virksomheder/indlaes")
    coordinator.get_by_label("Fil (CSV eller CVR JSON Lines)").set_input_files(
        str(data_file("companies-example.csv")))
    coordinator.get_by_label("Indlæs de gyldige rækker, selv om nogle er ugyldige").check()
    coordinator.get_by_role("button", name="Indlæs").click()
    result = coordinator.get_by_test_id("import-summary")
    expect(result).to_be_visible()
    assert int(result.locator("dd").nth(1).inner_text()) >= 30  # new companies
    _shot(coordinator, "02-import-result")

    # Find a company.
    coordinator.goto("/virksomheder/")
    filters = coordinator.get_by_test_id("company-filters")
    filters.get_by_label("Navn").fill("allerød maler")  # folded search: case and æøå don't matter
    filters.get_by_role("button", name="Søg").click()
    expect(coordinator.get_by_role("link", name="Allerød Maler I/S")).to_have_count(2)
    filters.get_by_label("CVR-nummer").fill("59663194")
    filters.get_by_role("button", name="Søg").click()
    coordinator.get_by_role("link", name="Allerød Maler I/S").click()
    expect(coordinator.get_by_test_id("company-facts")).to_contain_text("59663194")
    expect(coordinator.get_by_test_id("lead-centre")).to_have_text("Jobcenter Allerød")
    _shot(coordinator, "03-company")

    # Log a job order.
    coordinator.goto("/jobordrer/ny")
    coordinator.get_by_role("combobox", name="Virksomhed").fill("59663194")
    coordinator.get_by_label("Stilling", exact=True).fill("Maler")
    coordinator.get_by_label("Modtaget", exact=True).fill(day)
    coordinator.get_by_role("button", name="Gem").click()
    expect(coordinator.get_by_test_id("state")).to_have_text("Åben")
    order_url = coordinator.url
    _shot(coordinator, "04-job-order")

    # Another centre refers a candidate (a second browser, another user).
    consultant = _login(browser, server, "konsulent@helsingoer.test")
    consultant.goto(order_url)
    form = consultant.get_by_test_id("referral-form")
    form.get_by_label("Henvist den").fill(day)
    form.get_by_label("Jobcentrets sagsnummer").fill("HEL-2016-0017")
    form.get_by_role("button", name="Henvis").click()
    expect(consultant.get_by_test_id("referrals")).to_contain_text("Helsingør")
    _shot(consultant, "05-referral")

    # Close the order filled with the Helsingør candidate.
    coordinator.goto(order_url)
    fill = coordinator.get_by_test_id("fill-form")
    fill.get_by_label("Dato", exact=True).fill(day)
    fill.get_by_label("Kandidat fra jobcenter").first.select_option(label="Jobcenter Helsingør")
    fill.get_by_label("Ansat den").first.fill(day)
    fill.get_by_role("button", name="Luk som besat").click()
    expect(coordinator.get_by_test_id("state")).to_have_text("Besat")
    expect(coordinator.get_by_test_id("hires")).to_contain_text("Helsingør")

    # The front page counts it.
    after = _figures(coordinator)
    assert after["received"] == before["received"] + 1
    assert after["filled"] == before["filled"] + 1
    assert after["open"] == before["open"]
    _shot(coordinator, "06-front-page-after")

    # Build a campaign and download its target list as XLSX.
    coordinator.goto("/kampagner/ny")
    coordinator.get_by_label("Navn", exact=True).fill("Malere 2016")
    coordinator.get_by_label("Andre branchekoder (DB07)").fill("4322")
    coordinator.get_by_role("button", name="Opret").click()
    coordinator.get_by_test_id("build").click()
    expect(coordinator.get_by_test_id("targets")).to_contain_text("Allerød Maler I/S")
    _shot(coordinator, "07-campaign")
    with coordinator.expect_download() as info:
        coordinator.get_by_role("link", name="Hent Excel (XLSX)").click()
    workbook = info.value.path().read_bytes()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook)).active
    assert "Allerød Maler I/S" in {str(c.value) for row in sheet.iter_rows() for c in row}

    # Log out: the session is gone.
    coordinator.get_by_test_id("logout").click()
    expect(coordinator.get_by_role("heading", name="Log ind")).to_be_visible()
    coordinator.goto("/")
    assert "/login" in coordinator.url
    _shot(coordinator, "08-logged-out")

    assert not coordinator.errors and not consultant.errors, (coordinator.errors, consultant.errors)
