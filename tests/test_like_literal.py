"""Search terms are literal: ``%`` and ``_`` typed into a search box are not SQL wildcards."""

from __future__ import annotations


def _names(html: str, *names: str) -> set[str]:
    return {n for n in names if n in html}


def test_company_search_for_punctuation_finds_it_literally(client, login_as, make_company):
    login_as("staff")
    make_company(name="Procent 100% ApS")
    make_company(name="Under_streg ApS")
    make_company(name="Jensen Byg ApS")
    names = ("Procent 100% ApS", "Under_streg ApS", "Jensen Byg ApS")
    assert _names(client.get("/virksomheder/", query_string={"q": "%"}).get_data(as_text=True), *names) == {
        "Procent 100% ApS"}
    assert _names(client.get("/virksomheder/", query_string={"q": "_"}).get_data(as_text=True), *names) == {
        "Under_streg ApS"}
    assert _names(client.get("/virksomheder/", query_string={"q": "%%"}).get_data(as_text=True), *names) == set()


def test_agreement_search_wildcards_are_literal(client, login_as, make_company, make_agreement):
    login_as("staff")
    make_agreement(make_company(name="Lind_Byg ApS"))
    make_agreement(make_company(name="LindXByg ApS"))
    make_agreement(make_company(name="Rabat 50% ApS"))
    names = ("Lind_Byg ApS", "LindXByg ApS", "Rabat 50% ApS")
    html = client.get("/aftaler/", query_string={"q": "Lind_Byg"}).get_data(as_text=True)
    assert _names(html, *names) == {"Lind_Byg ApS"}
    html = client.get("/aftaler/", query_string={"q": "%"}).get_data(as_text=True)
    assert _names(html, *names) == {"Rabat 50% ApS"}
