"""No route answers 5xx, whatever is sent: the whole URL map walked with generated input, every role.

For each role (no login, staff, coordinator, admin) hypothesis picks routes from the URL map
(tests/routes.py) and fills their URL parameters (real ids, ids of nothing, ids beyond 2^31 and
2^63), query strings and form bodies (with the real CSRF token, so the request reaches the view)
from values that broke pages before: huge numbers, NUL, control characters, bad dates, wildcards.
Bounded (``NRS_WALK_EXAMPLES`` per role) so it stays within the suite's time; SQLite only, as
tests/test_hostile_input.py, whose per-form fuzzing this complements.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_token, login
from tests.routes import PLAIN_ARGS, POST_ROUTES, ROUTES

EXAMPLES = int(os.environ.get("NRS_WALK_EXAMPLES", "40"))
#: Logging out ends the session the other examples need; static files take no input.
SKIP = {"auth.logout", "static"}
CALLS = sorted({(e, r, "GET") for e, r, m in ROUTES if m == "GET" and e not in SKIP}
               | {(e, r, "POST") for e, r in POST_ROUTES if e not in SKIP})
VALUES = st.one_of(
    st.sampled_from([
        "", "0", "-1", "1", "2", "201", "999999", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "9" * 40, "1e20", "1.5", "NaN", "١٢٣", "０１２",
        "\x00", "a\x00b", "\r\n", "\x1b", "%", "_", "%_%", "\\", "' OR 1=1 --", "<script>x</script>",
        "31-02-2016", "2016-13-45", "01-01-0001", "31-12-9999", "csv", "xlsx", "pdf", "exe", "json",
        "none", "true", "y", "x" * 3000, "eyJ4IjoxfQ", "W10", "WzEsMl0", "WyJ4IiwieSJd",
    ]),
    st.text(max_size=20),
)
KEYS = st.sampled_from([
    "page", "q", "centre", "company", "company_id", "year", "user", "municipality", "min_employees", "sector",
    "lead", "industry", "sort", "status", "state", "kind", "fmt", "after", "before", "at", "date_from",
    "date_to", "action", "entity_type", "cvr", "next",
])
FIELDS = st.sampled_from([
    "name", "email", "cvr", "title", "positions", "version", "reason", "on_date", "received_on", "agreement_id",
    "contact_user_id", "lead_centre_id", "centre", "user", "role", "active", "phone", "codes", "year",
    "case_reference", "referred_on", "outcome", "valid_from", "valid_to", "kind", "focus_sector_id",
    "fill-on_date", "fill-version", "fill-hires-0-centre_id", "fill-hires-0-referral_id", "status", "note",
    "current", "new", "confirm", "next", "sectors", "municipalities", "confirm_name",
])
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


@pytest.fixture
def backend():
    """SQLite only: the walk is long; the database-specific cases are in tests/test_bad_input.py."""
    return "sqlite"


def _url(rule: str, draw, world) -> str:
    def fill(match):
        kind, name = match.group(1), match.group(2)
        if kind == "int":
            choice = draw(st.sampled_from(["real", "real", "0", "999999", "2147483648", "9223372036854775808"]))
            return world(f"<int:{name}>") if choice == "real" else choice
        if name in PLAIN_ARGS:
            return draw(st.sampled_from([PLAIN_ARGS[name], "x", "..", "%00"]))
        return "x"

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule)


@pytest.mark.slow
@pytest.mark.parametrize("role", [None, "staff", "coordinator", "admin"])
def test_no_route_answers_5xx_to_generated_input(app, client, make_user, world, cheap_password_hashes, role):
    if role:
        assert login(client, make_user(role=role, centre=201).email).status_code == 302
    token = csrf_token(client, "/adgangskode" if role else "/login")
    built: dict[str, str] = {}

    def world_id(placeholder: str) -> str:
        if placeholder not in built:  # one object per parameter, made once for the whole walk
            built[placeholder] = world(placeholder).strip("/")
        return built[placeholder]

    @given(data=st.data())
    @SETTINGS
    def walk(data):
        endpoint, rule, method = data.draw(st.sampled_from(CALLS), label="route")
        url = _url(rule, data.draw, world_id)
        query = data.draw(st.dictionaries(KEYS, VALUES, max_size=4), label="query")
        if method == "GET":
            response = client.get(url, query_string=query)
        else:
            body = data.draw(st.dictionaries(FIELDS, VALUES, max_size=6), label="body")
            body["csrf_token"] = token
            response = client.post(url, query_string=query, data=body)
        assert response.status_code < 500, (method, url, query, response.status_code)

    walk()
