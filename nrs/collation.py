"""Danish alphabetical order, the same on PostgreSQL, SQLite and in Python.

Danish puts Æ, Ø and Å after Z, and reads "Aa" as "Å" (Aabenraa sorts with Åby, not with
Andersen). PostgreSQL sorts by the ICU collation ``danish`` (migration 0026, locale da-DK).
SQLite has no ICU: every connection registers (nrs.db) a collation of the same name whose key is
``danish_key``, and the function ``nrs_danish(text)``, that key as one string that sorts
byte by byte. ``danish(column)`` sorts by the function on SQLite: an index on it compares in C
(migration 0026), where an index in the collation would call Python on every comparison (an
insert into a million companies: some 20 calls per index; measured 0.6 ms per company).
``danish(column)`` is the one way a query sorts by a name, ``danish_key`` the one way Python does.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

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


@lru_cache(maxsize=1024)  # each index of a written row asks again
def sort_key(text: str | None) -> str:
    """``danish_key`` as one string in the same order, compared byte by byte (SQLite's index)."""
    return "\x01".join(danish_key(text))  # below every character of a stored name


def compare(a: str | None, b: str | None) -> int:
    """SQLite collation callback (``sqlite3.Connection.create_collation``)."""
    ka, kb = danish_key(a), danish_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite(dbapi_conn) -> None:
    """Give a SQLite connection the ``danish`` collation (every connection, from nrs.db)."""
    dbapi_conn.create_collation(NAME, compare)
    dbapi_conn.create_function("nrs_danish", 1, sort_key, deterministic=True)


class danish(FunctionElement):  # noqa: N801 - reads as a function: ORDER BY danish(User.name)
    """A name in Danish order, to sort by: ``name COLLATE danish`` on PostgreSQL,
    ``nrs_danish(name)`` on SQLite (see the module docstring)."""

    type = sa.String()
    inherit_cache = True


@compiles(danish)
def _danish_default(element, compiler, **kw) -> str:
    return compiler.process(sa.collate(list(element.clauses)[0], NAME), **kw)


@compiles(danish, "sqlite")
def _danish_sqlite(element, compiler, **kw) -> str:
    return f"nrs_danish({compiler.process(element.clauses, **kw)})"


def sort_danish(items, key=lambda item: item):
    """``sorted`` in Danish order of ``key(item)`` (a name), for lists built in Python."""
    return sorted(items, key=lambda item: danish_key(key(item)))
