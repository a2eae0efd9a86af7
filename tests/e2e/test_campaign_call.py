"""In a real browser: a Hillerød consultant calls a company from a campaign list and records
"ikke truffet / ring igen" with a call-back in 14 days. The task is on the company's timeline at
once, in their "Mit arbejde" and their Monday mail once due."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nrs import create_app
from nrs.clock import format_date, today, utcnow
from nrs.config import Settings
from nrs.db import make_engine, session_scope, upgrade
from tests.e2e.live import live_server
from tests.e2e.test_journey import _login, _shot, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    """The app on a free port: a Hillerød consultant and a campaign whose list holds one Hillerød company."""
    from nrs.auth import services
    from nrs.campaigns import services as campaign_services
    from nrs.companies import services as company_services
    from nrs.companies.models import Contact
    from nrs.municipalities.services import load_reference_data
    from tests.conftest import PASSWORD

    url = f"sqlite:///{tmp_path / 'campaign-call.db'}"
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
            "phone": "48 10 00 00", "email": ""})
        s.add(Contact(company_id=company.id, name="Ole Værkfører", role="Værkfører", phone="+45 40 11 22 33",
                      email="ole@maskinservice.test"))
        campaign = campaign_services.create_campaign(s, by=None, name="Bygge og anlæg", year=today().year,
                                                     extra_prefixes=["41"], municipality_codes=[219])
        campaign_services.build_campaign(s, campaign, now=utcnow())
        ids = company.id, campaign.id
    settings = Settings(instance_path=tmp_path, database_url=url, secret_key="campaign-call-secret",
                        base_url="http://127.0.0.1", run_scheduler=False)
    app = create_app(settings)
    with live_server(app) as base:
        yield base, ids, engine, app
    app.extensions["nrs_engine"].dispose()
    engine.dispose()


def test_a_consultant_calls_from_the_campaign_list_and_promises_to_call_back(server, browser):  # noqa: F811
    import sqlalchemy as sa
    from playwright.sync_api import expect

    from nrs.auth.models import User
    from nrs.reports import weekly

    base, (company_id, campaign_id), engine, app = server
    call_back = today() + timedelta(days=14)
    page = _login(browser, base, "konsulent@hilleroed.test")
    page.goto(f"/kampagner/{campaign_id}")
    page.get_by_test_id("targets").get_by_role("link", name="Hillerød Maskinservice ApS").click()
    expect(page.locator('a[href="tel:+4540112233"]')).to_have_text("+45 40 11 22 33")
    expect(page.get_by_test_id("company-link")).to_have_attribute("href", f"/virksomheder/{company_id}")
    page.get_by_label("Udfald").select_option("call_back")
    page.get_by_label("Ring igen den").fill(format_date(call_back))
    page.get_by_label("Note").fill("Ole var på pladsen: ring igen om 14 dage")
    _shot(page, "campaign-call-target")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_test_id("status")).to_contain_text("Ikke truffet / ring igen")
    expect(page.get_by_test_id("call-back")).to_have_text(format_date(call_back))

    page.get_by_test_id("company-link").click()
    timeline = page.get_by_test_id("company-timeline")
    expect(timeline).to_contain_text("ring igen om 14 dage")
    expect(timeline.locator('li[data-kind="task"]')).to_contain_text("Ring igen: Hillerød Maskinservice ApS")
    _shot(page, "campaign-call-timeline")

    # Fourteen days later (the call-back moved to today): in "Mit arbejde", and the list's filter finds it.
    with engine.begin() as c:
        c.execute(sa.text("UPDATE tasks SET due = :d"), {"d": today()})
        c.execute(sa.text("UPDATE campaign_targets SET call_back_on = :d"), {"d": today()})
    page.goto("/")
    expect(page.get_by_test_id("my-work")).to_contain_text("Ring igen: Hillerød Maskinservice ApS")
    _shot(page, "campaign-call-my-work")
    page.goto(f"/kampagner/{campaign_id}?due=1")
    expect(page.get_by_test_id("targets")).to_contain_text("Hillerød Maskinservice ApS")
    assert page.errors == []

    # The Monday mail of this week lists it among the week's tasks.
    with app.test_request_context(), session_scope(engine) as s:
        user = s.exec(sa.select(User).where(User.email == "konsulent@hilleroed.test")).scalar_one()
        mail = weekly.render_one(s, user, week=weekly.previous_week(utcnow()))
    assert "Ring igen: Hillerød Maskinservice ApS" in mail.text
