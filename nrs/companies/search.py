"""The company name search, backed by an index on each database.

``name_search`` holds the folded name (``fields.fold``). A search is split into words, and a
company matches exactly when every word is a substring of its folded name, in any order
(``bageri allerød`` finds "Allerød Bageri"). It matches *nearly* when every word of four letters
or more is at least ``WORD_SIMILARITY`` like one word of the name by trigrams (one or two typos:
``alerød bagery``), the shorter words still exact. Near matches are looked for only when the exact
ones do not fill a page (``NEAR_BELOW``); up to ``RANK_LIMIT`` matches are ranked: the name equal to the query, starting with it,
containing it, containing every word, a near match; within each by trigram similarity to the
query, then by name. A word in thousands of names ("aps") is listed in name order, as before.

- PostgreSQL: pg_trgm's ``strict_word_similarity`` (``name_search %>> 'word'``, answered by the
  GIN index) and ``similarity`` for the rank.
- SQLite: the FTS5 trigram table finds candidates sharing trigrams with every word (best
  ``CANDIDATES`` by FTS5's rank); ``nrs.trigrams`` (registered on every connection, the same
  numbers as pg_trgm) checks and ranks them.

Each exact word is ``name_search LIKE '%word%'``. A plain LIKE with a leading wildcard scans every row,
so migration 0011 adds an index that finds the matches without changing what matches:

- PostgreSQL: a pg_trgm GIN index on ``name_search``; it answers the plain LIKE (and rechecks
  every candidate, so the rows are exactly the LIKE's).
- SQLite: an FTS5 table with the trigram tokenizer over ``companies.name_search`` (external
  content, kept in step by triggers). A phrase of trigrams matches exactly where the term is a
  substring; it needs a term of at least 3 characters, so shorter terms keep the plain LIKE.

Which plan is fast depends on how many companies the term matches, which only the index knows:
a rare term ("nordbyg hiller") is best found through the index and the few matches sorted; a
term in most names ("aps") is best found by walking the name index in list order until the page
is full. ``few_matches`` asks the index, stopping at ``FEW``; ``NameContains(few=...)`` then
compiles to the plan for that case. Either way the rows and their order are the plain LIKE's.

Neither the FTS5 tables nor the GIN index can be described by the models, so Alembic's
comparison skips them (``include_name``; used by migrations/env.py and tests/test_migrations.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from nrs.companies.models import Company
from nrs.db import capped_count

#: The FTS5 table (SQLite) and the GIN index (PostgreSQL) of migration 0011.
FTS_TABLE = "companies_name_fts"
TRGM_INDEX = "ix_companies_name_trgm"
#: The company indexes in Danish name order (migration 0026), on a collated expression.
DANISH_INDEXES = frozenset({"ix_companies_name_danish", "ix_companies_lead_name_danish",
                            "ix_companies_municipality_name_danish"})
#: FTS5's trigram index cannot answer a shorter term (pg_trgm neither, usefully).
MIN_INDEXED = 3
#: Words shorter than this must be typed right: one typo in "kro" is another word.
NEAR_MIN = 4
#: How like a word of the name a typed word must be to match nearly (pg_trgm's default for
#: ``<<%``): "bagery" is 0.56 like "bageri", "alerod" 0.67 like "allerod", "bager" 0.44 like "bygger".
WORD_SIMILARITY = 0.5
#: Up to this many exact matches, they are ranked (sorted by computed similarity); a term in
#: more names is listed in name order.
RANK_LIMIT = 2_000
#: Near matches are looked for when the exact ones do not fill a page: they would rank after
#: every exact one, and finding them costs more than ranking (bench/company_search.py).
NEAR_BELOW = 50
#: SQLite: how many near-match candidates (by FTS5's rank of shared trigrams) are checked.
CANDIDATES = 1_000

_fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column("name_search", sa.String))


def include_name(name, type_, parent_names) -> bool:
    """Alembic: leave out what the models cannot describe (the FTS5 table and its shadow tables,
    the trigram index, the indexes on a collated name)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and (name == TRGM_INDEX or name in DANISH_INDEXES))


def terms(folded: str) -> list[str]:
    """The words of a folded query, each once, in the order typed."""
    return list(dict.fromkeys(folded.split()))


def _phrase(words) -> str:
    # fold() leaves only a-z, 0-9 and spaces: nothing to escape inside an FTS5 string.
    return " AND ".join(f'"{w}"' for w in words)


def _near_phrase(words) -> str:
    """FTS5: names sharing at least one trigram with each word (the candidates of a near match)."""
    return " AND ".join("(" + " OR ".join(f'"{w[i:i + 3]}"' for i in range(len(w) - 2)) + ")" for w in words)


#: Up to how many matches finding them through the index and sorting them beats walking the
#: name index (1,000,000 companies; 'olstykke' matches 66,000 names that sort together late):
#: SQLite walks fast (320 ms) but sorts 66,000 FTS matches slowly (670 ms); PostgreSQL's walk
#: is the slow one (2,200 ms against 320 ms through the GIN index).
FEW = {"sqlite": 10_000, "postgresql": 100_000}


def _all_like(column, words):
    return sa.and_(sa.true(), *(column.like(f"%{w}%") for w in words))


def _indexed_ids(dialect: str, words):
    """The ids of the companies whose name contains every word of 3 characters or more, as each
    database's name index finds them: the FTS5 phrases on SQLite, the trigram LIKEs on PostgreSQL."""
    long = [w for w in words if len(w) >= MIN_INDEXED]
    if dialect == "sqlite":
        return sa.select(_fts.c.rowid).where(_fts.c.name_search.op("MATCH")(_phrase(long)))

    inner = sa.orm.aliased(Company)  # its own FROM: never correlated with the outer companies
    return sa.select(inner.id).where(_all_like(inner.name_search, long))


#: Up to this many exact matches, their ids are read once (``exact_match_ids``) and the search
#: takes them as they are: the index is not asked the same question twice (the count, then the
#: rows; 8 ms each for "nordbyg hiller" on SQLite at national scale).
IDS_READ = 2_000


def exact_match_ids(session, words) -> list[int] | None:
    """The ids of the companies whose names contain every word of 3 characters or more (the
    index's answer), or None when there are more than ``IDS_READ`` or no word the index can answer."""
    if not any(len(w) >= MIN_INDEXED for w in words):
        return None
    dialect = session.get_bind().dialect.name
    ids = list(session.execute(_indexed_ids(dialect, words).limit(IDS_READ + 1)).scalars())
    return ids if len(ids) <= IDS_READ else None


def exact_matches(session, words) -> int:
    """How many companies' names contain every word, asked of the index, which stops counting
    after ``FEW`` (the count is then ``FEW + 1``). Short words the index cannot answer count as many."""
    dialect = session.get_bind().dialect.name
    limit = FEW.get(dialect, 10_000)
    if not any(len(w) >= MIN_INDEXED for w in words):
        return limit + 1
    return capped_count(session, _indexed_ids(dialect, words), limit)


def few_matches(session, words) -> bool:
    """Whether few companies' names contain every word (``FEW``): see ``exact_matches``."""
    return exact_matches(session, words) <= FEW.get(session.get_bind().dialect.name, 10_000)


class NameContains(ColumnElement):
    """``companies.name_search`` contains every word of ``words`` (already folded). With ``few``
    (the words match few companies) the database is steered to find them through the index and
    sort them; without, it is free to walk the name index in list order. With ``near``, names
    that nearly match (a typo or two) are found too. See the module docstring."""

    type = sa.Boolean()
    _is_implicitly_boolean = True  # a condition, not a column: no "= 1" on SQLite
    inherit_cache = False  # the SQL depends on the words, ``few`` and ``near``, not only on bound values

    def __init__(self, words, *, few: bool = True, near: bool = False, ids: list[int] | None = None):
        self.words = terms(" ".join(words) if not isinstance(words, str) else words)
        self.few = few or ids is not None
        self.near = near and any(len(w) >= NEAR_MIN for w in self.words)
        #: The index's answer for the words of 3 characters or more, read already (``exact_match_ids``).
        self.ids = ids


def _short(element) -> list[str]:
    return [w for w in element.words if len(w) < NEAR_MIN]


def _long(element) -> list[str]:
    return [w for w in element.words if len(w) >= NEAR_MIN]


def _by_index(element: NameContains, found):
    """The exact matches: ``found`` (the index's ids for the words of 3 characters or more, a
    subquery) or the ids read already (``element.ids``), and the shorter words by LIKE."""
    if element.ids is not None:
        found = sa.bindparam("exact_ids", element.ids, expanding=True, literal_execute=True)
    return sa.and_(Company.id.in_(found), _all_like(Company.name_search, [w for w in element.words
                                                                         if len(w) < MIN_INDEXED]))


def _plain(element: NameContains, compiler, **kw) -> str:
    return _grouped(_all_like(Company.name_search, element.words), compiler, **kw)


def _grouped(cond, compiler, **kw) -> str:
    """The condition in parentheses: it is ANDed with the list's other filters as plain text."""
    return f"({compiler.process(cond, **kw)})"


@compiles(NameContains)
def _default(element: NameContains, compiler, **kw) -> str:
    return _plain(element, compiler, **kw)


@compiles(NameContains, "postgresql")
def _postgresql(element: NameContains, compiler, **kw) -> str:
    if not element.few or not any(len(w) >= MIN_INDEXED for w in element.words):
        return _plain(element, compiler, **kw)

    # The matching ids as one array (an InitPlan, from the GIN index), then the rows by primary
    # key: the planner cannot mistake this for "walk the name index until 50 match".
    inner = sa.orm.aliased(Company)
    near = (sa.and_(*(inner.name_search.op("%>>")(w) for w in _long(element)),
                    _all_like(inner.name_search, _short(element))) if element.near else None)
    if element.ids is not None:
        cond = _by_index(element, None)
        if near is not None:
            nearly = sa.select(inner.id).where(near).scalar_subquery()
            cond = sa.or_(cond, Company.id == sa.func.any(sa.func.array(nearly)))
        return _grouped(cond, compiler, **kw)
    cond = _all_like(inner.name_search, element.words)
    if near is not None:
        cond = sa.or_(cond, near)
    ids = sa.select(inner.id).where(cond)
    return _grouped(Company.id == sa.func.any(sa.func.array(ids.scalar_subquery())), compiler, **kw)


@compiles(NameContains, "sqlite")
def _sqlite(element: NameContains, compiler, **kw) -> str:
    if not element.few or not any(len(w) >= MIN_INDEXED for w in element.words):
        return _plain(element, compiler, **kw)

    cond = _by_index(element, _indexed_ids("sqlite", element.words).scalar_subquery())
    if element.near:
        candidates = (sa.select(_fts.c.rowid).where(_fts.c.name_search.op("MATCH")(_near_phrase(_long(element))))
                      .order_by(sa.text("rank")).limit(CANDIDATES))
        near = sa.and_(Company.id.in_(candidates.scalar_subquery()),
                       *(sa.func.nrs_word_similarity(w, Company.name_search) >= WORD_SIMILARITY
                         for w in _long(element)),
                       _all_like(Company.name_search, _short(element)))
        cond = sa.or_(cond, near)
    return _grouped(cond, compiler, **kw)


def ranking(folded: str) -> list:
    """ORDER BY for a ranked search (see the module docstring): closest first, then by name."""
    words = terms(folded)
    phrase = " ".join(words)
    col = Company.name_search
    tier = sa.case((col == phrase, 0), (col.like(f"{phrase}%"), 1), (col.like(f"%{phrase}%"), 2),
                   (_all_like(col, words), 3), else_=4)
    return [tier, _Similarity(col, phrase).desc(), col, Company.id]


class _Similarity(sa.sql.functions.GenericFunction):
    """pg_trgm's ``similarity`` on PostgreSQL, ``nrs.trigrams.similarity`` on SQLite."""

    type = sa.Float()
    name = "nrs_similarity"
    inherit_cache = True


@compiles(_Similarity, "postgresql")
def _similarity_pg(element, compiler, **kw) -> str:
    return f"similarity({compiler.process(element.clauses, **kw)})"
