"""Time the company list's queries on 1,000,000 companies; prints milliseconds per query.

Run: ``.venv/bin/python -m bench.company_search [--scale 0.1 | ROWS]`` (embedded SQLite in a
temporary directory; set NRS_BENCH_DATABASE_URL to an empty migrated PostgreSQL database, or
pass ``--postgresql`` to start a throw-away one from the machine's binaries, to time that).
Exact searches are checked against a plain LIKE (same rows, same order); forgiving ones (typos,
word order) print their first names.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from unittest import mock
from urllib.parse import parse_qsl

import sqlalchemy as sa
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from nrs.clock import utcnow
from nrs.companies import queries
from nrs.companies.fields import fold
from nrs.companies.models import Company
from nrs.companies.search import RANK_LIMIT, terms
from nrs.db import make_engine, session_scope, upgrade
from nrs.municipalities.models import JobCentre
from nrs.municipalities.services import load_reference_data
from nrs.refdata import read_csv

WORDS = ("Kronborg", "Esrum", "Arresø", "Kyst", "Nordsjællands", "Ølstykke", "Hillerød", "Hørsholm", "Gribskov",
         "Jensen", "Hansen", "Åbjerg", "Sørensen", "Bække", "Frederikssund", "Allerød")
TRADES = ("Byggeri", "Tømrer", "Murer", "Vognmand", "Transport", "Taxa", "Kro", "IT", "Maler", "VVS", "Logistik",
          "Bageri")
#: One in this many companies gets a name of its own (no number), as most real names are.
OWN_NAME = 50
MUNICIPALITIES = (201, 210, 217, 219, 223, 240, 250, 260, 270, 190, 230, 151, 101)

SEARCHES = {
    "first page, no filter": "",
    "name contains 'olstykke'": "q=olstykke",
    "common 3 letters 'aps'": "q=aps",
    "two letters 'ro'": "q=ro",
    "phrase 'esrum tomrer 1'": "q=esrum+tomrer+1",
    "rare name 'aabjerg tomrer'": "q=aabjerg+tomrer",
    "name + centre": "q=kronborg&lead={centre}",
    "centre's list": "lead={centre}",
    "without lead": "lead=none",
    "industry 41 + min 5 employees": "industry=41&min_employees=5",
    "municipality 217 by employees desc": "municipality=217&sort=employees&desc=1",
    "advertising-protected, ceased": "protected=yes&status=ceased",
    "exact CVR": "cvr={cvr}",
    "page 100 sorted by name": "page=100",
    "page 1 sorted by name desc": "sort=name&desc=1",
    # Forgiving (issue 18 item 4): names of their own, typed with typos and in another order.
    "exact own name 'allerod bageri'": "q=allerød+bageri",
    "one typo 'alerod bageri'": "q=alerød+bageri",
    "two typos 'alerod bagery'": "q=alerød+bagery",
    "word order 'bageri allerod'": "q=bageri+allerød",
    "typo in a common word 'hansn tomrer'": "q=hansn+tømrer",
    "typo, no match 'zxqvw kjyp'": "q=zxqvw+kjyp",
}


def fill(engine, rows: int) -> None:
    rng = random.Random(3)
    codes = [r["branchekode"] for r in read_csv("db07_6digit.csv")]
    with session_scope(engine) as s:
        centres = dict(s.execute(sa.select(JobCentre.municipality_code, JobCentre.id)).all())
    batch = []
    for i in range(rows):
        name = (f"{rng.choice(WORDS)} {rng.choice(TRADES)}" if i % OWN_NAME == 0
                else f"{rng.choice(WORDS)} {rng.choice(TRADES)} {i} ApS")
        municipality = rng.choice(MUNICIPALITIES)
        low = rng.choice((None, 0, 1, 2, 5, 10, 20, 50, 100))
        batch.append({"cvr": f"{10000000 + i}", "name": name, "name_search": fold(name),
                      "municipality_code": municipality, "industry_code": rng.choice(codes),
                      "employees_min": low, "employees_max": low, "active": rng.random() > 0.1,
                      "advertising_protected": rng.random() < 0.15, "lead_centre_id": centres.get(municipality)})
        if len(batch) == 50_000 or i == rows - 1:
            with engine.begin() as conn:
                conn.execute(Company.__table__.insert(), [
                    {**b, "address": "", "postal_code": "", "city": "", "phone": "", "email": "", "source": "csv",
                     "lead_override": False, "lead_override_reason": "", "created_at": utcnow(),
                     "updated_at": utcnow(), "version": 1} for b in batch])
            batch = []


def _plain_like(words, **_how):
    return sa.and_(*(Company.name_search.like(f"%{w}%") for w in words))


def _ranked(session, q: str) -> bool:
    """Whether the search is ranked with near matches (else the plain LIKE finds the same page)."""
    return queries.exact_matches(session, terms(fold(q))) <= RANK_LIMIT


def _timed_page(session, criteria, args):
    """The fastest of three runs of the list page's queries, in ms, and the page."""
    timings = []
    for _ in range(3):
        t = time.perf_counter()
        page = queries.page_of(session, queries.search(criteria, session), page=args.get("page", 1, type=int))
        timings.append(time.perf_counter() - t)
    return min(timings) * 1000, page


def _rows(argv) -> tuple[int, bool]:
    p = argparse.ArgumentParser()
    p.add_argument("rows", nargs="?", type=int, help="companies (default: --scale x 1,000,000)")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--postgresql", action="store_true", help="a throw-away PostgreSQL server (tests/pg.py)")
    args = p.parse_args(argv)
    return args.rows or int(args.scale * 1_000_000), args.postgresql


def main() -> None:
    rows, postgresql = _rows(sys.argv[1:])
    server = None
    if postgresql:
        from tests.pg import PostgresServer, find_bindir

        server = PostgresServer(find_bindir()).start()
        os.environ["NRS_BENCH_DATABASE_URL"] = server.url()
    try:
        _run(rows)
    finally:
        if server is not None:
            server.stop()


def _run(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("NRS_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/search.db"
        upgrade(url)
        engine = make_engine(url)
        with session_scope(engine) as s:
            load_reference_data(s)
        started = time.perf_counter()
        fill(engine, rows)
        print(f"filled {rows:,} companies in {time.perf_counter() - started:.0f} s")
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        with Session(engine) as s:
            centre = s.execute(sa.select(JobCentre.id).where(JobCentre.municipality_code == 217)).scalar_one()
            for label, query in SEARCHES.items():
                args = MultiDict(parse_qsl(query.format(centre=centre, cvr=10000000 + rows // 2)))
                criteria = queries.Criteria.from_args(args)
                ms, page = _timed_page(s, criteria, args)
                counted = f"{page.counted:,}{'+' if page.more_than_cap else ''}"
                line = f"{label:40s} {ms:8.0f} ms  ({counted} matches, {len(page.items)} shown)"
                if criteria.q and _ranked(s, criteria.q):
                    line += "; ranked, first: " + ", ".join(c.name for c in page.items[:3])
                elif criteria.q:
                    # The same search without the name index (a plain LIKE): the time it saves,
                    # and proof that it finds the same rows in the same order.
                    with mock.patch.object(queries, "NameContains", _plain_like):
                        plain_ms, plain = _timed_page(s, criteria, args)
                    same = ([c.id for c in plain.items], plain.counted) == ([c.id for c in page.items], page.counted)
                    line += f"; plain LIKE {plain_ms:.0f} ms, {'same rows' if same else 'DIFFERENT ROWS'}"
                print(line, flush=True)
        engine.dispose()


if __name__ == "__main__":
    main()
