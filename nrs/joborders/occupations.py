"""Occupational groups of job orders: DISCO-08 major groups, shipped as reference data
(``nrs/refdata/disco08_major_groups.csv``), and a best guess from the order's title.

The guess is a plain keyword table (a word stem in the title -> a major group), first match
wins; it only pre-selects the field, the user decides. It is deliberately simple: a real
classification would use DISCO-08's 4-digit titles, which NRS does not ship.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale

from nrs.companies.fields import fold
from nrs.refdata import read_csv

_ROWS = read_csv("disco08_major_groups.csv")
#: code -> (Danish name, English name)
GROUPS: dict[str, tuple[str, str]] = {r["code"]: (r["name_da"], r["name_en"]) for r in _ROWS}

#: (word stem as folded text, DISCO-08 major group). Order matters: more specific stems first.
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("direktør", "1"), ("leder", "1"), ("chef", "1"),
    ("ingeniør", "2"), ("læge", "2"), ("lærer", "2"), ("jurist", "2"), ("udvikler", "2"), ("programmør", "2"),
    ("psykolog", "2"), ("sygeplejer", "2"), ("økonom", "2"), ("arkitekt", "2"),
    ("tekniker", "3"), ("pædagog", "3"), ("bogholder", "3"), ("laborant", "3"), ("konstruktør", "3"),
    ("kontor", "4"), ("receptionist", "4"), ("sekretær", "4"), ("lager", "4"), ("administrativ", "4"),
    ("kundeservice", "4"),
    ("sosu", "5"), ("social- og sundhed", "5"), ("hjemmehjælper", "5"), ("butik", "5"), ("salg", "5"),
    ("sælger", "5"), ("ekspedient", "5"), ("tjener", "5"), ("kok", "5"), ("frisør", "5"), ("vagt", "5"),
    ("landbrug", "6"), ("gartner", "6"), ("fisker", "6"), ("skovarbejder", "6"),
    ("tømrer", "7"), ("murer", "7"), ("elektriker", "7"), ("smed", "7"), ("mekaniker", "7"), ("maler", "7"),
    ("vvs", "7"), ("bager", "7"), ("slagter", "7"), ("snedker", "7"), ("håndværker", "7"),
    ("chauffør", "8"), ("operatør", "8"), ("maskin", "8"), ("truckfører", "8"), ("buschauffør", "8"),
    ("montør", "8"), ("fører", "8"),
    ("rengøring", "9"), ("medhjælper", "9"), ("pakker", "9"), ("opvasker", "9"), ("ufaglært", "9"),
    ("pedel", "9"), ("servicemedarbejder", "9"),
    ("soldat", "0"), ("militær", "0"),
)
_FOLDED = tuple((fold(stem), code) for stem, code in KEYWORDS)


def name(code: str | None) -> str:
    """The group's name in the user's language ("" for none)."""
    if code not in GROUPS:
        return ""
    da, en = GROUPS[code]
    english = has_request_context() and str(get_locale() or "da").startswith("en")
    return en if english else da


def choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(code, f"{code} {name(code)}") for code in sorted(GROUPS, key=lambda c: (c == "0", c))]


def suggest(title: str | None) -> str | None:
    """A best guess of the major group from the title's words (None when no keyword matches)."""
    text = fold(title or "")
    for stem, code in _FOLDED:
        if stem in text:
            return code
    return None
