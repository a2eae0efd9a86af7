"""Danish alphabetical order, the same on PostgreSQL, SQLite and in Python.

Danish puts Æ, Ø and Å after Z, and reads "Aa" as "Å" (Aabenraa sorts with Åby, not with
Andersen). PostgreSQL sorts by the ICU collation ``danish`` (migration 0026, locale da-DK);
SQLite has no ICU, so every connection registers a collation of the same name whose key is
``danish_key`` (nrs.db). ``danish(column)`` is the one way a query sorts by a name, and
``danish_key`` the one way Python code does.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import sqlalchemy as sa

#: The collation's name on both databases.
NAME = "danish"

#: Letters with a place of their own (or another letter's) in the Danish alphabet: after z,
#: in the order æ ø å ("{", "|", "}" follow "z" in code-point order). ä and ö are variants of
#: æ and ø, ü of y, as in Danish dictionaries.
_PRIMARY = {"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}", "ü": "y"}


@lru_cache(maxsize=65_536)  # SQLite compares the same index keys again and again
def danish_key(text: str | None) -> tuple[str, str, str]:
    """Sort key: letters in Danish order, ignoring case and accents first, then accents, then
    case (lower case first, as ICU does); punctuation and spaces before digits, digits before
    letters. Equal keys only for equal strings, so the order never depends on the database."""
    text = unicodedata.normalize("NFC", text or "")
    folded = text.casefold().replace("aa", "å")
    primary = []
    for ch in folded:
        if ch in _PRIMARY:
            primary.append(_PRIMARY[ch])
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isalnum():
            primary.append(base)  # é → e
        elif ch.isspace():
            primary.append(" ")
        else:
            primary.append("!")  # punctuation: after a space, before digits and letters
    return "".join(primary), folded, text.swapcase()


def compare(a: str | None, b: str | None) -> int:
    """SQLite collation callback (``sqlite3.Connection.create_collation``)."""
    ka, kb = danish_key(a), danish_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite(dbapi_conn) -> None:
    """Give a SQLite connection the ``danish`` collation (every connection, from nrs.db)."""
    dbapi_conn.create_collation(NAME, compare)


def danish(column):
    """``column COLLATE danish``: sort (or compare) a name in Danish order, on either database."""
    return sa.collate(column, NAME)


def sort_danish(items, key=lambda item: item):
    """``sorted`` in Danish order of ``key(item)`` (a name), for lists built in Python."""
    return sorted(items, key=lambda item: danish_key(key(item)))
