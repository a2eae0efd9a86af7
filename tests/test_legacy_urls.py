"""The old English paths answer a permanent redirect to the Danish ones (issue 18 item 10).

308, so a form posted to an old path is posted again to the new one with its body; the query string
goes along. Every old rule of nrs/legacy_urls.py is tried with the methods its endpoint takes.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask import url_for

from nrs.legacy_urls import MOVED
from tests.conftest import csrf_token

#: Values for the old rules' parameters.
VALUES = {"fmt": "csv", "status": "running", "lang": "en"}


@pytest.fixture
def backend():
    return "sqlite"  # routing only


def _fill(rule: str) -> tuple[str, dict]:
    values = {}

    def one(match):
        kind, name = match.group(1), match.group(2)
        values[name] = 7 if kind == "int" else VALUES.get(name, "x")
        return str(values[name])

    return re.sub(r"<(?:(\w+):)?(\w+)>", one, rule), values


@pytest.mark.parametrize(("old", "endpoint"), MOVED, ids=[old for old, _e in MOVED])
def test_an_old_path_redirects_permanently_to_its_danish_one(app, client, old, endpoint):
    path, values = _fill(old)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    assert re.search(r"\b(companies|campaigns|agreements|sectors|privacy|users|edit|new|delete|contacts)\b",
                     rule.rule) is None, rule.rule
    with app.test_request_context():
        new = url_for(endpoint, **values)
    assert new != path
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        response = client.open(f"{path}?q=b%C3%A6k&page=2", method=method)
        assert response.status_code == 308, (method, path)
        location = urlsplit(response.headers["Location"])
        assert (location.path, location.query) == (new, "q=b%C3%A6k&page=2"), method


def test_a_form_posted_to_an_old_path_arrives(client, login_as):
    """A browser repeats a 308 with the same method and body (the test client does not: done by hand)."""
    login_as("staff")
    data = {"csrf_token": csrf_token(client, "/"), "next": "/"}
    moved = client.post("/language/en", data=data)
    assert moved.status_code == 308
    response = client.post(urlsplit(moved.headers["Location"]).path, data=data, follow_redirects=True)
    assert response.status_code == 200 and "Companies" in response.get_data(as_text=True)


def test_a_refused_form_says_so_in_the_language_of_the_page(client, login_as):
    """The CSRF refusal showed Flask-WTF's English reason ("The CSRF token is missing.") in Danish mode."""
    login_as("staff")
    response = client.post("/sprog/en", data={"next": "/"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Formularen er udløbet" in body and "CSRF" not in body
