"""Concurrent writers on SQLite through gunicorn: a writer waits its turn, it is never refused.

The short version of ``bench/sqlite_writes.py`` (8 clients x 500 writes there): 4 gunicorn workers,
8 clients x 12 writes of four kinds (company contact, company edit, wrong login, job order). Before
every writing request took the write lock first, about a quarter of these answered 500
"database is locked". The writes stop after ``max_seconds`` on a slow machine; the counts are
then checked against the answers actually given, so the bound never makes the test pass or fail.
"""

from __future__ import annotations

import pytest

from bench.sqlite_writes import EXPECTED, run

pytestmark = pytest.mark.slow


def test_concurrent_writes_over_http_on_sqlite_all_succeed_with_exact_rows(tmp_path):
    result = run(workers=4, clients=8, writes=12, max_seconds=90, root=tmp_path)
    print(result.report())
    assert result.server_errors == 0, result.report()
    assert not result.problems, result.report()
    for kind, answers in result.statuses.items():
        assert set(answers) == {EXPECTED[kind]}, result.report()
    assert result.rows == result.expected_rows, result.report()
    assert sum(result.rows.values()) > 0
