"""The models and the migrations agree, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
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


def _enum_columns():
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Enum):
                yield table, column


def test_every_enum_column_admits_exactly_the_enums_values(database_url):
    """The model's CHECK is generated from the enum; the migrated database has the same one."""
    engine = make_engine(database_url)
    inspector = sa.inspect(engine)
    seen = 0
    for table, column in _enum_columns():
        name = f"ck_{table.name}_{column.name}_values"
        values = {m.value for m in column.type.enum_class}
        in_model = {c.name: c for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        assert name in in_model, f"{table.name}.{column.name} has no enum_check in its model"
        in_db = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
        assert name in in_db, f"the database has no {name}"
        assert set(re.findall(r"'([^']*)'", in_db[name])) == values, (name, in_db[name])
        seen += 1
    engine.dispose()
    assert seen >= 16  # every enum column of the schema at the time of writing


def test_the_database_refuses_a_value_outside_the_enum(database_url, make_user):
    user = make_user(role="staff", centre=201)
    engine = make_engine(database_url)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET role = 'superuser' WHERE id = :id"), {"id": user.id})
    engine.dispose()


COMPANIES = "cvr;name;municipality_code;industry_code;employees;status\n"


def test_companies_and_their_search_survive_the_enum_checks_migration(
    app, database_url, import_companies, client, login_as, tmp_path
):
    before = tmp_path / "before.csv"
    before.write_text(COMPANIES + "43872621;Nordsjællands Taxa A/S;219;493200;ANTAL_20_49;NORMAL\n"
                                  "94959314;Tømrerfirmaet Esrum I/S;210;433200;ANTAL_10_19;NORMAL\n",
                      encoding="utf-8")
    import_companies(before)
    app.extensions["nrs_engine"].dispose()
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0012")
    command.upgrade(cfg, "head")
    after = tmp_path / "after.csv"
    after.write_text(COMPANIES + "37743488;Frederikssund Nybyg I/S;250;412000;ANTAL_5_9;NORMAL\n",
                     encoding="utf-8")
    import_companies(after)  # the search triggers are back: a new name is found too

    login_as("coordinator", centre=219)
    for term, name in [("taxa", "Nordsjællands Taxa A/S"), ("esrum", "Tømrerfirmaet Esrum I/S"),
                       ("nybyg", "Frederikssund Nybyg I/S")]:
        page = client.get(f"/virksomheder/?q={term}").get_data(as_text=True)
        assert name in page, term


def test_companies_survive_the_danish_order_migration(app, database_url, make_company, client, login_as):
    """0026 adds the indexes in Danish name order to a table with companies in it: they are all
    still there, listed Æ Ø Å after Z, and found with a typo."""
    for name in ("Åby Bageri", "Øster Kro", "Æble Frugt", "Zealand Shipping", "Aabenraa Vognmand"):
        make_company(name=name)
    app.extensions["nrs_engine"].dispose()
    cfg = alembic_config(database_url)
    command.downgrade(cfg, "0025")
    command.upgrade(cfg, "head")

    login_as("staff")
    page = client.get("/virksomheder/?sort=name").get_data(as_text=True)
    order = [page.index(n) for n in ("Zealand Shipping", "Æble Frugt", "Øster Kro", "Aabenraa Vognmand", "Åby Bageri")]
    assert order == sorted(order)
    assert "Aabenraa Vognmand" in client.get("/virksomheder/?q=abenraa+vognmnd").get_data(as_text=True)
