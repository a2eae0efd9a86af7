"""Every route of the app and the objects its URL parameters point at, for the route-wide tests.

``ROUTES`` is read from a real app's URL map at collection time; ``world(rule)`` turns a rule into
a URL whose ids point at fresh objects of centre 201 (Allerød), made through the domains' factories
and services.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pytest

from nrs import create_app
from nrs.config import Settings

#: Values for URL parameters that are not object ids.
PLAIN_ARGS = {"filename": "nrs.css", "lang": "en", "fmt": "xlsx", "status": "running"}


def _routes() -> list:
    """(endpoint, rule, method) for every route, read from a real app at collection time."""
    with tempfile.TemporaryDirectory(prefix="nrs-routes-") as tmp:
        app = create_app(Settings(instance_path=Path(tmp), database_url=f"sqlite:///{tmp}/x.db", secret_key="x"))
        out = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            methods = rule.methods - {"HEAD", "OPTIONS"}
            out.append((rule.endpoint, rule.rule, "GET" if "GET" in methods else "POST"))
            if "POST" in methods:
                POST_ROUTES.append((rule.endpoint, rule.rule))
        app.extensions["nrs_engine"].dispose()
    return out


#: (endpoint, rule) of every route that takes a POST: the forms.
POST_ROUTES: list[tuple[str, str]] = []


ROUTES = _routes()
WITH_IDS = [route for route in ROUTES if "<int:" in route[1]]


# --- the objects URL parameters point at ----------------------------------------------------------

@pytest.fixture
def world(session, make_company, make_job_order, make_user, centre_by_code, make_campaign, make_focus_sector,
          make_agreement):
    """Lazily built objects of centre 201, by URL parameter name."""
    from nrs.sectors.models import FocusSector

    made: dict[str, int] = {}
    allerod = centre_by_code(201).id

    def company():
        if "company_id" not in made:
            made["company_id"] = make_company(name="Allerød Byg ApS", municipality_code=201).id
        return made["company_id"]

    def contact():
        from nrs.companies import services
        from nrs.companies.models import Company

        c = services.add_contact(session, session.get(Company, company()), by=None,
                                 values={"name": "Mette Hansen", "email": "mette@byg.test"})
        session.commit()
        return c.id

    def order():
        if "order_id" not in made:
            from nrs.companies.models import Company

            made["order_id"] = make_job_order(company=session.get(Company, company())).id
        return made["order_id"]

    def referral():
        from nrs.joborders import services
        from nrs.joborders.models import JobOrder

        r = services.add_referral(session, session.get(JobOrder, order()), by=None, referring_centre_id=allerod,
                                  referred_on=date(2016, 3, 2), case_reference="SAG-1")
        session.commit()
        return r.id

    def sector():
        if "sector_id" not in made:
            made["sector_id"] = make_focus_sector().id
        return made["sector_id"]

    def agreement():
        from nrs.companies.models import Company

        return make_agreement(session.get(Company, company()), focus_sector=session.get(FocusSector, sector())).id

    def campaign():
        if "campaign_id" not in made:
            sector()
            made["campaign_id"] = make_campaign(name="Forår 2016", year=2016).id
        return made["campaign_id"]

    def target():
        from nrs.campaigns.models import CampaignTarget

        t = CampaignTarget(campaign_id=campaign(), company_id=company(), lead_centre_id=allerod)
        session.add(t)
        session.commit()
        return t.id

    def message():
        from nrs.mail.models import OutboxMessage, OutboxStatus

        m = OutboxMessage(idempotency_key="acl-test", kind="weekly", recipient="x@c201.test", subject="Uge 10",
                          body_text="...", status=OutboxStatus.failed)
        session.add(m)
        session.commit()
        return m.id

    def user():
        return make_user(role="staff", centre=201).id

    makers = {"company_id": company, "contact_id": contact, "order_id": order, "referral_id": referral,
              "sector_id": sector, "agreement_id": agreement, "campaign_id": campaign, "target_id": target,
              "message_id": message, "user_id": user}

    def build(rule: str, *, missing: bool = False) -> str:
        def fill(match):
            name = match.group(2)
            if name in PLAIN_ARGS:
                return PLAIN_ARGS[name]
            if missing:
                return "999999"
            if name == "referral_id":
                order()
            return str(makers[name]())

        # order_id before referral_id: the referral belongs to the order in the URL
        return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule)

    return build


@pytest.fixture
def cheap_password_hashes(monkeypatch):
    """Logins stay real, but with argon2 at its lowest cost: this table logs in ~400 times."""
    from argon2 import PasswordHasher

    from nrs.auth import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
