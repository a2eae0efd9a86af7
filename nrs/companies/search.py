"""The company name search, backed by an index on each database.

``name_search`` holds the folded name (``fields.fold``); a search is a substring match of the
folded query, ``name_search LIKE '%q%'``. A plain LIKE with a leading wildcard scans every row,
so migration 0011 adds an index that answers it without changing what it matches:

- PostgreSQL: a pg_trgm GIN index on ``name_search``; the query stays the plain LIKE and the
  planner uses the index (it rechecks every candidate, so the rows are exactly the LIKE's).
- SQLite: an FTS5 table with the trigram tokenizer over ``companies.name_search`` (external
  content, kept in step by triggers). Its LIKE is exact too, but it can only use the index for
  a term of at least 3 characters; shorter terms keep the plain LIKE.

Neither the FTS5 tables nor the GIN index can be described by the models, so Alembic's
comparison skips them (``include_name``; used by migrations/env.py and tests/test_migrations.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

#: The FTS5 table (SQLite) and the GIN index (PostgreSQL) of migration 0011.
FTS_TABLE = "companies_name_fts"
TRGM_INDEX = "ix_companies_name_trgm"
#: FTS5's trigram index cannot answer a shorter term.
MIN_INDEXED = 3


def include_name(name, type_, parent_names) -> bool:
    """Alembic: leave out what the models cannot describe (the FTS5 table and its shadow tables)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == TRGM_INDEX)


class NameContains(ColumnElement):
    """``companies.name_search`` contains ``folded`` (already folded: only a-z, 0-9 and spaces,
    so the pattern has no LIKE wildcards in it). Compiled per database, see the module docstring."""

    type = sa.Boolean()
    _is_implicitly_boolean = True  # a condition, not a column: no "= 1" on SQLite
    inherit_cache = False  # the SQL depends on the term's length, not only on the bound value

    def __init__(self, folded: str):
        self.folded = folded


def _plain(element: NameContains, compiler, **kw) -> str:
    from nrs.companies.models import Company

    return compiler.process(Company.name_search.like(f"%{element.folded}%"), **kw)


@compiles(NameContains)
def _default(element: NameContains, compiler, **kw) -> str:
    return _plain(element, compiler, **kw)


@compiles(NameContains, "sqlite")
def _sqlite(element: NameContains, compiler, **kw) -> str:
    if len(element.folded) < MIN_INDEXED:
        return _plain(element, compiler, **kw)
    from nrs.companies.models import Company

    fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column("name_search", sa.String))
    ids = sa.select(fts.c.rowid).where(fts.c.name_search.like(f"%{element.folded}%"))
    return compiler.process(Company.id.in_(ids.scalar_subquery()), **kw)
