"""company search index: pg_trgm GIN on PostgreSQL, FTS5 trigram table on SQLite

The company search is ``name_search LIKE '%term%'`` (nrs/companies/search.py), a full scan
without these. Neither index can be expressed in the models, so Alembic's comparison skips them
(``nrs.companies.search.include_name``).

SQLite: the FTS5 table reads its text from ``companies`` (external content) and the triggers keep
it in step. A later migration that rebuilds ``companies`` in batch mode drops the triggers with
the old table: it must create them again (``SQLITE_TRIGGERS``) and rebuild the index.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "companies_name_fts_insert": """
        CREATE TRIGGER companies_name_fts_insert AFTER INSERT ON companies BEGIN
          INSERT INTO companies_name_fts (rowid, name_search) VALUES (new.id, new.name_search);
        END""",
    "companies_name_fts_delete": """
        CREATE TRIGGER companies_name_fts_delete AFTER DELETE ON companies BEGIN
          INSERT INTO companies_name_fts (companies_name_fts, rowid, name_search)
            VALUES ('delete', old.id, old.name_search);
        END""",
    "companies_name_fts_update": """
        CREATE TRIGGER companies_name_fts_update AFTER UPDATE OF id, name_search ON companies
        WHEN old.name_search IS NOT new.name_search OR old.id IS NOT new.id BEGIN
          INSERT INTO companies_name_fts (companies_name_fts, rowid, name_search)
            VALUES ('delete', old.id, old.name_search);
          INSERT INTO companies_name_fts (rowid, name_search) VALUES (new.id, new.name_search);
        END""",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_companies_name_trgm ON companies USING gin (name_search gin_trgm_ops)")
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE companies_name_fts USING fts5("
                   "name_search, content='companies', content_rowid='id', tokenize='trigram')")
        for sql in SQLITE_TRIGGERS.values():
            op.execute(sql)
        op.execute("INSERT INTO companies_name_fts (companies_name_fts) VALUES ('rebuild')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # The extension stays: dropping it could break anything else that came to use it.
        op.execute("DROP INDEX IF EXISTS ix_companies_name_trgm")
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS companies_name_fts")
