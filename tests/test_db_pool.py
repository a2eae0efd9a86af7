"""The pool replaces a connection the server dropped while it sat idle, without pinging every checkout."""

from __future__ import annotations

import pytest

from nrs import db
from nrs.db import make_engine


def test_a_connection_dropped_while_idle_is_replaced_before_use(backend, database_url, monkeypatch):
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    engine = make_engine(database_url, pool_size=1)
    admin = make_engine(database_url)
    try:
        with engine.connect() as c:
            pid = c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with admin.connect() as a:  # a server restart or a firewall's idle timeout, in short
            a.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT 1").scalar_one() == 1
            assert c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != pid
    finally:
        engine.dispose()
        admin.dispose()


def test_the_server_compiles_no_jit(backend, database_url):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's setting")
    engine = make_engine(database_url)
    try:
        with engine.connect() as c:
            assert c.exec_driver_sql("SHOW jit").scalar_one() == "off"
    finally:
        engine.dispose()
