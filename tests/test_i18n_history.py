"""History, revision log and access log in words, in both languages (issue 18 item 8).

Before, the revision log showed the stored record as it is: "active: [True, False]", "source: manual",
"status_by_id: [None, 38]", the note "contact 897" and English action names in Danish mode.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from nrs.audit.services import record
from nrs.auth import services as auth_services
from nrs.companies.models import Contact
from tests.conftest import post_form

#: What a stored record looks like when it leaks: a field name, a Python constant, an enum value, an id.
RAW = re.compile(r"\b(True|False|None|[a-z]+_[a-z_]+|manual|contact \d+|"
                 r"create|update|delete|contact_added)\b|\[(None|\d|True|False|')")
ENGLISH = re.compile(r"\b(created|updated|deleted|added|changed|set|removed|edit|contact)\b")
DANISH = re.compile(r"[æøåÆØÅ]|\b(ændret|sat til|fjernet|oprettet|rettet|slettet|tilføjet|ja|nej|ingen|"
                    r"Kontakt|Aktiv|Kilde)\b")

#: What users wrote or named (stays as written in either language).
DATA = re.compile(r"\[slettet\]|Ring igen|Jobcenter Allerød|Lise Lauritsen|Ordbog ApS|Direktør|Allerød|Opførelse af bygninger")


@pytest.fixture
def backend():
    return "sqlite"  # rendering only


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).strip()


def cells(page: str, css: str) -> list[str]:
    """Each line of every ``<td class="css">`` (its ``<div>``s) and every ``<div class="css">`` (the timeline)."""
    lines = [_text(line) for cell in re.findall(rf'<td class="{css}"[^>]*>(.*?)</td>', page, re.S)
             for line in re.findall(r"<div>(.*?)</div>", cell, re.S)]
    return lines + [_text(line) for line in re.findall(rf'<div class="{css}">(.*?)</div>', page, re.S)]


def column(page: str, testid: str, index: int) -> list[str]:
    rows = re.findall(rf'<tr data-testid="{testid}">(.*?)</tr>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", " ", re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[index])).strip()
            for r in rows]


def switch(client, lang: str) -> None:
    assert post_form(client, f"/sprog/{lang}", {"next": "/"}, form_url="/").status_code == 302


@pytest.fixture
def history(client, session, login_as, make_user, make_company):
    """Typical changes: a company created by hand, a contact added, changed and deleted, a user
    deactivated, a campaign target's status set by a user."""
    admin = login_as("admin", centre=201)
    company = make_company(name="Ordbog ApS")
    assert post_form(client, f"/virksomheder/{company.id}/kontakter/ny",
                     {"name": "Ole Olsen", "role": "Direktør", "email": "ole@firma.dk"}).status_code == 302
    contact = session.exec(select(Contact)).one()
    session.expunge(contact)
    assert post_form(client, f"/virksomheder/{company.id}/kontakter/{contact.id}",
                     {"name": "Ole Olsen", "role": "Indehaver", "email": "", "version": str(contact.version)}
                     ).status_code == 302
    assert post_form(client, f"/virksomheder/{company.id}/kontakter/{contact.id}/slet", {"confirm": "1"},
                     form_url=f"/virksomheder/{company.id}").status_code == 302
    leaving = make_user("staff", centre=201, name="Lise Lauritsen")
    auth_services.update_user(session, leaving, by=admin, active=False)
    # the record set_target_status writes (a campaign needs a list to work on; the record is what matters)
    record(session, by=admin, entity="campaign_target", entity_id=1, action="status",
           changes={"status": ["not_contacted", "contacted"], "status_by_id": [None, admin.id],
                    "status_note": ["", "Ring igen"]})
    session.commit()
    return {"company": company, "contact_id": contact.id, "admin": admin}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_revision_log_says_what_happened_in_words(client, history, lang):
    switch(client, lang)
    page = client.get("/admin/revisionslog").get_data(as_text=True)
    lines = cells(page, "changes") + column(page, "audit-event", 4) + column(page, "audit-event", 6)
    assert len(column(page, "audit-event", 4)) >= 5
    leaks = [line for line in lines if RAW.search(line)]
    assert not leaks, leaks
    joined = "\n".join(lines)
    if lang == "da":
        assert "Aktiv ændret fra ja til nej" in joined
        assert "Status ændret fra Ikke kontaktet til Kontaktet" in joined
        assert f"Status sat af: {history['admin'].name}" in joined
        assert "Kontakt tilføjet" in joined and "Kontakt slettet" in joined
        assert not [line for line in lines if ENGLISH.search(line)]
    else:
        assert "Active changed from yes to no" in joined
        assert "Status changed from Not contacted to Contacted" in joined
        assert "Contact added" in joined
        assert not [line for line in lines if DANISH.search(re.sub(DATA, "", line))], lines


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_deleted_contacts_history_is_in_words(client, history, lang):
    switch(client, lang)
    page = client.get(f"/persondata/kontakter/{history['contact_id']}").get_data(as_text=True)
    lines = cells(page, "changes") + column(page, "erased-event", 2) + column(page, "erased-event", 4)
    assert lines
    assert not [line for line in lines if RAW.search(line)], lines


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_company_timeline_is_in_words(client, history, lang):
    switch(client, lang)
    page = client.get(f"/virksomheder/{history['company'].id}").get_data(as_text=True)
    lines = cells(page, "changes")
    assert lines
    assert not [line for line in lines if RAW.search(line)], lines


@pytest.mark.parametrize(("lang", "words"), [("da", ("Søgt", "Henvisningens historik", "revisionslog")),
                                             ("en", ("Searched", "Referral history", "audit log"))])
def test_the_access_log_names_actions_and_purposes_in_the_language(client, history, lang, words):
    client.get("/admin/revisionslog?entity=referral")  # searching referrals' history is logged, purpose "revisionslog"
    switch(client, lang)
    page = client.get("/persondata/adgangslog").get_data(as_text=True)
    for word in words:
        assert re.search(rf"<td[^>]*>{word}</td>", page), word
