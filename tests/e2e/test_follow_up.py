"""In a real browser: a Hillerød consultant records a call with "ring igen om 14 dage"; the task
shows in their "Mit arbejde" once due, and on the company's timeline at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nrs import create_app
from nrs.clock import format_date, today
from nrs.config import Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.conftest import PASSWORD
from tests.e2e.live import live_server
from tests.e2e.test_journey import _login, _shot, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    """The app on a free port: a Hillerød consultant and a Hillerød company."""
    from nrs.auth import services
    from nrs.companies import services as company_services
    from nrs.municipalities.services import load_reference_data

    url = f"sqlite:///{tmp_path / 'follow-up.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
        services.create_user(s, by=None, email="konsulent@hilleroed.test", name="Hanne Konsulent", role="staff",
                             password=PASSWORD, job_centre_id=services.centre_by_code(s, 219).id)
        company = company_services.create_company(s, by=None, values={
            "cvr": "29403473", "name": "Hillerød Maskinservice ApS", "address": "Industrivej 4",
            "postal_code": "3400", "city": "Hillerød", "municipality_code": 219, "industry_code": "412000",
            "employees_min": 10, "employees_max": 19, "active": True, "advertising_protected": False,
            "phone": "", "email": ""})
        company_id = company.id
    settings = Settings(instance_path=tmp_path, database_url=url, secret_key="follow-up-secret",
                        base_url="http://127.0.0.1", run_scheduler=False)
    app = create_app(settings)
    with live_server(app) as base:
        yield base, company_id, engine
    app.extensions["nrs_engine"].dispose()
    engine.dispose()


def test_a_call_with_a_follow_up_in_14_days(server, browser):  # noqa: F811
    import sqlalchemy as sa
    from playwright.sync_api import expect

    base, company_id, engine = server
    page = _login(browser, base, "konsulent@hilleroed.test")
    page.goto(f"/virksomheder/{company_id}")
    page.get_by_test_id("new-activity").click()
    page.get_by_label("Type").select_option("call")
    page.get_by_label("Resumé").fill("Talte med værkføreren: ring igen om 14 dage")
    page.get_by_label("Følg op den").fill(format_date(today() + timedelta(days=14)))
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"{base}/virksomheder/{company_id}")
    timeline = page.get_by_test_id("company-timeline")
    expect(timeline).to_contain_text("ring igen om 14 dage")
    expect(timeline).to_contain_text("Opkald")
    expect(timeline.locator('li[data-kind="task"]')).to_contain_text(
        f"Frist {format_date(today() + timedelta(days=14))}")
    _shot(page, "follow-up-timeline")

    # Fourteen days later (the due date moved to today): the task is in "Mit arbejde".
    with engine.begin() as c:
        c.execute(sa.text("UPDATE tasks SET due = :d"), {"d": today()})
    page.goto("/")
    work = page.get_by_test_id("my-work")
    expect(work).to_contain_text("ring igen om 14 dage")
    expect(work).to_contain_text("Hillerød Maskinservice ApS")
    _shot(page, "follow-up-my-work")
    work.get_by_role("link", name="Følg op: Talte med værkføreren: ring igen om 14 dage").click()
    page.get_by_label("Afsluttende note").fill("Ringet op; de vender tilbage efter ferien")
    page.get_by_role("button", name="Markér som udført").click()
    expect(page.get_by_test_id("task-state")).to_contain_text("Udført")
    assert page.errors == []
