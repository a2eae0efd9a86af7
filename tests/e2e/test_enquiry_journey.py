"""The front door in a real browser: Allerød takes a call for a Hillerød company; Hillerød works it.

The enquiry lands in Hillerød's queue, a Hillerød consultant takes it and converts it into a job
order; the order, the company page and the enquiry then link to each other.
"""

from __future__ import annotations

import pytest

from nrs import create_app
from nrs.config import Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.conftest import PASSWORD
from tests.e2e.live import live_server
from tests.e2e.test_journey import _login, _shot, browser  # noqa: F401 - fixture
from tests.factories.companies import next_cvr

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    from nrs.auth import services
    from nrs.companies import services as company_services
    from nrs.municipalities.services import load_reference_data

    url = f"sqlite:///{tmp_path / 'front-door.db'}"
    upgrade(url)
    engine = make_engine(url)
    cvr = next_cvr()
    with session_scope(engine) as s:
        load_reference_data(s)
        for email, name, code in (("konsulent@alleroed.test", "Anne Allerød", 201),
                                  ("konsulent@hilleroed.test", "Hans Hillerød", 219)):
            services.create_user(s, by=None, email=email, name=name, role="staff", password=PASSWORD,
                                 job_centre_id=services.centre_by_code(s, code).id)
        company_services.create_company(s, by=None, values={
            "cvr": cvr, "name": "Hillerød Tømrer ApS", "municipality_code": 219, "industry_code": "433200",
            "address": "Slotsgade 1", "postal_code": "3400", "city": "Hillerød"})
    engine.dispose()
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app(Settings(instance_path=instance, database_url=url, secret_key="front-door-secret",
                              base_url="http://127.0.0.1", run_scheduler=False))
    with live_server(app) as base:
        yield base, cvr
    app.extensions["nrs_engine"].dispose()


def test_a_call_for_a_hillerod_company_lands_in_hillerods_queue_and_becomes_an_order(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    base, cvr = server
    allerod = _login(browser, base, "konsulent@alleroed.test")
    allerod.goto("/henvendelser/ny")
    allerod.get_by_label("Kanal").select_option("phone")
    allerod.get_by_label("Emne").select_option("vacancy")
    allerod.get_by_role("combobox", name="Virksomhed").fill(cvr)
    allerod.get_by_label("Kontaktperson").fill("Ole Olsen")
    allerod.get_by_label("Henvendelsen").fill("Mangler to tømrere fra 1. april")
    allerod.get_by_role("button", name="Gem").click()
    expect(allerod.get_by_test_id("centre")).to_have_text("Jobcenter Hillerød")
    enquiry_url = allerod.url
    expect(allerod.get_by_test_id("take")).to_have_count(0)  # Allerød logs it; Hillerød works it
    _shot(allerod, "enquiry-01-logged-in-allerod")

    hillerod = _login(browser, base, "konsulent@hilleroed.test")
    hillerod.goto("/henvendelser/")
    queue = hillerod.get_by_test_id("enquiry-queue")
    expect(queue).to_contain_text("Hillerød Tømrer ApS")
    queue.get_by_role("link").first.click()
    hillerod.get_by_test_id("take").click()
    expect(hillerod.get_by_test_id("status")).to_contain_text("Taget")
    hillerod.get_by_test_id("to-order").click()
    expect(hillerod.get_by_label("Krav og ønsker")).to_have_value("Mangler to tømrere fra 1. april")
    hillerod.get_by_label("Stillingsbetegnelse").fill("Tømrer")
    hillerod.get_by_label("Antal stillinger").fill("2")
    hillerod.get_by_role("button", name="Opret jobordre").click()
    expect(hillerod.get_by_role("heading", name="Tømrer")).to_be_visible()
    order_url = hillerod.url
    _shot(hillerod, "enquiry-02-order-from-enquiry")

    hillerod.get_by_test_id("enquiry-link").click()
    assert hillerod.url == enquiry_url
    expect(hillerod.get_by_test_id("status")).to_contain_text("Omdannet")
    hillerod.get_by_test_id("order-link").click()
    assert hillerod.url == order_url
    hillerod.get_by_test_id("company-link").click()
    section = hillerod.get_by_test_id("company-enquiries")
    expect(section).to_contain_text("Omdannet")
    section.get_by_role("link").last.click()
    assert hillerod.url == enquiry_url
    assert not allerod.errors and not hillerod.errors, (allerod.errors, hillerod.errors)
