"""pg_trgm's trigram similarity in Python, for SQLite (registered on every connection by nrs.db).

Both work on folded text (``nrs.companies.fields.fold``: a-z, 0-9 and single spaces), where
PostgreSQL's own ``similarity`` gives the same numbers: each word is padded with two spaces in
front and one behind, and two strings are as similar as their sets of three-letter pieces
overlap (shared / all). ``word_similarity`` is the best similarity of a term to one word of the
text, the SQLite counterpart of PostgreSQL's ``strict_word_similarity`` (``<<%``).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65_536)
def trigrams(text: str) -> frozenset[str]:
    out = set()
    for word in text.split():
        padded = f"  {word} "
        out.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(out)


def similarity(a: str | None, b: str | None) -> float:
    ta, tb = trigrams(a or ""), trigrams(b or "")
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


#: The longest run of words a term is compared with ("nordbyg" with "nord byg").
RUN = 3


@lru_cache(maxsize=16_384)  # a search asks for the same rows twice: the count, then the page
def word_similarity(term: str | None, text: str | None) -> float:
    """How well ``term`` matches its closest run of whole words of ``text`` (1.0: it is one of
    the words), as PostgreSQL's ``strict_word_similarity`` does for runs of up to ``RUN`` words."""
    wanted = trigrams(term or "")
    words = [trigrams(w) for w in (text or "").split()]  # a run's trigrams are its words' together
    best = 0.0
    for i in range(len(words)):
        run: set[str] = set()
        for piece in words[i:i + RUN]:
            run |= piece
            shared = len(wanted & run)
            best = max(best, shared / (len(wanted) + len(run) - shared))
    return best


def register_sqlite(dbapi_conn) -> None:
    dbapi_conn.create_function("nrs_similarity", 2, similarity, deterministic=True)
    dbapi_conn.create_function("nrs_word_similarity", 2, word_similarity, deterministic=True)
