"""No N+1 queries: each list page runs as many SQL statements for 3N rows as for N.

A page that loads a related row per listed row (the lead centre, the contact person, the
referral count...) gets slower with every row a user sees; counting the statements a request
sends finds that at once, on SQLite and PostgreSQL, without timing anything.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import sqlalchemy as sa
from flask import url_for
from sqlalchemy import event

from bench.generate import BENCH_ADMIN, BENCH_PASSWORD, Counts, generate
from nrs.companies.models import Contact
from nrs.db import make_engine, session_scope
from nrs.enquiries.models import Enquiry
from tests.conftest import login

N = 6
#: Page → (endpoint, arguments given the campaign id, whether it lists the rows themselves).
PAGES = {
    "front page": ("home.index", lambda cid: {}, False),
    "companies list": ("companies.index", lambda cid: {}, True),
    "companies search": ("companies.index", lambda cid: {"q": "nord"}, False),
    "job-order list": ("joborders.index", lambda cid: {}, True),
    "job-order list, open": ("joborders.index", lambda cid: {"state": "open"}, False),
    "agreements list": ("agreements.index", lambda cid: {}, True),
    "campaign page": ("campaigns.detail", lambda cid: {"campaign_id": cid}, True),
    "campaigns list": ("campaigns.index", lambda cid: {}, False),
    # "Mit arbejde" is on the front page; the bench admin holds a third of the generated tasks.
    "my tasks": ("activities.tasks", lambda cid: {}, True),
    "company page with its timeline": ("companies.detail", lambda cid: {"company_id": 1}, False),
    "company timeline, page 2": ("companies.detail", lambda cid: {"company_id": 1, "tl_page": 2}, False),
}


def _add_rows(database_url: str, n: int, seed: int) -> int | None:
    """n companies, job orders (with events, referrals, hires), agreements; all on one campaign."""
    generate(database_url, Counts(companies=n, orders=n, users=n, campaigns=1, agreements=n),
             seed=seed, log=lambda *_: None)
    eng = make_engine(database_url)
    try:
        with eng.begin() as c:
            cid = c.execute(sa.text("SELECT min(id) FROM campaigns")).scalar_one()
            # Every company on the first campaign, whether or not it matches: the page lists them.
            c.execute(sa.text(
                "INSERT INTO campaign_targets (campaign_id, company_id, lead_centre_id, added_at, status,"
                " status_note, matching, removed_by_hand, removed_reason, updated_at, version)"
                " SELECT :cid, id, lead_centre_id, created_at, 'not_contacted', '', :t, :f, '', created_at, 1"
                " FROM companies WHERE id NOT IN (SELECT company_id FROM campaign_targets"
                " WHERE campaign_id = :cid)"), {"cid": cid, "t": True, "f": False})
    finally:
        eng.dispose()
    return cid


_PARAMS = re.compile(r"\((?:\?|%\(\w+\)s(?:::\w+)?)(?:, (?:\?|%\(\w+\)s(?:::\w+)?))*\)")


def _shape(statement: str) -> str:
    """The statement without its parameter list lengths, for telling which ones were added."""
    return _PARAMS.sub("(…)", " ".join(statement.split()))[:300]


def _count(app, client, url: str) -> tuple[int, list[str], int]:
    engine = app.extensions["nrs_engine"]
    statements: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    client.get(url)  # warm caches (translations, reference data) before counting
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return response.status_code, statements, len(response.get_data())


@pytest.mark.parametrize("spec", list(PAGES.values()), ids=list(PAGES))
def test_list_page_queries_do_not_grow_with_rows(app, client, database_url, spec):
    endpoint, args, lists_rows = spec
    page = endpoint
    if endpoint not in app.view_functions:
        pytest.skip(f"{endpoint} is not built yet")
    cid = _add_rows(database_url, N, seed=1)
    with app.test_request_context():
        url = url_for(endpoint, **args(cid))
    assert login(client, BENCH_ADMIN, BENCH_PASSWORD).status_code == 302
    status, few, size_few = _count(app, client, url)
    assert status == 200, url
    _add_rows(database_url, 2 * N, seed=2)
    status, many, size_many = _count(app, client, url)
    assert status == 200, url
    if lists_rows:
        assert size_many > size_few, f"{page} ({url}) does not list the new rows"
    extra = list((Counter(map(_shape, many)) - Counter(map(_shape, few))).elements())
    assert len(many) == len(few), (
        f"{page} ({url}): {len(few)} statements for {N} rows, {len(many)} for {3 * N}; new: {extra}")


# --- every page of the URL map ------------------------------------------------------------------

#: Statements a page may send, whatever the data size (the warm second request; SQLite's BEGIN included).
MAX_STATEMENTS = 40
#: Pages that may send more, with the reason.
#: The reports page is the whole committee report (orders, positions, hires, agreements, campaigns,
#: STAR, enquiries) and the status as of a date; without a month snapshot every stock is read from
#: the history, a fixed number of statements per section.
MAX_STATEMENTS_OF: dict[str, int] = {"reports.index": 48}
#: Endpoints not requested: no database behind them, or they would end the test's session.
NOT_PAGES = {"static", "auth.logout"}

#: URL argument → the SQL that picks a row for it from the seeded database (the first such row).
ARGUMENT_ROWS = {
    "activity_id": "SELECT min(id) FROM activities",
    "agreement_id": "SELECT min(id) FROM agreements",
    "campaign_id": "SELECT min(campaign_id) FROM campaign_targets",
    "company_id": "SELECT min(company_id) FROM contacts",
    "contact_id": "SELECT min(id) FROM contacts",
    "enquiry_id": "SELECT min(id) FROM enquiries",
    "attachment_id": "SELECT coalesce(min(id), 1) FROM enquiry_attachments",  # none: its 404, counted too
    "order_id": "SELECT min(job_order_id) FROM referrals",
    "referral_id": "SELECT min(id) FROM referrals WHERE job_order_id = (SELECT min(job_order_id) FROM referrals)",
    "sector_id": "SELECT min(id) FROM focus_sectors",
    "target_id": "SELECT min(id) FROM campaign_targets",
    "task_id": "SELECT min(id) FROM tasks",
    "user_id": "SELECT min(id) FROM users",
    "centre_id": "SELECT min(id) FROM job_centres",
}
#: URL arguments that are not rows.
ARGUMENT_VALUES = {"fmt": "csv", "token": "no-such-token", "name": "no-such-provider"}


def _add_contact_and_enquiry(database_url: str) -> None:
    """The generated set has no contact persons and no enquiries; one of each for their pages."""
    eng = make_engine(database_url)
    try:
        with session_scope(eng) as s:
            company = s.execute(sa.text("SELECT min(id) FROM companies")).scalar_one()
            s.add(Contact(company_id=company, name="Kontakt Person", role="Ejer"))
            s.add(Enquiry(company_id=company, text="Ring venligst"))
    finally:
        eng.dispose()


def _page_urls(app, database_url: str) -> tuple[dict[str, str], list[str]]:
    """Every GET rule with its arguments filled from the database, and the rules that could not be filled."""
    eng = make_engine(database_url)
    try:
        with eng.connect() as c:
            rows = {k: c.execute(sa.text(q)).scalar() for k, q in ARGUMENT_ROWS.items()}
    finally:
        eng.dispose()
    values = {**rows, **ARGUMENT_VALUES}
    urls, unknown = {}, []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            missing = [a for a in rule.arguments if values.get(a) is None]
            if missing:
                unknown.append(f"{rule.endpoint} ({rule.rule}): {missing}")
                continue
            urls[rule.endpoint] = url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})
    return urls, unknown


def test_every_page_sends_a_fixed_number_of_statements_whatever_the_data_size(app, client, database_url):
    """Every GET page of the URL map, with a seeded database small and three times larger."""
    _add_rows(database_url, N, seed=1)
    _add_contact_and_enquiry(database_url)
    urls, unknown = _page_urls(app, database_url)
    assert not unknown, f"pages whose URL arguments this test cannot fill (add them to ARGUMENT_ROWS): {unknown}"
    assert login(client, BENCH_ADMIN, BENCH_PASSWORD).status_code == 302
    few = {endpoint: _count(app, client, url) for endpoint, url in urls.items()}
    _add_rows(database_url, 2 * N, seed=2)
    many = {endpoint: _count(app, client, url) for endpoint, url in urls.items()}
    problems = []
    for endpoint, url in urls.items():
        (status, small, _), (status_many, large, _) = few[endpoint], many[endpoint]
        bound = MAX_STATEMENTS_OF.get(endpoint, MAX_STATEMENTS)
        if status >= 500 or status_many >= 500:
            problems.append(f"{endpoint} {url}: answered {status}/{status_many}")
        elif len(large) != len(small):
            extra = list((Counter(map(_shape, large)) - Counter(map(_shape, small))).elements())
            problems.append(f"{endpoint} {url}: {len(small)} statements, then {len(large)} with 3x the rows; "
                            f"new: {extra[:3]}")
        elif len(large) > bound:
            problems.append(f"{endpoint} {url}: {len(large)} statements (at most {bound})")
    assert not problems, "\n".join(problems)
