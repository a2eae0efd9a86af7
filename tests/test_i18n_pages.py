"""Every page of the URL map in the language chosen: no English in Danish mode, no Danish in English mode.

The pages are the route-wide tests' (tests/routes.py: every GET route, its ids pointing at real objects),
read as an administrator, who may see them all. A text node of the page that is a catalogue entry in the
other language is a string that escaped translation (a label not wrapped in ``_()``, a fuzzy entry, an
English WTForms message, a hard-coded word).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from nrs.i18n import WTFORMS_MESSAGES, WTFORMS_PLURALS
from tests.conftest import post_form
from tests.routes import ROUTES

CATALOGUE = Path(__file__).resolve().parent.parent / "nrs" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
SKIP = {"auth.logout", "static", "auth.sso_start", "auth.sso_callback"}
PAGES = [(endpoint, rule) for endpoint, rule, method in ROUTES
         if method == "GET" and endpoint not in SKIP and not rule.startswith("/api/")]
#: Danish words of the interface no English page has, whatever the data.
DANISH_WORDS = {"Gem", "Slet", "Søg", "Tilbage", "Næste", "Forrige", "Annullér", "Tilføj", "Opret", "Ret", "Vis",
                "Filtrér", "Ingen", "Alle", "Ja", "Nej"}


@pytest.fixture
def backend():
    return "sqlite"  # the words, not the database


def _texts(page: str) -> set[str]:
    """The page's text nodes and its placeholders, titles and labels read aloud."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attrs = re.findall(r'\b(?:placeholder|title|aria-label)="([^"]*)"', page)
    nodes = re.split(r"<[^>]+>", page)
    return {html.unescape(t).strip().rstrip(":").strip() for t in nodes + attrs} - {""}


@pytest.fixture(scope="module")
def wrong():
    """Per language, the texts that belong to the other one: whole catalogue entries that differ."""
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f, locale="en")
    danish, english = set(), set()
    for m in catalogue:
        if not m.id or isinstance(m.id, tuple) or "%" in m.id or m.id == m.string:
            continue
        danish.add(m.id)
        english.add(m.string)
    both = danish & english  # "Status", "Type": the same word in both
    english |= set(WTFORMS_MESSAGES) | set(WTFORMS_PLURALS)
    return {"da": english - both, "en": (danish | DANISH_WORDS) - both}


def _walk(client, world, lang: str, wrong_texts: set[str]) -> dict[str, list[str]]:
    assert post_form(client, f"/sprog/{lang}", {"next": "/"}, form_url="/").status_code == 302
    found, seen = {}, 0
    for endpoint, rule in PAGES:
        url = world(rule)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen += 1
        bad = sorted(_texts(response.get_data(as_text=True)) & wrong_texts)
        if bad:
            found[f"{endpoint} {url}"] = bad
    assert seen >= 50, f"only {seen} pages answered 200 with HTML"
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_page_shows_the_other_language(client, login_as, world, wrong, lang):
    login_as("admin", centre=201)
    found = _walk(client, world, lang, wrong[lang])
    assert not found, "\n".join(f"{page}: {texts}" for page, texts in found.items())
