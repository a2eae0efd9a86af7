"""Danish collation for name sorts, and the company name indexes in that order

PostgreSQL: the ICU collation ``danish`` (da-DK: Æ Ø Å after Z, "Aa" as "Å") and pg_trgm (already
created by 0011 for the search index; the forgiving search needs its similarity functions).
SQLite: the collation of the same name is registered on every connection (nrs.collation via
nrs.db.make_engine); an index in that order needs it on every connection that writes companies.

The company list sorts by ``name COLLATE danish`` (alone, within a lead centre, within a
municipality): these indexes give that order, 50 rows at a time, at a million companies. The
models cannot describe an index on a collated expression, so Alembic's comparison skips them
(``nrs.companies.search.include_name``).

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-02
"""

from alembic import op

revision = '0026'
down_revision = '0024'
branch_labels = None
depends_on = None

#: name → columns; "name" is in Danish order.
INDEXES = {
    "ix_companies_name_danish": "name COLLATE danish, id",
    "ix_companies_lead_name_danish": "lead_centre_id, name COLLATE danish, id",
    "ix_companies_municipality_name_danish": "municipality_code, name COLLATE danish, id",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE COLLATION IF NOT EXISTS danish (provider = icu, locale = 'da-DK')")
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON companies ({columns})")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays (0011's index uses it); the collation goes with what used it.
        op.execute("DROP COLLATION IF EXISTS danish")
