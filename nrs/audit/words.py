"""Audit events and access-log entries in words: the one place that turns a change record into sentences.

The company timeline (nrs/activities/timeline.py), the revision log (admin), a deleted contact's history
and the access log all read the stored record through here, so no page shows a field name, True/False,
None, an enum value or a bare id ("Aktiv: True", "Kilde: manual", "contact 897", "status_by_id: [None, 38]").
The record itself stays as stored (machine-readable, in the language of no one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from nrs.activities.models import ActivityKind
from nrs.agreements.models import AgreementKind
from nrs.auth.models import Role, User
from nrs.campaigns.models import CampaignStatus, MismatchReason, TargetStatus
from nrs.clock import format_date, format_datetime
from nrs.companies.models import Company, CompanySource
from nrs.enquiries.models import EnquiryChannel, EnquiryStatus, EnquirySubject
from nrs.joborders.models import Channel, JobOrder, ReferralOutcome, UnfilledReason
from nrs.joborders.states import JobOrderState
from nrs.mail.models import OutboxStatus
from nrs.municipalities.models import JobCentre, Municipality
from nrs.refdata import industry_name
from nrs.sectors.models import FocusSector

#: What each recorded object is called.
ENTITY_WORDS = {
    "company": _l("Virksomhed"), "contact": _l("Kontaktperson"), "company_import": _l("Virksomhedsindlæsning"),
    "job_order": _l("Jobordre"), "job_order_import": _l("Jobordreindlæsning"), "referral": _l("Henvisning"),
    "job_order_referrals": _l("Henvisninger til en jobordre"), "referral_audit": _l("Henvisningens historik"),
    "agreement": _l("Aftale"), "activity": _l("Aktivitet"), "task": _l("Opgave"), "campaign": _l("Kampagne"),
    "campaign_target": _l("Kampagnemål"), "focus_sector": _l("Fokusbranche"), "user": _l("Bruger"),
    "login": _l("Login"), "job_centre": _l("Jobcenter"), "enquiry": _l("Henvendelse"), "outbox": _l("Udbakke"),
    "retention": _l("Sletning efter opbevaringsperiode"), "api_token": _l("API-nøgle"),
    "access_log": _l("Adgangslog"), "report_subscription": _l("Abonnement på rapporten"),
}

#: One verb per action across the app ("Ret", "Slet", …), as a past-tense line.
ACTION_WORDS = {
    "create": _l("Oprettet"), "update": _l("Rettet"), "delete": _l("Slettet"), "import": _l("Indlæst"),
    "import_update": _l("Opdateret ved indlæsning"), "move": _l("Flyttet til en anden kommune"),
    "lead_override": _l("Ledende jobcenter aftalt"), "lead_rule": _l("Ledende jobcenter følger kommunen"),
    "assign_lead": _l("Ledende jobcenter tildelt"), "contact_person": _l("NRS-kontaktperson skiftet"),
    "contact_added": _l("Kontakt tilføjet"), "contact_updated": _l("Kontakt rettet"),
    "contact_deleted": _l("Kontakt slettet"), "transition": _l("Status skiftet"), "status": _l("Status skiftet"),
    "cancel": _l("Annulleret"), "restore": _l("Genoprettet"), "withdraw": _l("Trukket tilbage"),
    "convert": _l("Omdannet"), "reroute": _l("Sendt videre til et andet jobcenter"), "link": _l("Knyttet til"),
    "remove": _l("Fjernet"), "refresh": _l("Opdateret"), "resend": _l("Sendt igen"), "revoke": _l("Tilbagekaldt"),
    "run": _l("Kørt"), "erase": _l("Personoplysninger slettet"), "export": _l("Eksporteret"),
    "enquiries": _l("Henvendelsestekster slettet"), "help_request": _l("Bedt om hjælp"),
    "login": _l("Logget ind"), "login_failed": _l("Mislykket login"), "logout": _l("Logget ud"),
    "password_change": _l("Adgangskode skiftet"), "password_check_failed": _l("Forkert adgangskode"),
    "password_ok": _l("Adgangskode bekræftet"), "password_reset": _l("Adgangskode nulstillet"),
    "password_reset_requested": _l("Nulstilling af adgangskode bestilt"), "sso_link": _l("Knyttet til single sign-on"),
    "sso_refused": _l("Single sign-on afvist"), "totp_enrol": _l("Totrinsbekræftelse slået til"),
    "totp_failed": _l("Forkert engangskode"), "totp_recovery_code_used": _l("Reservekode brugt"),
    "totp_reset": _l("Totrinsbekræftelse nulstillet"), "stop": _l("Stoppet"),
}
#: Where an action reads better for one kind of object.
ENTITY_ACTION_WORDS = {
    ("company", "create"): _l("Oprettet i NRS"), ("company", "update"): _l("Oplysninger rettet"),
}

#: The access log's actions (``privacy.services.ACTIONS``).
ACCESS_WORDS = {
    "read": _l("Læst"), "search": _l("Søgt"), "create": _l("Oprettet"), "update": _l("Rettet"),
    "export": _l("Eksporteret"), "delete": _l("Slettet"),
}
#: The access log's purposes, stored in Danish as the services write them; shown in the reader's language.
PURPOSE_WORDS = {
    "jobordre": _l("jobordre"), "henvisning til jobordre": _l("henvisning til jobordre"),
    "resultat af henvisning": _l("resultat af henvisning"), "eksport af jobordrer": _l("eksport af jobordrer"),
    "liste over jobordrer": _l("liste over jobordrer"), "revisionslog": _l("revisionslog"),
    "indsigt (GDPR art. 15)": _l("indsigt (GDPR art. 15)"), "sletning (GDPR art. 17)": _l("sletning (GDPR art. 17)"),
    "eksport af adgangslog": _l("eksport af adgangslog"),
    "sletning efter opbevaringsperiode": _l("sletning efter opbevaringsperiode"),
}

#: How each recorded field is named in a sentence.
FIELD_WORDS = {
    "cvr": _l("CVR-nummer"), "name": _l("Navn"), "address": _l("Adresse"), "postal_code": _l("Postnummer"),
    "city": _l("By"), "municipality_code": _l("Kommune"), "municipality_codes": _l("Kommuner"),
    "industry_code": _l("Branche"), "phone": _l("Telefon"), "email": _l("E-mail"),
    "lead_centre_id": _l("Ledende jobcenter"), "contact_user_id": _l("NRS-kontaktperson"),
    "lead_override_reason": _l("Begrundelse for undtagelsen"), "role": _l("Rolle"), "active": _l("Aktiv"),
    "recipients": _l("Modtagere"),
    "advertising_protected": _l("Reklamebeskyttet"), "employees_min": _l("Ansatte (mindst)"),
    "employees_max": _l("Ansatte (højst)"), "source": _l("Kilde"), "title": _l("Titel"),
    "company_id": _l("Virksomhed"), "job_order_id": _l("Jobordre"), "job_centre_id": _l("Jobcenter"),
    "referring_centre_id": _l("Henvisende jobcenter"), "centre": _l("Jobcenter"), "state": _l("Status"),
    "status": _l("Status"), "status_by_id": _l("Status sat af"), "status_note": _l("Note til status"),
    "status_on": _l("Status fra"), "closed_on": _l("Lukket den"), "cancelled_on": _l("Annulleret den"),
    "withdrawn_on": _l("Trukket tilbage den"), "received_on": _l("Modtaget den"), "due": _l("Frist"),
    "assignee_id": _l("Ansvarlig"), "summary": _l("Resumé"), "kind": _l("Type"), "channel": _l("Kanal"),
    "subject": _l("Emne"), "outcome": _l("Resultat"), "outcomes": _l("Udfald"), "note": _l("Note"),
    "year": _l("År"), "codes": _l("Branchekoder"), "extra_prefixes": _l("Ekstra branchekoder"),
    "sector_ids": _l("Fokusbrancher"), "focus_sector_id": _l("Fokusbranche"), "min_employees": _l("Mindst ansatte"),
    "exclude_active_agreements": _l("Uden virksomheder med aktive aftaler"),
    "exclude_advertising_protected": _l("Uden reklamebeskyttede virksomheder"),
    "removed_at": _l("Fjernet den"), "removed_by_id": _l("Fjernet af"), "removed_by_hand": _l("Fjernet i hånden"),
    "removed_reason": _l("Årsag til fjernelse"), "taken_by_id": _l("Taget af"), "weekly_email": _l("Ugentlig mail"),
    "document_name": _l("Dokument"), "document_path": _l("Dokumentfil"), "valid_from": _l("Gælder fra"),
    "valid_to": _l("Gælder til"), "signed_on": _l("Underskrevet den"), "positions": _l("Stillinger"),
    "deadline": _l("Frist"), "description": _l("Beskrivelse"), "format": _l("Format"), "rows": _l("Rækker"),
    "rows_read": _l("Rækker læst"), "new": _l("Nye"), "changed": _l("Ændrede"), "unchanged": _l("Uændrede"),
    "referrals": _l("Henvisninger"), "days": _l("Dage"), "months": _l("Måneder"), "answer": _l("Svar"),
    "codes_left": _l("Reservekoder tilbage"), "joined_on": _l("Med i NRS fra"), "case_reference": _l("Sagsnummer"),
    "enquiry_texts_deleted": _l("Henvendelsestekster slettet"), "access_log_purged": _l("Adgangslogposter slettet"),
    "referrals_anonymised": _l("Henvisninger anonymiseret"), "start_on": _l("Første arbejdsdag"),
    "hired_on": _l("Ansat den"), "unfilled_reason": _l("Årsag (ikke besat)"), "locale": _l("Sprog"),
}
#: Where a field is called otherwise on one kind of object.
ENTITY_FIELD_WORDS = {("company", "role"): _l("Stilling"), ("contact", "role"): _l("Stilling")}
#: Yes/no fields of one kind of object that read better as a sentence: (became true, became false).
FLAG_WORDS = {
    ("company", "active"): (_l("Virksomheden er aktiv igen"), _l("Virksomheden er registreret som ophørt")),
    ("company", "advertising_protected"): (_l("Virksomheden er nu reklamebeskyttet"),
                                           _l("Virksomheden er ikke længere reklamebeskyttet")),
    ("company", "lead_override"): (_l("Ledende jobcenter aftalt som undtagelse fra kommunereglen"),
                                   _l("Ledende jobcenter følger igen kommunereglen")),
}
#: Kept for the record but not worth a sentence (or said by another line).
SILENT = {"lead_override_by_id", "lead_override_at", "lead_changed_at", "name_search", "updated_at", "version"}

#: Fields that hold an enum's value, per kind of object ("*": any kind).
ENUMS = {
    ("job_order", "state"): JobOrderState, ("job_order", "channel"): Channel, ("job_order", "kind"): Channel,
    ("campaign", "status"): CampaignStatus, ("campaign_target", "status"): TargetStatus,
    ("campaign_target", "removed_reason"): MismatchReason, ("enquiry", "status"): EnquiryStatus,
    ("enquiry", "channel"): EnquiryChannel, ("enquiry", "subject"): EnquirySubject, ("outbox", "status"): OutboxStatus,
    ("agreement", "kind"): AgreementKind, ("activity", "kind"): ActivityKind, ("user", "role"): Role,
    ("referral", "outcome"): ReferralOutcome, ("*", "source"): CompanySource, ("*", "unfilled_reason"): UnfilledReason,
}
USER_KEYS = {"contact_user_id", "assignee_id", "user_id"}
CENTRE_KEYS = {"lead_centre_id", "job_centre_id", "referring_centre_id", "centre_id"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
CONTACT_NOTE = re.compile(r"contact (\d+)")


def pair(value):
    """``[before, after]`` of a change; a create records only the after value."""
    return value if isinstance(value, list) and len(value) == 2 else [None, value]


def _ids(value) -> list:
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int)
            and not isinstance(v, bool)]


def _kind(key: str) -> str | None:
    if key in USER_KEYS or key.endswith("_by_id"):
        return "user"
    if key in CENTRE_KEYS:
        return "centre"
    return {"company_id": "company", "job_order_id": "job_order", "focus_sector_id": "sector",
            "sector_ids": "sector"}.get(key)


class Names:
    """The names behind the ids a batch of changes mentions: one query per kind of id."""

    QUERIES = {
        "user": (User.id, User.name), "centre": (JobCentre.id, JobCentre.name),
        "company": (Company.id, Company.name), "job_order": (JobOrder.id, JobOrder.title),
    }

    def __init__(self, session: Session, changes: Iterable[dict]):
        wanted: dict[str, set] = {}
        for record in changes:
            for key, value in record.items():
                kind = _kind(key)
                if kind:
                    wanted.setdefault(kind, set()).update(
                        i for v in pair(value) for i in _ids(v))
        self.names: dict[str, dict] = {}
        for kind, ids in wanted.items():
            if kind == "sector":
                rows = session.execute(sa.select(FocusSector).where(FocusSector.id.in_(ids))).scalars()
                self.names[kind] = {s.id: sector_label(s) for s in rows}
            else:
                key, name = self.QUERIES[kind]
                self.names[kind] = dict(session.execute(sa.select(key, name).where(key.in_(ids))).all())
        self._session = session
        self._municipalities = None

    def name(self, kind: str, value) -> str:
        return self.names.get(kind, {}).get(value) or _("en slettet post")

    def municipality(self, code) -> str:
        if self._municipalities is None:
            self._municipalities = dict(self._session.execute(sa.select(Municipality.code, Municipality.name)).all())
        return self._municipalities.get(code, str(code))


def sector_label(sector) -> str:
    """A focus sector everywhere as "2026: Hotel og restauration" (year first: the lists sort by it)."""
    return f"{sector.year}: {sector.name}"


def value_words(entity: str, key: str, value, names: Names) -> str:
    """One recorded value as a reader says it: ja/nej, a label, a name, a date dd-mm-åååå."""
    if value is None or value == "" or value == []:
        return _("ingen")
    if isinstance(value, list):
        return ", ".join(value_words(entity, key, v, names) for v in value)
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    kind = _kind(key)
    if kind and isinstance(value, int):
        return names.name(kind, value)
    if key in ("municipality_code", "municipality_codes"):
        return names.municipality(value)
    if key == "industry_code":
        name = industry_name(value)
        return f"{value} ({name})" if name else str(value)
    enum = ENUMS.get((entity, key)) or ENUMS.get(("*", key))
    if enum is not None:
        try:
            return str(getattr(enum(value), "label", value))
        except ValueError:
            return str(value)
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:  # text someone typed that only looks like a date ("2016-02-30")
            return value
    if isinstance(value, dict):
        return "; ".join(f"{field_words(k)}: {value_words(entity, k, v, names)}" for k, v in value.items())
    return str(value)


def field_words(key: str, entity: str = "") -> str:
    return str(ENTITY_FIELD_WORDS.get((entity, key)) or FIELD_WORDS.get(key) or _("Et felt"))


def change_lines(entity: str, action: str, changes: dict, names: Names, *, skip=()) -> list[str]:
    """The record's changes as sentences, in the order recorded."""
    lines = []
    for key, value in changes.items():
        if key in SILENT or key in skip:
            continue
        label = field_words(key, entity)
        if not (isinstance(value, list) and len(value) == 2) or action in ("create", "contact_added"):
            after = pair(value)[1] if action in ("create", "contact_added") else value
            if (entity, key) in FLAG_WORDS and action != "create":
                lines.append(str(FLAG_WORDS[(entity, key)][0 if after else 1]))
            else:
                lines.append(_("%(f)s: %(v)s", f=label, v=value_words(entity, key, after, names)))
            continue
        before, after = value
        if key.endswith("_by_id") and after is not None:  # who did it: "Status sat af: Lise Lauritsen"
            lines.append(_("%(f)s: %(v)s", f=label, v=value_words(entity, key, after, names)))
        elif (entity, key) in FLAG_WORDS:
            lines.append(str(FLAG_WORDS[(entity, key)][0 if after else 1]))
        elif before in (None, "", []):
            lines.append(_("%(f)s sat til %(b)s", f=label, b=value_words(entity, key, after, names)))
        elif after in (None, "", []):
            lines.append(_("%(f)s fjernet (var %(a)s)", f=label, a=value_words(entity, key, before, names)))
        else:
            lines.append(_("%(f)s ændret fra %(a)s til %(b)s", f=label, a=value_words(entity, key, before, names),
                           b=value_words(entity, key, after, names)))
    return lines


def action_words(entity: str, action: str) -> str:
    return str(ENTITY_ACTION_WORDS.get((entity, action)) or ACTION_WORDS.get(action) or _("Ændret"))


def entity_words(entity: str) -> str:
    return str(ENTITY_WORDS.get(entity) or entity.replace("_", " "))


def note_words(note: str, changes: dict) -> str:
    """The note as written, except the services' own marker "contact 897", which names the contact."""
    if CONTACT_NOTE.fullmatch(note or ""):
        name = pair(changes.get("name"))
        return name[1] or name[0] or _("en kontaktperson")
    return note or ""


def access_words(action: str) -> str:
    return str(ACCESS_WORDS.get(action) or action)


def purpose_words(purpose: str) -> str:
    return str(PURPOSE_WORDS.get(purpose) or purpose)


class EventWords:
    """An audit event as a page shows it: what, to what, the sentences and the note."""

    def __init__(self, event, names: Names):
        self.event = event
        self.entity = entity_words(event.entity_type)
        self.action = action_words(event.entity_type, event.action)
        self.lines = change_lines(event.entity_type, event.action, event.changes or {}, names)
        self.note = note_words(event.note, event.changes or {})


def in_words(session: Session, events: list) -> list[EventWords]:
    """A page of audit events in words, with the names they mention fetched once for the page."""
    names = Names(session, [e.changes or {} for e in events])
    return [EventWords(e, names) for e in events]
