"""The read-only API: keys, scope, paging, the figures, the rate limit, the access log (both databases)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from nrs.api import guard, tokens
from nrs.api.models import ApiToken
from nrs.joborders.models import Referral
from nrs.privacy.models import AccessLogEntry
from tests.api.conftest import bearer, error_of
from tests.reports.seedlike import make_seed_like


def test_status_is_the_cli_object_32_10_6_16(client, cli_run, make_key, make_company, make_job_order,
                                             centre_by_code):
    make_seed_like(make_company, make_job_order, centre_by_code)
    r = client.get("/api/v1/status?as_of=2016-03-31", headers=bearer(make_key()))
    assert r.status_code == 200, r.get_data(as_text=True)
    figures = r.get_json()
    assert (figures["orders_received"], figures["orders_filled"], figures["orders_unfilled"],
            figures["orders_open"]) == (32, 10, 6, 16)
    cli = cli_run("reports", "status", "--as-of", "2016-03-31", "--json")
    assert figures == json.loads(cli.output)


def test_period_is_the_cli_object(client, cli_run, make_key, make_company, make_job_order, centre_by_code):
    make_seed_like(make_company, make_job_order, centre_by_code)
    r = client.get("/api/v1/period?from=2016-01-01&to=2016-03-31", headers=bearer(make_key()))
    assert r.status_code == 200, r.get_data(as_text=True)
    cli = cli_run("reports", "period", "--from", "2016-01-01", "--to", "2016-03-31", "--json")
    assert r.get_json() == json.loads(cli.output)
    r = client.get("/api/v1/period?from=2016-03-31&to=2016-01-01", headers=bearer(make_key("b")))
    assert "før" in error_of(r, 400)


def test_no_key_is_401_with_a_challenge_and_a_browser_session_is_not_a_key(client, login_as, make_key):
    r = client.get("/api/v1/status?as_of=2016-03-31")
    error_of(r, 401)
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="NRS API"'
    login_as("admin")  # a logged-in browser: its cookie is no key
    error_of(client.get("/api/v1/companies"), 401)
    key = make_key()
    error_of(client.get(f"/api/v1/companies?access_token={key}"), 401)  # not in the query string
    client.set_cookie("access_token", key)
    error_of(client.get("/api/v1/companies"), 401)  # nor in a cookie
    error_of(client.get("/api/v1/companies", headers={"Authorization": f"Basic {key}"}), 401)
    assert client.get("/api/v1/companies", headers=bearer(key)).status_code == 200


def test_revoked_expired_and_wrong_keys_are_401(client, cli_run, session, make_key):
    key = make_key("old")
    assert client.get("/api/v1/companies", headers=bearer(key)).status_code == 200
    assert cli_run("api-tokens", "revoke", "old").exit_code == 0
    r = client.get("/api/v1/companies", headers=bearer(key))
    error_of(r, 401)
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]

    soon = make_key("soon", days=1)
    token = session.exec(select(ApiToken).where(ApiToken.name == "soon")).one()
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    session.add(token)
    session.commit()
    error_of(client.get("/api/v1/companies", headers=bearer(soon)), 401)
    error_of(client.get("/api/v1/companies", headers=bearer(key[:-1] + ("A" if key[-1] != "A" else "B"))), 401)


def test_the_cli_prints_the_key_last_and_stores_only_its_hash(cli_run, session):
    r = cli_run("api-tokens", "create", "--name", "Hillerød DWH", "--centre", "219", "--days", "30", "--referrals")
    assert r.exit_code == 0, r.output
    key = r.output.strip().splitlines()[-1]
    assert key.startswith("nrs_") and len(key) > 40
    token = session.exec(select(ApiToken).where(ApiToken.name == "Hillerød DWH")).one()
    assert token.token_hash == tokens.hash_key(key) and key not in token.token_hash
    assert token.referrals and token.expires_at is not None
    listed = cli_run("api-tokens", "list").output
    assert "Hillerød DWH" in listed and "219" in listed and key not in listed and "active" in listed
    assert cli_run("api-tokens", "create", "--name", "Hillerød DWH").exit_code != 0  # names are unique
    assert cli_run("api-tokens", "create", "--name", "x", "--centre", "999").exit_code != 0
    assert cli_run("api-tokens", "revoke", "nobody").exit_code != 0
    assert cli_run("api-tokens", "revoke", "Hillerød DWH").exit_code == 0
    assert "revoked" in cli_run("api-tokens", "list").output


def test_a_centre_key_sees_only_its_centre(client, make_key, make_company, make_job_order, make_agreement):
    ours = make_company(name="Helsingør Værft A/S", municipality_code=217)
    theirs = make_company(name="Allerød Byg ApS", municipality_code=201)
    our_order, their_order = make_job_order(ours), make_job_order(theirs)
    their_agreement = make_agreement(theirs)
    key = bearer(make_key(centre=217))
    names = [c["name"] for c in client.get("/api/v1/companies", headers=key).get_json()["items"]]
    assert names == ["Helsingør Værft A/S"]
    assert client.get(f"/api/v1/companies/{ours.id}", headers=key).get_json()["lead_centre"] == 217
    error_of(client.get(f"/api/v1/companies/{theirs.id}", headers=key), 404)
    error_of(client.get(f"/api/v1/job-orders/{their_order.id}", headers=key), 404)
    error_of(client.get(f"/api/v1/agreements/{their_agreement.id}", headers=key), 404)
    orders = client.get("/api/v1/job-orders?centre=201", headers=key).get_json()["items"]
    assert orders == []  # asking for another centre does not widen the scope
    assert [o["id"] for o in client.get("/api/v1/job-orders", headers=key).get_json()["items"]] == [our_order.id]
    everything = bearer(make_key("all"))
    assert client.get(f"/api/v1/companies/{theirs.id}", headers=everything).status_code == 200
    assert len(client.get("/api/v1/job-orders", headers=everything).get_json()["items"]) == 2


def test_lists_page_by_key_to_the_end(client, make_key, make_company, make_job_order):
    made = {make_company(name=f"Firma {n:02d} ApS").id for n in range(7)}
    key = bearer(make_key())
    seen, url, pages = [], "/api/v1/companies?limit=3&q=firma", 0
    while url:
        body = client.get(url, headers=key).get_json()
        seen += [c["id"] for c in body["items"]]
        pages += 1
        url = f"/api/v1/companies?limit=3&q=firma&after={body['next']}" if body["next"] else None
    assert pages == 3 and len(seen) == 7 and set(seen) == made
    for n in range(3):
        make_job_order(received_on=date(2016, 3, 1 + n))
    first = client.get("/api/v1/job-orders?limit=2&sort=received", headers=key).get_json()
    second = client.get(f"/api/v1/job-orders?limit=2&sort=received&after={first['next']}", headers=key).get_json()
    days = [o["received_on"] for o in first["items"] + second["items"]]
    assert days == ["2016-03-01", "2016-03-02", "2016-03-03"] and second["next"] is None
    assert "after" in error_of(client.get("/api/v1/companies?after=eyJ4IjoxfQ", headers=key), 400)


def test_the_rate_limit_is_per_key_and_answers_429_with_retry_after(app, client, make_key, monkeypatch):
    app.config["NRS"] = app.config["NRS"].with_(api_calls_per_minute=3)
    monkeypatch.setattr(guard, "utcnow", lambda: datetime(2016, 3, 31, 12, 0, 20, tzinfo=UTC))
    first, other = bearer(make_key("one")), bearer(make_key("two"))
    assert [client.get("/api/v1/campaigns", headers=first).status_code for _ in range(3)] == [200] * 3
    r = client.get("/api/v1/campaigns", headers=first)
    error_of(r, 429)
    assert r.headers["Retry-After"] == "40"
    assert client.get("/api/v1/campaigns", headers=other).status_code == 200
    monkeypatch.setattr(guard, "utcnow", lambda: datetime(2016, 3, 31, 12, 1, 0, tzinfo=UTC))
    assert client.get("/api/v1/campaigns", headers=first).status_code == 200  # the next minute


def test_every_call_is_in_the_access_log_and_referrals_need_their_scope(client, session, make_key, make_job_order,
                                                                        centre_by_code):
    order = make_job_order()
    session.add(Referral(job_order_id=order.id, referring_centre_id=centre_by_code(217).id,
                         referred_on=date(2016, 3, 2), case_reference="SAG-API-1"))
    session.commit()
    plain, case_worker = bearer(make_key("dashboard")), bearer(make_key("jobservice", referrals=True))
    body = client.get(f"/api/v1/job-orders/{order.id}", headers=plain).get_json()
    assert "referrals" not in body
    body = client.get(f"/api/v1/job-orders/{order.id}", headers=case_worker).get_json()
    assert [(r["case_reference"], r["referring_centre"]) for r in body["referrals"]] == [("SAG-API-1", 217)]
    client.get("/api/v1/job-orders?state=bogus", headers=plain)  # refused calls are logged too
    client.get("/api/v1/job-orders")  # no key: nobody to log
    rows = session.exec(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
    assert [(r.action, r.entity_type, r.entity_id, r.purpose) for r in rows] == [
        ("read", "job_order", str(order.id), "API 200: dashboard"),
        ("read", "job_order_referrals", str(order.id), "API 200: jobservice"),
        ("search", "job_orders", "", "API 400: dashboard"),
    ]
    assert rows[-1].criterion == "/api/v1/job-orders?state=bogus" and rows[-1].user_id is None


def test_unknown_paths_and_methods_answer_json(client, make_key):
    key = bearer(make_key())
    error_of(client.get("/api/v1/nothing", headers=key), 404)
    error_of(client.get("/api/v1/companies/999999", headers=key), 404)
    error_of(client.get("/api/v1/campaigns/999999/targets", headers=key), 404)
    r = client.post("/api/v1/companies", headers=key)
    error_of(r, 405)
    assert "GET" in r.headers["Allow"]


def test_campaign_targets_and_agreements(client, make_key, make_campaign, make_company, make_agreement, session):
    from nrs.campaigns.models import CampaignTarget

    company = make_company(municipality_code=201)
    agreement = make_agreement(company)
    campaign = make_campaign()
    session.add(CampaignTarget(campaign_id=campaign.id, company_id=company.id, lead_centre_id=company.lead_centre_id))
    session.commit()
    key = bearer(make_key())
    assert [c["id"] for c in client.get("/api/v1/campaigns", headers=key).get_json()["items"]] == [campaign.id]
    targets = client.get(f"/api/v1/campaigns/{campaign.id}/targets", headers=key).get_json()["items"]
    assert [(t["company"]["cvr"], t["lead_centre"]) for t in targets] == [(company.cvr, 201)]
    assert client.get(f"/api/v1/campaigns/{campaign.id}/targets", headers=bearer(make_key("h", centre=217))
                      ).get_json()["items"] == []
    items = client.get("/api/v1/agreements", headers=key).get_json()["items"]
    assert [(a["id"], a["company"]["id"]) for a in items] == [(agreement.id, company.id)]
    assert client.get(f"/api/v1/companies?cvr={company.cvr}", headers=key).get_json()["items"][0]["id"] == company.id


def test_the_openapi_document_validates_and_has_a_page(client):
    from openapi_spec_validator import validate

    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    validate(spec)
    assert {"/api/v1/status", "/api/v1/companies", "/api/v1/job-orders", "/api/v1/period",
            "/api/v1/campaigns/{campaign_id}/targets"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "GET /api/v1/status" in html
    assert "://" not in "".join(line for line in html.splitlines() if "<script" in line or "stylesheet" in line)


def test_a_key_whose_hash_looks_like_a_cpr_number_is_stored(session, monkeypatch):
    """The hash is random hex: ten digits in a row that read as a date happen (this one failed once)."""
    monkeypatch.setattr(tokens, "hash_key", lambda key: "0101901234" + "a" * 54)
    token, _key = tokens.create(session, name="lucky")
    session.commit()
    assert token.id is not None


def test_concurrent_calls_are_each_counted_once(engine, session, make_key):
    """Twelve calls at once with one key: each gets its own place 1…12 (one atomic UPDATE each)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from nrs.db import session_scope

    make_key("busy")
    token = session.exec(select(ApiToken).where(ApiToken.name == "busy")).one()
    now = datetime(2016, 3, 31, 12, 0, 0, tzinfo=UTC)
    start = Barrier(12)

    def call(_n):
        start.wait()
        with session_scope(engine, write=True) as s:
            return tokens.count_call(s, token, now).calls

    with ThreadPoolExecutor(12) as pool:
        places = sorted(pool.map(call, range(12)))
    assert places == list(range(1, 13))


def test_an_admin_makes_and_revokes_a_key_on_the_page(client, login_as, session, centre_by_code):
    from tests.conftest import post_form

    login_as("admin")
    r = post_form(client, "/admin/api-noegler/", {"name": "Egedal BI", "centre": str(centre_by_code(240).id),
                                                  "days": "90"})
    assert r.status_code == 200, r.get_data(as_text=True)
    key = re.search(r'data-testid="key">([^<]+)<', r.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/companies", headers=bearer(key)).status_code == 200
    assert key not in client.get("/admin/api-noegler/").get_data(as_text=True)  # shown once
    token = session.exec(select(ApiToken).where(ApiToken.name == "Egedal BI")).one()
    assert token.job_centre_id == centre_by_code(240).id and not token.referrals
    r = post_form(client, "/admin/api-noegler/", {"name": "Egedal BI"})
    assert r.status_code == 400 and "findes allerede" in r.get_data(as_text=True)
    r = post_form(client, f"/admin/api-noegler/{token.id}/tilbagekald", {"confirm": "1"}, form_url="/admin/api-noegler/")
    assert r.status_code == 302
    error_of(client.get("/api/v1/companies", headers=bearer(key)), 401)
    from nrs.audit.models import AuditEvent

    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "api_token"))]
    assert actions == ["create", "revoke"]
