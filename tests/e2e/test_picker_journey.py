"""Logging a job order by the company's name with the keyboard (issue 18: the type-ahead journey)."""

from __future__ import annotations

from datetime import date

import pytest

from nrs import create_app
from nrs.clock import format_date, today
from nrs.config import Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.conftest import PASSWORD
from tests.e2e.live import live_server
from tests.e2e.test_journey import _login, _shot, browser  # noqa: F401 - fixture
from tests.factories.companies import next_cvr

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    from nrs.agreements import services as agreement_services
    from nrs.agreements.models import AgreementKind
    from nrs.auth import services
    from nrs.companies import services as company_services
    from nrs.municipalities.services import load_reference_data

    url = f"sqlite:///{tmp_path / 'picker.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
        services.create_user(s, by=None, email="konsulent@hilleroed.test", name="Hans Hillerød", role="staff",
                             password=PASSWORD, job_centre_id=services.centre_by_code(s, 219).id)
        companies = [company_services.create_company(s, by=None, values={
            "cvr": next_cvr(), "name": name, "municipality_code": 219, "industry_code": "433200",
            "address": address, "postal_code": "3400", "city": "Hillerød"})
            for name, address in (("Hillerød Tømrer ApS", "Slotsgade 1"), ("Hillerød Tømrer ApS", "Torvet 7"))]
        agreement_services.create_agreement(s, by=None, company=companies[1], kind=AgreementKind.cooperation,
                                            valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
        chosen = companies[1].cvr
    engine.dispose()
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(Settings(instance_path=instance, database_url=url, secret_key="picker-secret",
                              base_url="http://127.0.0.1", run_scheduler=False))
    with live_server(app) as base:
        yield base, chosen
    app.extensions["nrs_engine"].dispose()


def test_log_an_order_by_company_name_with_the_typeahead(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, cvr = server
    page = _login(browser, base, "konsulent@hilleroed.test")
    page.goto("/jobordrer/ny")
    box = page.get_by_role("combobox", name="Virksomhed")
    box.press_sequentially("hillerod tomrer", delay=20)
    options = page.locator("#cvr-list").get_by_role("option")
    expect(options).to_have_count(2)
    expect(page.locator("[data-picker-status]").first).to_have_text("2 virksomheder fundet")
    box.press("Escape")
    expect(page.locator("#cvr-list")).to_be_hidden()
    box.press("ArrowDown")  # reopens
    expect(options).to_have_count(2)
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    expect(options.nth(1)).to_contain_text("Torvet 7")
    box.press("Enter")
    expect(box).to_have_value(f"Hillerød Tømrer ApS ({cvr})")
    expect(page.get_by_label("Aftale", exact=True)).to_contain_text("Samarbejdsaftale 01-01-2026–31-12-2026")
    page.get_by_label("Aftale", exact=True).select_option(label="Samarbejdsaftale 01-01-2026–31-12-2026")
    page.get_by_label("Stilling", exact=True).fill("Tømrer")
    page.get_by_label("Modtaget", exact=True).fill(format_date(today()))
    _shot(page, "picker-01-chosen")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_test_id("state")).to_have_text("Åben")
    expect(page.locator("main")).to_contain_text(cvr)
    _shot(page, "picker-02-order")
