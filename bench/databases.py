"""Where a benchmark runs (a temporary SQLite file, then a throw-away PostgreSQL 15 server) and how it times."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa


def run_on_each(run: Callable[[str, str], None], only: str | None = None) -> None:
    """Call ``run(label, url)`` on a fresh SQLite database and a fresh PostgreSQL database."""
    if only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as d:
            run("SQLite", f"sqlite:///{Path(d) / 'bench.db'}")
    if only in (None, "postgresql"):
        from tests.pg import PostgresServer, find_bindir

        bindir = find_bindir()
        if bindir is None:
            print("PostgreSQL binaries not found; skipped")
            return
        server = PostgresServer(bindir).start()
        try:
            admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.exec_driver_sql("CREATE DATABASE bench")
            admin.dispose()
            run("PostgreSQL", server.url("bench"))
        finally:
            server.stop()


def median_ms(fn, runs: int = 5) -> float:
    """The median of ``runs`` timings of ``fn()``, in milliseconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)
