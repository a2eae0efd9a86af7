"""Redirects after login and after the language switch stay on this site, however ``next`` is spelt.

The check must hold for the target as a browser reads the Location header (tabs and newlines
dropped, ends trimmed, ``\\`` read as ``/``), not as the string looked before: ``/%09/evil.example``
arrived as ``/\\t/evil.example``, passed the old check and sent the user to ``//evil.example``.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nrs.security import safe_next
from tests.conftest import PASSWORD, csrf_token

SITE = "http://nrs.test"
PIECES = st.sampled_from([
    "/", "//", "///", "\\", "/\\", "\t", "\r", "\n", "\r\n", " ", "\x00", "\x0b", "\x0c", "\x1f", "\x7f",
    "\u00a0", "\u2028", "\u3000", "\ufeff", "\u200b", "%09", "%0d%0a", "%2f", "%2F%2F", "%5c", "%00", "%252f",
    "http:", "https://", "HTTPS:", "javascript:", "data:text/html,", "evil.example", "@", ":", ".", "..",
    "?", "#", "x", "/admin/brugere", "Ｅvil", "／", "＼",
])
#: Targets that leave the site, and what browsers ignore or rewrite inside them.
FOREIGN = st.sampled_from(["//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example",
                           "javascript:alert(1)", "http:evil.example", "///evil.example"])
IGNORED = st.sampled_from(["\t", "\n", "\r", " ", "\x00", "\x0b", "\x1f", "\u3000", "\ufeff", "\u200b"])


@st.composite
def disguised(draw):
    """A foreign target with characters a browser drops or trims slipped in anywhere."""
    target = draw(FOREIGN)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(target)))
        target = target[:at] + draw(IGNORED) + target[at:]
    return target


TARGETS = st.one_of(disguised(), st.lists(PIECES, max_size=8).map("".join), st.text(max_size=30))
SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def backend():
    """No database question here: SQLite only."""
    return "sqlite"


def as_browser_reads(location: str) -> str:
    """Where a browser goes for this Location on our site (WHATWG URL parsing, the parts that matter)."""
    location = re.sub(r"[\t\n\r]", "", location).strip("".join(map(chr, range(0x21))))
    location = location.replace("\\", "/")
    return urljoin(SITE + "/page", location)


def assert_same_site(response, target: str = "") -> None:
    if "\x00" in target:
        # NUL in any request text is refused before the login (nrs.inputs): no redirect at all.
        assert response.status_code == 400 and "Location" not in response.headers, response.status_code
        return
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert not re.search(r"[\x00-\x20\x7f\\]", location), repr(location)
    assert location.startswith("/") and not location.startswith("//"), repr(location)
    target = urlsplit(as_browser_reads(location))
    assert (target.scheme, target.netloc) == ("http", "nrs.test"), repr(location)


@given(target=TARGETS)
@settings(SETTINGS, max_examples=1000)
def test_safe_next_accepts_only_paths_on_this_site(target):
    result = safe_next(target)
    if result is not None:
        assert result == target
        assert urlsplit(as_browser_reads(result)).netloc == "nrs.test", repr(target)
        assert not re.search(r"[\x00-\x20\x7f\\]", result), repr(target)


@given(target=TARGETS)
@SETTINGS
def test_language_switch_never_leaves_the_site(client, target):
    token = csrf_token(client, "/login")
    assert_same_site(client.post("/sprog/en", data={"csrf_token": token, "next": target}), target)


@given(target=TARGETS)
@settings(SETTINGS, max_examples=60)
def test_login_never_leaves_the_site(client, make_user, cheap_password_hashes, target):
    user = make_user(email="redirect@c201.test") if not _users else _users[0]
    _users[:] = [user]
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": target},
                           data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert_same_site(response, target)


_users: list = []


@pytest.fixture(autouse=True)
def _fresh_users():
    _users.clear()
    yield
    _users.clear()


@pytest.mark.parametrize("query", [
    "next=/%09/evil.example", "next=/%0d/evil.example", "next=/%0a/evil.example", "next=%09//evil.example",
    "next=/%5Cevil.example", "next=%5C%5Cevil.example", "next=/%0d%0aSet-Cookie:x=1", "next=https:evil.example",
    "next=%20//evil.example", "next=/%00/evil.example", "next=///evil.example", "next=\\/evil.example",
])
def test_the_reported_targets_go_to_the_front_page(client, make_user, query):
    user = make_user()
    token = csrf_token(client, "/login")
    response = client.post(f"/login?{query}", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    if "%00" in query:  # NUL in any request text is refused before the login (nrs.inputs)
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_path_on_this_site_is_still_followed(client, make_user):
    user = make_user()
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": "/jobordrer/?q=Tømrer&page=2"},
                           data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/jobordrer/?q=T%C3%B8mrer&page=2"
