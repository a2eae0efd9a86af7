"""The company name search, backed by an index on each database.

``name_search`` holds the folded name (``fields.fold``); a search is a substring match of the
folded query, ``name_search LIKE '%q%'``. A plain LIKE with a leading wildcard scans every row,
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
#: FTS5's trigram index cannot answer a shorter term (pg_trgm neither, usefully).
MIN_INDEXED = 3

_fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column("name_search", sa.String))


def include_name(name, type_, parent_names) -> bool:
    """Alembic: leave out what the models cannot describe (the FTS5 table and its shadow tables)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == TRGM_INDEX)


def _phrase(folded: str) -> str:
    # fold() leaves only a-z, 0-9 and spaces: nothing to escape inside an FTS5 string.
    return f'"{folded}"'


#: Up to how many matches finding them through the index and sorting them beats walking the
#: name index (1,000,000 companies; 'olstykke' matches 66,000 names that sort together late):
#: SQLite walks fast (320 ms) but sorts 66,000 FTS matches slowly (670 ms); PostgreSQL's walk
#: is the slow one (2,200 ms against 320 ms through the GIN index).
FEW = {"sqlite": 10_000, "postgresql": 100_000}


def _indexed_ids(dialect: str, folded: str):
    """The ids of the companies whose name contains ``folded`` (3 characters or more), as each
    database's name index finds them: the FTS5 phrase on SQLite, the trigram LIKE on PostgreSQL."""
    if dialect == "sqlite":
        return sa.select(_fts.c.rowid).where(_fts.c.name_search.op("MATCH")(_phrase(folded)))

    inner = sa.orm.aliased(Company)  # its own FROM: never correlated with the outer companies
    return sa.select(inner.id).where(inner.name_search.like(f"%{folded}%"))


def few_matches(session, folded: str) -> bool:
    """Whether few companies' names contain ``folded`` (``FEW``), asked of the index, which stops
    counting after the limit. Short terms the index cannot answer count as many."""
    if len(folded) < MIN_INDEXED:
        return False
    dialect = session.get_bind().dialect.name
    limit = FEW.get(dialect, 10_000)
    return capped_count(session, _indexed_ids(dialect, folded), limit) <= limit


class NameContains(ColumnElement):
    """``companies.name_search`` contains ``folded`` (already folded). With ``few`` (the term
    matches few companies) the database is steered to find them through the index and sort them;
    without, it is free to walk the name index in list order. See the module docstring."""

    type = sa.Boolean()
    _is_implicitly_boolean = True  # a condition, not a column: no "= 1" on SQLite
    inherit_cache = False  # the SQL depends on the term and ``few``, not only on bound values

    def __init__(self, folded: str, *, few: bool = True):
        self.folded = folded
        self.few = few


def _plain(element: NameContains, compiler, **kw) -> str:
    return compiler.process(Company.name_search.like(f"%{element.folded}%"), **kw)


@compiles(NameContains)
def _default(element: NameContains, compiler, **kw) -> str:
    return _plain(element, compiler, **kw)


@compiles(NameContains, "postgresql")
def _postgresql(element: NameContains, compiler, **kw) -> str:
    if not element.few or len(element.folded) < MIN_INDEXED:
        return _plain(element, compiler, **kw)

    # The matching ids as one array (an InitPlan, from the GIN index), then the rows by primary
    # key: the planner cannot mistake this for "walk the name index until 50 match".
    ids = _indexed_ids("postgresql", element.folded)
    return compiler.process(Company.id == sa.func.any(sa.func.array(ids.scalar_subquery())), **kw)


@compiles(NameContains, "sqlite")
def _sqlite(element: NameContains, compiler, **kw) -> str:
    if not element.few or len(element.folded) < MIN_INDEXED:
        return _plain(element, compiler, **kw)

    ids = _indexed_ids("sqlite", element.folded)
    return compiler.process(Company.id.in_(ids.scalar_subquery()), **kw)
