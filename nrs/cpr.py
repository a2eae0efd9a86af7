"""The CPR check: does a text contain a Danish CPR number, however it is written?

NRS must never store a CPR number (it uses the job centre's case reference instead), so this is
the one function every form, import and flush asks. A person types or pastes a CPR number as
``010190-1234``, ``01 01 90 1234``, ``01.01.90–1234``, with full-width digits from a phone
keyboard or with a zero-width space copied from a web page; all of those are the same number.

``normalise`` folds the text the way a reader would see it (Unicode NFKC, invisible format
characters removed, every digit as ASCII). ``contains_cpr`` then looks at each run of digits
joined by separators (spaces, dots, dashes of every kind, slashes):

* ten digits in one group (``0101901234``) are a CPR number if the first six are a valid day,
  month and year;
* so are ten digits grouped the way a person writes a CPR number: the six-digit date (in one
  group or several), a separator, then the four-digit serial (``01 01 90 1234``,
  ``0 1 0 1 9 0 1 2 3 4``). Inside a longer run (``Tlf. 12 34 56 78 010190-1234``) the serial
  must be one group of four.

A date range such as ``01.08.2024-31.07.2025`` or ``01.01.24-31.12.24`` is therefore not a CPR
number, nor are phone numbers (8 digits), CVR numbers (8), postal codes (4) or order numbers
that are not bounded like a CPR number. Modulus 11 is not required: CPR numbers issued since
2007 need not satisfy it. python-stdnum decides whether the date part is a real date.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumError

#: Categories removed before anything else: format characters (ZWSP, ZWJ, soft hyphen, BOM,
#: word joiner, bidi marks) and combining marks, which a reader does not see as characters.
INVISIBLE = frozenset({"Cf", "Mn", "Me"})
#: Characters (besides whitespace, control characters and the Pd dash category) that join
#: the parts of a number: dots, slashes and the dash look-alikes outside Pd.
JOINERS = frozenset(".·/\\\u2212\u2044\u2215\u29f8")
SEPARATOR = " "

_RUN = re.compile(r"\d+(?: \d+)*")


def _is_separator(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch.isspace() or category in ("Pd", "Cc", "Zs", "Zl", "Zp") or ch in JOINERS


def normalise(text: str) -> str:
    """``text`` as the CPR check reads it: NFKC, no invisible characters, ASCII digits, and
    every run of separators as one space."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(ch)
        if category in INVISIBLE:
            continue
        if category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        elif _is_separator(ch):
            if out and out[-1] != SEPARATOR:
                out.append(SEPARATOR)
        else:
            out.append(ch)
    return "".join(out)


def _valid_date(digits: str) -> bool:
    try:
        stdnum_cpr.get_birth_date(digits)
    except (StdnumError, ValueError):
        return False
    return True


def _cpr_like(groups: list[str]) -> bool:
    """Whether ten digits of these digit groups are grouped like a CPR number (see above)."""
    for i, group in enumerate(groups):
        if len(group) == 10 and _valid_date(group):
            return True
        date, j = "", i
        while j < len(groups) and len(date) < 6:
            date += groups[j]
            j += 1
        if len(date) != 6:
            continue
        serial, k = "", j
        while k < len(groups) and len(serial) < 4:
            serial += groups[k]
            k += 1
        whole_run = i == 0 and k == len(groups)
        if len(serial) == 4 and (k == j + 1 or whole_run) and _valid_date(date + serial):
            return True
    return False


_ASCII_DIGIT = re.compile(r"[0-9]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@functools.lru_cache(maxsize=4096)
def _plain_letter(ch: str) -> bool:
    """A letter that NFKC leaves alone (æ, ø, å, é…): never a digit, a separator or invisible."""
    return unicodedata.category(ch)[0] == "L" and unicodedata.normalize("NFKC", ch) == ch


def _too_few_digits(text: str) -> bool:
    """Fewer than the ten digits of a CPR number, and nothing NFKC could turn into a digit: the
    fast path of the import's 100,000 names and addresses (the full reading is per character)."""
    return (len(_ASCII_DIGIT.findall(text)) < 10
            and all(_plain_letter(ch) for ch in _NON_ASCII.findall(text)))


def contains_cpr(text: str | None) -> bool:
    """Whether ``text`` contains something that is, or is written like, a CPR number."""
    if not text or _too_few_digits(text):
        return False
    return any(_cpr_like(run.group().split(SEPARATOR)) for run in _RUN.finditer(normalise(text)))


#: What a masked CPR number reads as.
MASK = "[CPR-nummer fjernet]"


def _mask_runs(text: str) -> str:
    return _RUN.sub(lambda m: MASK if _cpr_like(m.group().split(SEPARATOR)) else m.group(), normalise(text))


def mask_cpr(text: str) -> str:
    """``text`` with every CPR number replaced by ``MASK``, for text NRS did not write (e-mail).

    Line by line, so the lines without a number keep their spelling and layout; a number spread
    over two lines masks the whole text in its normalised form.
    """
    lines = [_mask_runs(line) if contains_cpr(line) else line for line in text.split("\n")]
    masked = "\n".join(lines)
    return _mask_runs(masked) if contains_cpr(masked) else masked


__all__ = ["MASK", "contains_cpr", "mask_cpr", "normalise"]
