"""What free text NRS stores: no CPR number and no control character, whoever writes it.

One rule, applied in three places that all call ``problem``:

* every form, through the base form (``nrs.forms.Form``), so the message is shown next to the
  field;
* every import, for each text cell, so the report names the line and the column;
* every flush (``before_flush``, installed by ``nrs.db``) as the backstop: each String/Text column
  of a new or changed row is checked, except the columns in ``EXEMPT`` (codes, CVR numbers,
  e-mail addresses, hashes, keys, system-written text) and enum columns. A service that stores
  text no form or import checked is refused there, with the field named.

The flush checks the value that is stored, so normalising on the way in (trimming, collapsing
spaces) cannot slip a number past the check; ``nrs.cpr`` folds spellings itself.
"""

from __future__ import annotations

import re
from itertools import chain

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from nrs.cpr import contains_cpr
from nrs.errors import DomainError

#: Characters no stored text may hold: C0 and C1 controls, DEL, lone surrogates and the two
#: non-characters. XML (so XLSX) cannot hold most of them and PostgreSQL refuses NUL.
#: Tab, newline and carriage return are allowed only in multi-line text (``multiline=True``).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
CONTROL_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

#: ``(table, column)`` of text columns that are not free text: checked for neither rule.
EXEMPT = frozenset({
    ("users", "email"), ("users", "password_hash"), ("users", "locale"),
    ("login_throttles", "key"),
    ("users", "totp_secret"), ("recovery_codes", "code_hash"),  # a sealed secret, a hex hash
    ("sso_identities", "issuer"), ("sso_identities", "subject"),  # the provider's identifiers
    ("companies", "cvr"), ("companies", "email"), ("companies", "postal_code"),
    ("companies", "industry_code"),
    ("companies", "name_search"),  # folded from the name, which is checked
    ("contacts", "email"),
    ("job_centres", "email"),
    ("focus_sectors", "codes"),
    ("campaigns", "sector_ids"), ("campaigns", "extra_prefixes"), ("campaigns", "municipality_codes"),
    ("agreements", "document_path"),  # a generated storage path
    ("audit_events", "entity_type"), ("audit_events", "action"),
    ("access_log", "action"), ("access_log", "entity_type"), ("access_log", "entity_id"),
    # The description of a list's filter (it may quote a search term): refusing it would leave
    # the read unlogged. Masking it belongs to the access log.
    ("access_log", "criterion"),
    ("job_order_tally", "days_to_fill"),
    ("api_tokens", "token_hash"), ("api_tokens", "prefix"),  # random: ten digits in a row happen
})
#: Tables whose text the system writes from checked data (mail, job runs): not checked again.
EXEMPT_TABLES = frozenset({"outbox", "scheduler_runs"})
#: Column → the form field that sets it, where the two names differ.
FORM_FIELDS = {("agreements", "document_name"): "document"}


class StoredTextError(DomainError):
    """A text value would store a CPR number or a control character; ``field`` names it."""

    def __init__(self, message: str, *, field: str, column: str, reason: str):
        super().__init__(message, field=field)
        self.column = column
        self.reason = reason


def problem(value: str | None, *, multiline: bool = False, cpr: bool = True) -> tuple[str, str] | None:
    """``(English reason, Danish message)`` when ``value`` may not be stored, else None.

    ``multiline`` admits tab, newline and carriage return (text areas); ``cpr=False`` checks only
    for control characters (e-mail addresses, codes).
    """
    if not value:
        return None
    if (CONTROL if multiline else CONTROL_SINGLE_LINE).search(value):
        return ("contains a control character (an invisible character such as U+0001)",
                _("Feltet indeholder et ugyldigt styretegn (et usynligt tegn). Skriv teksten igen uden det."))
    if cpr and contains_cpr(value):
        return ("looks like a CPR number (NRS must never store one)",
                _("Feltet må ikke indeholde et CPR-nummer. Brug jobcentrets sagsnummer."))
    return None


def visible(value: str) -> str:
    """``value`` for a report line: each control character written as its code (``\\x01``)."""
    return CONTROL_SINGLE_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


# --- the flush backstop -------------------------------------------------------------------------

_checked_columns: dict[object, list[tuple[str, str, str]]] = {}


def _is_text(column_type) -> bool:
    while isinstance(column_type, sa.types.TypeDecorator):  # SQLModel's AutoString, UTCDateTime
        column_type = column_type.impl_instance
    return isinstance(column_type, sa.String) and not isinstance(column_type, sa.Enum)


def _columns(mapper) -> list[tuple[str, str, str]]:
    """``(attribute key, table, column)`` of the mapper's free-text columns (cached)."""
    if mapper not in _checked_columns:
        found = []
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            table = getattr(column.table, "name", "")
            if (not _is_text(column.type) or table in EXEMPT_TABLES or (table, column.name) in EXEMPT
                    or column.info.get("free_text") is False):
                continue
            found.append((prop.key, table, column.name))
        _checked_columns[mapper] = found
    return _checked_columns[mapper]


def _new_values(state, key: str, is_new: bool):
    if is_new:
        return [state.dict.get(key)]
    return state.attrs[key].history.added or ()


def check_flush(session: Session, _flush_context, _instances) -> None:
    """Refuse the flush if a new or changed text column would store what ``problem`` refuses."""
    for obj in chain(session.new, session.dirty):
        state = sa.inspect(obj)
        for key, table, column in _columns(state.mapper):
            for value in _new_values(state, key, obj in session.new):
                found = problem(value, multiline=True) if isinstance(value, str) else None
                if found:
                    reason, message = found
                    raise StoredTextError(message, field=FORM_FIELDS.get((table, column), key),
                                          column=f"{table}.{column}", reason=reason)


def install() -> None:
    """Check every flush of every session (once; ``nrs.db`` calls it on import)."""
    if not event.contains(Session, "before_flush", check_flush):
        event.listen(Session, "before_flush", check_flush)


__all__ = ["EXEMPT", "StoredTextError", "check_flush", "install", "problem", "visible"]
