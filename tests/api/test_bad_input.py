"""Bad parameters to the API: a 400 in JSON that names them, never HTML and never a 5xx.

One database (as tests/test_access_control.py): these are checked before any SQL runs, and the
generated walk below is long.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import bearer, error_of
from tests.conftest import BACKENDS
from tests.routes import API_PREFIX, ROUTES


@pytest.fixture
def backend() -> str:
    return "sqlite" if "sqlite" in BACKENDS else BACKENDS[0]


@pytest.mark.parametrize("url", [
    "/api/v1/status?as_of=31-03-2016", "/api/v1/status", "/api/v1/status?as_of=1459382400",
    "/api/v1/status?as_of=9999-12-31", "/api/v1/status?as_of=2016-03-31&x=1",
    "/api/v1/companies?limit=0", "/api/v1/companies?limit=9999999999999999999", "/api/v1/companies?cvr=abc",
    "/api/v1/companies?q=" + "x" * 200, "/api/v1/companies?q=a%1bb", "/api/v1/companies?q=a%00b",
    "/api/v1/job-orders?state=bogus", "/api/v1/job-orders?centre=999", "/api/v1/job-orders?sort=evil",
    "/api/v1/job-orders?received_from=2016-02-30", "/api/v1/job-orders?company=2147483648",
    "/api/v1/agreements?status=x", "/api/v1/campaigns?year=1", "/api/v1/period?from=2016-01-01",
    "/api/v1/period?from=2000-01-01&to=2099-12-31", "/api/v1/job-orders?after=%%%",
    "/api/v1/campaigns/1/targets?centre=abc", "/api/v1/companies?limit=2&limit=3",
])
def test_bad_parameters_are_400_json_naming_the_problem(client, make_key, url):
    assert error_of(client.get(url, headers=bearer(make_key())), 400)


EXAMPLES = int(os.environ.get("NRS_WALK_EXAMPLES", "40"))
API_GETS = sorted(rule for _e, rule, method in ROUTES if rule.startswith(API_PREFIX) and method == "GET")
PARAMS = ["q", "cvr", "municipality", "status", "state", "centre", "sector", "company", "agreement",
          "received_from", "received_to", "sort", "kind", "year", "as_of", "from", "to", "after", "limit"]
VALUES = st.one_of(st.sampled_from([
    "", "0", "-1", "1", "201", "217", "2147483647", "2147483648", "9" * 40, "1e20", "NaN", "١٢٣", "\x00",
    "\r\n", "%", "_", "' OR 1=1 --", "2016-03-31", "2016-02-30", "0001-01-01", "9999-12-31", "open", "active",
    "received", "company", "eyJ4IjoxfQ", "WzEsMl0", "WyJ4IiwieSJd", "x" * 600,
]), st.text(max_size=12))


@pytest.fixture
def walk_key(app, make_key) -> str:
    """One key for every generated example (fixtures are made once per test, not per example),
    with room for them all within the rate limit."""
    app.config["NRS"] = app.config["NRS"].with_(api_calls_per_minute=100_000)
    return make_key("walk")


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_generated_parameters_answer_5xx_or_html(client, walk_key, make_company, data):
    key = walk_key
    rule = data.draw(st.sampled_from(API_GETS))
    url = re.sub(r"<int:\w+>", lambda _m: data.draw(st.sampled_from(["1", "999999", "2147483648"])), rule)
    args = data.draw(st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=4))
    response = client.get(url, query_string=args, headers=bearer(key))
    assert response.status_code < 500, (url, args, response.get_data(as_text=True)[:300])
    if rule.startswith("/api/v1/openapi") or rule.endswith("/docs"):
        return
    assert response.mimetype == "application/json", (url, args)
