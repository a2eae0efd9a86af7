"""Alembic environment: targets SQLModel.metadata with every domain's models imported."""

import warnings

from alembic import context
from sqlalchemy import event
from sqlmodel import SQLModel

import nrs.models  # noqa: F401 - registers every table
from nrs.companies.search import include_name
from nrs.config import Settings, normalise_database_url
from nrs.db import make_engine

# SQLite's indexes on nrs_danish(name) (0026) cannot be reflected; include_name leaves them out.
warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index ix_companies_")

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return normalise_database_url(url) if url else Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True, include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(_url())
    if engine.dialect.name == "sqlite":
        # A migration that rebuilds a table other tables refer to (SQLite's only way to add a
        # constraint) must drop the old table: foreign keys off, checked once at the end instead.
        event.listen(engine, "connect", _foreign_keys_off)
    with engine.connect() as connection:
        _run(connection)
        if engine.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migrations left rows whose foreign key points nowhere: {broken[:5]}")
    engine.dispose()


def _foreign_keys_off(dbapi_conn, _record) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys=OFF")


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # Search indexes on one database only (migration 0011), which the models cannot describe.
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
