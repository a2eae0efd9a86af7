"""Danish collation for name sorts, and the company name indexes in that order

PostgreSQL: the ICU collation ``danish`` (da-DK: Æ Ø Å after Z, "Aa" as "Å") and pg_trgm (already
created by 0011 for the search index; the forgiving search needs its similarity functions).
SQLite: the collation of the same name and the function ``nrs_danish`` (its key as a string) are
registered on every connection (nrs.collation via nrs.db.make_engine); the indexes are on the
function, so every connection that writes companies needs it (any through nrs.db has it).

The company list sorts by ``danish(name)`` (alone, within a lead centre, within a municipality):
these indexes give that order, 50 rows at a time, at a million companies. The models cannot
describe an index on an expression, so Alembic's comparison skips them
(``nrs.companies.search.include_name``).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02
"""

from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

#: name → columns; {name} is the name in Danish order (nrs.collation.danish).
INDEXES = {
    "ix_companies_name_danish": "{name}, id",
    "ix_companies_lead_name_danish": "lead_centre_id, {name}, id",
    "ix_companies_municipality_name_danish": "municipality_code, {name}, id",
}


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE COLLATION IF NOT EXISTS danish (provider = icu, locale = 'da-DK')")
    name = "name COLLATE danish" if postgresql else "nrs_danish(name)"
    for index, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {index} ON companies ({columns.format(name=name)})")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays (0011's index uses it); the collation goes with what used it.
        op.execute("DROP COLLATION IF EXISTS danish")
