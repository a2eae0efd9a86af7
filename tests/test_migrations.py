"""The models and the migrations agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import nrs.models  # noqa: F401
from nrs.companies.search import include_name
from nrs.db import alembic_config, make_engine


def _diff(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(ctx, SQLModel.metadata)
    engine.dispose()
    return diff


def test_one_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_head_matches_models(database_url):
    # database_url is already upgraded to head by the template fixture.
    assert _diff(database_url) == []


def test_alembic_check_passes(database_url):
    command.check(alembic_config(database_url))


def test_downgrade_to_base_and_up_again(database_url):
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "base")
    engine = make_engine(database_url)
    with engine.connect() as conn:
        tables = set(engine.dialect.get_table_names(conn)) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
    command.upgrade(cfg, "head")
    assert _diff(database_url) == []
