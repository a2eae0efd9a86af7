"""How one company field is read and checked: shared by the import, the forms and the demo.

Each ``parse_*`` returns the stored value or raises ``Invalid`` with an English reason (for the
import report, ``line 17: cvr 12345678 fails the modulus-11 check``) and a Danish message (for
the form field).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from nrs.forms import cvr_problem, email_problem
from nrs.yesno import yes_no


class Invalid(ValueError):
    def __init__(self, reason: str, message):
        super().__init__(reason)
        self.reason = reason
        self.message = message


# --- search folding ---------------------------------------------------------------------------

_LETTERS = str.maketrans({"æ": "ae", "ä": "ae", "ø": "o", "ö": "o", "å": "aa", "ß": "ss"})
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str | None) -> str:
    """Name and query folded the same way, so search ignores case and accents.

    ``Ølstykke`` and ``Oelstykke`` both become ``olstykke``; ``å`` becomes ``aa`` (the
    pre-1948 spelling people still type); other accents are dropped; punctuation is a space.
    """
    text = (text or "").lower().translate(_LETTERS)
    if not text.isascii():  # plain ASCII has no accents to drop (most names, once æøå are spelt out)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("oe", "o")
    return " ".join(_NON_WORD.sub(" ", text).split())


# --- field parsers --------------------------------------------------------------------------

def parse_cvr(value) -> str:
    text = str(value if value is not None else "").strip()
    problem = cvr_problem(text)
    if problem is None:
        return text
    if not re.fullmatch(r"\d{8}", text):
        raise Invalid("is not 8 digits", problem)
    if text.startswith("0"):
        raise Invalid("starts with 0", problem)
    raise Invalid("fails the modulus-11 check", problem)


def parse_name(value) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise Invalid("is required", _l("Navnet skal udfyldes."))
    if len(text) > 300:
        raise Invalid("is longer than 300 characters", _l("Navnet må højst være 300 tegn."))
    return text


def parse_municipality(value, known: set[int]) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        raise Invalid("is required", _l("Kommunekoden skal udfyldes."))
    if not re.fullmatch(r"\d{3,4}", text):
        raise Invalid("is not a municipality code (3 digits, or 4 zero-padded)",
                      _l("Kommunekoden skal være 3 cifre (eller 4 med foranstillet 0)."))
    code = int(text)
    if len(text) == 4 and not text.startswith("0") or code not in known:
        raise Invalid("is not a known municipality code",
                      _l("%(v)s er ikke en kendt kommunekode.", v=text))
    return code


def parse_industry(value) -> str:
    text = str(value if value is not None else "").strip().replace(".", "")
    if not text:
        raise Invalid("is required", _l("Branchekoden skal udfyldes."))
    if not re.fullmatch(r"\d{6}", text):
        raise Invalid("is not a 6-digit DB07 code",
                      _l("Branchekoden skal være 6 cifre (DB07), f.eks. 412000."))
    # Not checked against the DB07 list: CVR also uses group codes padded with zeros (522900).
    return text


_BAND = re.compile(r"ANTAL_(\d+)_(\d*)", re.IGNORECASE)
#: ``5-9``, ``5-`` (open), and what ``employees_text`` shows: ``5–9 ansatte``, ``1000+ ansatte``, ``12 ansatte``.
_RANGE = re.compile(r"(\d+)\s*(?:([-–])\s*(\d*)|(\+))?\s*[^\W\d_]*")
_UNKNOWN = {"ukendt", "unknown"}
OPEN_ENDED = 999999


def parse_employees(value) -> tuple[int | None, int | None]:
    """A count (``12``), a range (``5-9``) or a CVR band (``ANTAL_5_9``); blank is unknown.

    An open upper bound (empty or 999999) is stored as null: "at least N" uses the lower bound.
    What ``employees_text`` shows reads back as the same range (the edit form shows it).
    """
    text = str(value if value is not None else "").strip()
    if not text or text.lower() in _UNKNOWN:
        return None, None
    low = high = None
    if text.isdecimal():
        low = high = int(text)
    elif band := _BAND.fullmatch(text):
        low, high = int(band.group(1)), int(band.group(2)) if band.group(2) else None
    elif shown := _RANGE.fullmatch(text):
        low = int(shown.group(1))
        if shown.group(3):
            high = int(shown.group(3))
        elif not (shown.group(2) or shown.group(4)):
            high = low  # a count with its word: "12 ansatte"
    if high is not None and high >= OPEN_ENDED:
        high = None
    # A count beyond the open-ended band is no real company's (and would overflow the column).
    if low is not None and low < OPEN_ENDED and (high is None or low <= high < OPEN_ENDED):
        return low, high
    raise Invalid("is not a number, a range (5-9) or a CVR band (ANTAL_5_9)",
                  _l("Skriv antal ansatte som et tal (12) eller et interval (5-9)."))


def employees_text(low: int | None, high: int | None, *, unknown: str | None = None) -> str:
    """The range in words, for pages, exports and the edit form: ``12 ansatte``, ``5–9 ansatte``,
    ``1000+ ansatte`` or ``ukendt`` (``unknown`` instead, if given).

    An en dash, so that no spreadsheet reads ``5-9`` as a date; ``parse_employees`` reads it back.
    """
    if low is None:
        return str(_l("ukendt")) if unknown is None else unknown
    if high is None or high >= OPEN_ENDED:
        return _("%(low)d+ ansatte", low=low)
    if high == low:
        return ngettext("%(num)d ansat", "%(num)d ansatte", low)
    return _("%(low)d–%(high)d ansatte", low=low, high=high)


ACTIVE_STATUSES = {"", "NORMAL", "AKTIV"}


def parse_status(value) -> bool:
    """NORMAL, AKTIV or blank is active; anything else (OPHØRT, UNDER KONKURS) is not."""
    return str(value or "").strip().upper() in ACTIVE_STATUSES


def parse_flag(value) -> bool:
    try:
        return yes_no(value, blank=False)
    except ValueError:
        raise Invalid("is not ja/nej, true/false or 1/0", _l("Skriv ja eller nej.")) from None


def parse_postal_code(value) -> str:
    text = str(value if value is not None else "").strip()
    if text and not re.fullmatch(r"\d{4}", text):
        raise Invalid("is not 4 digits", _l("Postnummeret skal være 4 cifre."))
    return text


def parse_email(value) -> str:
    text = str(value or "").strip()
    if text and email_problem(text):
        raise Invalid("is not a valid e-mail address", email_problem(text))
    return text


def parse_text(value, limit: int) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if len(text) > limit:
        raise Invalid(f"is longer than {limit} characters", _l("Højst %(n)d tegn.", n=limit))
    return text
