"""Danish first, English on request: the language switch and the English catalogue.

The assertions name real English words, so an empty or missing catalogue fails them.
"""

from __future__ import annotations

import html
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import url_for

from nrs import clock
from tests.conftest import post_form

TRANSLATIONS = Path(__file__).resolve().parent.parent / "nrs" / "translations"
NAV_EN = ["Home", "Companies", "Job orders", "Agreements", "Campaigns", "Focus sectors", "Reports"]
NAV_DA = [
    "Forside",
    "Virksomheder",
    "Jobordrer",
    "Aftaler",
    "Kampagner",
    "Fokusbrancher",
    "Rapporter",
]
DATE = re.compile(r"\b(\d{2}-\d{2}-\d{4})\b")


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Compile each .po whose .mo is missing or older, as ``pybabel compile`` would.

    The .mo is not in git, so a fresh clone has none. Written to a temporary file and renamed,
    so parallel test workers never read half a catalogue.
    """
    catalogues = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
    assert catalogues, f"no catalogues under {TRANSLATIONS}"
    for po in catalogues:
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)


def nav_labels(page: str) -> list[str]:
    match = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', page, re.S)
    assert match, "no main navigation on the page"
    return [
        html.unescape(label).strip()
        for label in re.findall(r"<a [^>]*>([^<]*)</a>", match.group(1))
    ]


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def switch(client, lang: str, form_url: str):
    response = post_form(client, f"/sprog/{lang}", {"next": form_url}, form_url=form_url)
    assert response.status_code == 302
    return response


def assert_todays_date(page: str, prefix: str) -> None:
    """The status panel's heading carries today's date as dd-mm-yyyy, whatever the language."""
    match = re.search(re.escape(prefix) + r"\s*" + DATE.pattern, page)
    assert match, f"no {prefix!r} followed by a dd-mm-yyyy date"
    now = clock.today()  # the request may have run just before midnight in Copenhagen
    assert match.group(1) in {
        now.strftime("%d-%m-%Y"),
        (now - timedelta(days=1)).strftime("%d-%m-%Y"),
    }


def test_login_page_is_danish_even_when_the_browser_asks_for_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="da">' in page
    assert "<h1>Log ind</h1>" in page
    assert ">English</button>" in page
    assert "Password" not in page


def test_language_chosen_on_the_login_page_survives_login(client, login_as):
    switch(client, "en", "/login")
    page = get(client, "/login")
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page
    assert ">Dansk</button>" in page

    login_as("admin")
    page = get(client, "/")
    assert '<html lang="en">' in page
    assert set(NAV_EN) <= set(nav_labels(page))


def test_switching_to_english_and_back(app, client, login_as):
    user = login_as("staff", centre=201)
    page = get(client, "/")
    assert '<html lang="da">' in page
    assert "Jobordrer" in nav_labels(page)
    assert_todays_date(page, "Jobordrer i dag,")

    switch(client, "en", "/")
    page = get(client, "/")
    assert '<html lang="en">' in page
    labels = nav_labels(page)
    assert {"Home", "Companies", "Job orders"} <= set(labels)
    assert not set(labels) & set(NAV_DA), labels
    assert "Main menu" in page and ">Log out</button>" in page and ">Password</a>" in page
    assert f"Hello, {user.name}" in page
    assert "The nine job centres" in page and "Employer consultant" in page
    assert_todays_date(page, "Job orders today,")
    assert "Goddag" not in page and "Jobordrer" not in page

    with app.test_request_context():
        job_orders = url_for("joborders.index")
    page = get(client, job_orders)
    assert "Job orders" in page and "Newest first" in page and 'placeholder="dd-mm-' in page

    switch(client, "da", "/")
    page = get(client, "/")
    assert '<html lang="da">' in page
    assert "Jobordrer" in nav_labels(page)
    assert f"Goddag, {user.name}" in page
    assert "Job orders" not in page


def test_admin_sees_the_whole_navigation_in_english(client, login_as):
    login_as("admin")
    assert set(NAV_DA) <= set(nav_labels(get(client, "/")))
    switch(client, "en", "/")
    labels = nav_labels(get(client, "/"))
    assert [*NAV_EN, "Administration"] == [
        label for label in labels if label in NAV_EN or label == "Administration"
    ]
    assert not set(labels) & set(NAV_DA), labels
