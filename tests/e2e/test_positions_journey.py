"""Issue 14's "done when" in a real browser: an order for 3 positions gets referrals from Egedal and
Helsingør, both are hired, the company withdraws the third: the order shows filled 2 of 3, and the
front page counts 3 positions, 2 hired from other centres."""

from __future__ import annotations

import pytest

from nrs.clock import format_date, today
from tests.conftest import data_file
from tests.e2e.test_journey import _login, browser, server  # noqa: F401 - the journey's fixtures

pytestmark = pytest.mark.browser


def _refer(browser, server, email: str, order_url: str, day: str, case: str):  # noqa: F811
    page = _login(browser, server, email)
    page.goto(order_url)
    form = page.get_by_test_id("referral-form")
    form.get_by_label("Henvist den").fill(day)
    form.get_by_label("Jobcentrets sagsnummer").fill(case)
    form.get_by_role("button", name="Henvis").click()
    return page


def test_three_positions_two_hired_from_other_centres_one_withdrawn(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    day = format_date(today())
    coordinator = _login(browser, server, "koordinator@alleroed.test")
    coordinator.goto("/virksomheder/indlaes")
    coordinator.get_by_label("Fil (CSV eller CVR JSON Lines)").set_input_files(str(data_file("companies-example.csv")))
    coordinator.get_by_label("Indlæs de gyldige rækker, selv om nogle er ugyldige").check()
    coordinator.get_by_role("button", name="Indlæs").click()
    expect(coordinator.get_by_test_id("import-summary")).to_be_visible()

    coordinator.goto("/jobordrer/ny")
    coordinator.get_by_role("combobox", name="Virksomhed").fill("59663194")  # Allerød Maler I/S: Allerød leads
    coordinator.get_by_label("Stilling", exact=True).fill("Maler")
    coordinator.get_by_label("Antal stillinger").fill("3")
    coordinator.get_by_label("Modtaget", exact=True).fill(day)
    coordinator.get_by_role("button", name="Gem").click()
    expect(coordinator.get_by_test_id("state")).to_have_text("Åben")
    order_url = coordinator.url

    for email, case in (("konsulent@egedal.test", "EGE-1"), ("konsulent@helsingoer.test", "HEL-1")):
        page = _refer(browser, server, email, order_url, day, case)
        expect(page.get_by_test_id("referrals")).to_contain_text(case)

    coordinator.goto(order_url)
    form = coordinator.get_by_test_id("positions-form")
    form.get_by_label("Dato", exact=True).fill(day)
    kinds, centres, dates = form.get_by_label("Udfald"), form.get_by_label("Kandidat fra jobcenter"), \
        form.get_by_label("Ansat den")
    for i, centre in enumerate(("Jobcenter Egedal", "Jobcenter Helsingør")):
        kinds.nth(i).select_option(label="Ansat")
        centres.nth(i).select_option(label=centre)
        dates.nth(i).fill(day)
    kinds.nth(2).select_option(label="Trukket tilbage af virksomheden")
    form.get_by_role("button", name="Gem udfald").click()
    expect(coordinator.get_by_test_id("state")).to_have_text("Besat")
    expect(coordinator.get_by_test_id("positions")).to_contain_text("besat 2 af 3")
    expect(coordinator.get_by_test_id("outcomes")).to_contain_text("Trukket tilbage af virksomheden")

    coordinator.goto("/")
    expect(coordinator.get_by_test_id("nrs-positions")).to_have_text("3")
    expect(coordinator.get_by_test_id("nrs-other-hires")).to_have_text("2")
    coordinator.goto("/jobordrer/")
    expect(coordinator.get_by_test_id("filled-of")).to_have_text("besat 2 af 3")
    assert not coordinator.errors
