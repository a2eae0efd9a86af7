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
from argon2 import PasswordHasher

from nrs import create_app, legacy_urls
from nrs.activities import services as activity_services
from nrs.auth import passwords
from nrs.campaigns.models import CampaignTarget
from nrs.clock import utcnow
from nrs.companies import services as company_services
from nrs.companies.models import Company
from nrs.config import Settings
from nrs.enquiries.models import Enquiry, EnquiryAttachment
from nrs.joborders import services as job_order_services
from nrs.joborders.models import JobOrder
from nrs.mail.models import OutboxMessage, OutboxStatus
from nrs.reports import scheduled
from nrs.sectors.models import FocusSector

#: Values for URL parameters that are not object ids.
PLAIN_ARGS = {"filename": "nrs.css", "lang": "en", "fmt": "xlsx", "status": "running", "token": "not-a-token",
              "name": "hil"}


def _routes() -> list:
    """(endpoint, rule, method) for every route, read from a real app at collection time."""
    with tempfile.TemporaryDirectory(prefix="nrs-routes-") as tmp:
        app = create_app(Settings(instance_path=Path(tmp), database_url=f"sqlite:///{tmp}/x.db", secret_key="x"))
        out = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint.startswith(legacy_urls.PREFIX):
                continue  # the old English paths: redirects only (tests/test_legacy_urls.py)
            methods = rule.methods - {"HEAD", "OPTIONS"}
            out.append((rule.endpoint, rule.rule, "GET" if "GET" in methods else "POST"))
            if "POST" in methods:
                POST_ROUTES.append((rule.endpoint, rule.rule))
        app.extensions["nrs_engine"].dispose()
    return out


#: (endpoint, rule) of every route that takes a POST: the forms.
POST_ROUTES: list[tuple[str, str]] = []


ROUTES = _routes()
#: The API's routes (level ``token``) answer an API key, never a session: the route x role table
#: expects 401 from them for every role, and tests/api/ covers their 404s and scope with keys.
API_PREFIX = "/api/"
WITH_IDS = [route for route in ROUTES if "<int:" in route[1] and not route[1].startswith(API_PREFIX)]


# --- the objects URL parameters point at ----------------------------------------------------------

class World:
    """Objects of centre 201, made when a URL first needs one, by URL parameter name."""

    def __init__(self, session, factories: dict):
        self.session = session
        self.f = factories
        self.made: dict[str, int] = {}
        self.allerod = factories["centre_by_code"](201).id

    def _once(self, name: str, make) -> int:
        if name not in self.made:
            self.made[name] = make()
        return self.made[name]

    def _save(self, obj) -> int:
        self.session.add(obj)
        self.session.commit()
        return obj.id

    def company(self) -> int:
        return self._once("company_id", lambda: self.f["make_company"](name="Allerød Byg ApS",
                                                                       municipality_code=201).id)

    def contact(self) -> int:
        c = company_services.add_contact(self.session, self.session.get(Company, self.company()), by=None,
                                         values={"name": "Mette Hansen", "email": "mette@byg.test"})
        self.session.commit()
        return c.id

    def order(self) -> int:
        return self._once("order_id", lambda: self.f["make_job_order"](
            company=self.session.get(Company, self.company())).id)

    def referral(self) -> int:
        r = job_order_services.add_referral(
            self.session, self.session.get(JobOrder, self.order()), by=None, referring_centre_id=self.allerod,
            referred_on=date(2016, 3, 2), case_reference="SAG-1")
        self.session.commit()
        return r.id

    def sector(self) -> int:
        return self._once("sector_id", lambda: self.f["make_focus_sector"]().id)

    def agreement(self) -> int:
        return self.f["make_agreement"](self.session.get(Company, self.company()),
                                        focus_sector=self.session.get(FocusSector, self.sector())).id

    def campaign(self) -> int:
        self.sector()
        return self._once("campaign_id", lambda: self.f["make_campaign"](name="Forår 2016", year=2016).id)

    def target(self) -> int:
        return self._save(CampaignTarget(campaign_id=self.campaign(), company_id=self.company(),
                                         lead_centre_id=self.allerod))

    def message(self) -> int:
        return self._save(OutboxMessage(idempotency_key="acl-test", kind="weekly", recipient="x@c201.test",
                                        subject="Uge 10", body_text="...", status=OutboxStatus.failed))

    def activity(self) -> int:
        company = self.session.get(Company, self.company())
        a = activity_services.record_activity(self.session, company=company, kind="call", author=None,
                                              at=utcnow(), summary="Ringede", centre=self.allerod)
        self.session.commit()
        return a.id

    def task(self) -> int:
        staff = self.f["make_user"](role="staff", centre=201)
        t = activity_services.create_task(self.session, title="Ring til Nordbyg om foråret", due=date(2016, 3, 14), assignee=staff,
                                          creator=None, company=self.company())
        self.session.commit()
        return t.id

    def enquiry(self) -> int:
        def make() -> int:
            enquiry = Enquiry(channel="phone", company_id=self.company(), lead_centre_id=self.allerod, text="Ring")
            return self._save(enquiry)
        return self._once("enquiry_id", make)

    def attachment(self) -> int:
        return self._save(EnquiryAttachment(enquiry_id=self.enquiry(), filename="opslag.pdf",
                                            content_type="application/pdf", size=3, path="missing.pdf"))
    def token(self) -> int:
        from nrs.api import tokens

        self.tokens = getattr(self, "tokens", 0) + 1
        token, _key = tokens.create(self.session, name=f"acl-{self.tokens}")
        self.session.commit()
        return token.id

    def user(self) -> int:
        return self.f["make_user"](role="staff", centre=201).id

    def subscription(self) -> int:
        maker = self.f["make_user"](role="coordinator", centre=201)
        sub = scheduled.subscribe(self.session, name="Styregruppen", recipients="styregruppe@c201.test",
                                  every="quarter", by=maker)
        self.session.commit()
        return sub.id

    def centre(self) -> int:
        return self.allerod

    def url(self, rule: str, *, missing: bool = False) -> str:
        def fill(match):
            name = match.group(2)
            if name in PLAIN_ARGS:
                return PLAIN_ARGS[name]
            if missing:
                return "999999"
            if name == "referral_id":
                self.order()  # the referral belongs to the order in the URL
            return str(getattr(self, name.removesuffix("_id"))())

        return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule)


@pytest.fixture
def world(session, make_company, make_job_order, make_user, centre_by_code, make_campaign, make_focus_sector,
          make_agreement):
    """``world(rule)``: the rule as a URL whose ids point at fresh objects of centre 201."""
    factories = {"make_company": make_company, "make_job_order": make_job_order, "make_user": make_user,
                 "centre_by_code": centre_by_code, "make_campaign": make_campaign,
                 "make_focus_sector": make_focus_sector, "make_agreement": make_agreement}
    return World(session, factories).url


@pytest.fixture
def cheap_password_hashes(monkeypatch):
    """Logins stay real, but with argon2 at its lowest cost: this table logs in ~400 times."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
