"""Import a generated company CSV with the product's importer, beside its floor; print rows per second.

    .venv/bin/python -m bench.company_import [ROWS] [--only sqlite|postgresql]
    .venv/bin/python -m bench.company_import 100000 --database-url postgresql://nrs@127.0.0.1:5432/empty

Without ``--database-url`` it runs on a fresh SQLite file and a throw-away PostgreSQL
(``bench.databases.run_on_each``); with it, the database must be empty (it is migrated first).
The floor is the same as ``bench/run``'s: plain ``executemany`` of the rows the import wrote, into
the emptied ``companies`` table of the same database. Goal: within 2x of the floor.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from nrs.companies.importer import run_import
from nrs.db import make_engine, session_scope, upgrade
from nrs.municipalities.services import load_reference_data
from nrs.refdata import read_csv

WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
MUNICIPALITIES = ("201", "0210", "217", "0219", "223", "240", "250", "260", "270", "190", "230")
BANDS = ("", "3", "5-9", "ANTAL_1_1", "ANTAL_2_4", "ANTAL_5_9", "ANTAL_10_19", "ANTAL_20_49",
         "ANTAL_50_99", "ANTAL_1000_999999")


def cvr_numbers(count: int, rng: random.Random) -> list[str]:
    out, seen = [], set()
    while len(out) < count:
        base = str(rng.randint(1000000, 9999999))
        check = (-sum(int(d) * w for d, w in zip(base, WEIGHTS, strict=False))) % 11
        if check < 10 and base not in seen:
            seen.add(base)
            out.append(base + str(check))
    return out


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    codes = [r["branchekode"] for r in read_csv("db07_6digit.csv")]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write("CVR-nummer;Navn;Adresse;Postnr;By;Kommunekode;Branchekode;Ansatte;Status;Telefon;Email;"
                 "Reklamebeskyttet\r\n")
        for i, cvr in enumerate(cvr_numbers(rows, rng)):
            fh.write(f"{cvr};Virksomhed {i} Ølstykke ApS;Stationsvej {i % 200};3650;Ølstykke;"
                     f"{rng.choice(MUNICIPALITIES)};{rng.choice(codes)};{rng.choice(BANDS)};"
                     f"{'NORMAL' if rng.random() < 0.9 else 'UNDER KONKURS'};4{rng.randint(0, 9999999):07d};"
                     f"{f'info{i}@example.dk' if i % 3 == 0 else ''};{'ja' if i % 10 == 0 else 'nej'}\r\n")


def floor(engine, rows: list[tuple], cols: list[str]) -> float:
    """Seconds for plain ``executemany`` of ``rows`` into the emptied companies table."""
    from nrs.companies.models import Company

    with engine.begin() as c:
        if engine.dialect.name == "sqlite":
            c.exec_driver_sql("DELETE FROM audit_events")
            c.exec_driver_sql("DELETE FROM companies")
        else:
            c.exec_driver_sql("TRUNCATE audit_events, companies CASCADE")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        sqlite = engine.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        sql = f"INSERT INTO companies ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"  # noqa: S608
        if sqlite:
            procs = [Company.__table__.c[n].type.bind_processor(engine.dialect) for n in cols]
            rows = [tuple(v if p is None or v is None else p(v) for p, v in zip(procs, r, strict=True))
                    for r in rows]
            cur.execute("BEGIN")
        started = time.perf_counter()
        cur.executemany(sql, rows)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def run(label: str, url: str, rows: int, data: bytes) -> None:
    from nrs.companies.models import Company

    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
    seconds = {}
    for step in ("first import", "same file again"):
        started = time.perf_counter()
        with session_scope(engine) as s:
            report = run_import(s, data, filename="companies.csv")
        seconds[step] = time.perf_counter() - started
        print(f"{label} {step}: {report.summary()}")
        print(f"{label} {step}: {rows:,} rows in {seconds[step]:.1f} s = {rows / seconds[step]:,.0f} rows/s",
              flush=True)
    cols = [c.name for c in Company.__table__.columns if c.name != "id"]
    with engine.connect() as c:
        written = [tuple(r) for r in c.execute(sa.select(*(Company.__table__.c[n] for n in cols)))]
    floor_secs = floor(engine, written, cols)
    ratio = seconds["first import"] / floor_secs
    print(f"{label} floor (plain executemany): {rows / floor_secs:,.0f} rows/s; "
          f"first import is {ratio:.2f}x the floor (goal <= 2x)", flush=True)
    engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("rows", nargs="?", type=int, default=100_000)
    p.add_argument("--database-url", help="an empty database (migrated here); default: fresh SQLite and PostgreSQL")
    p.add_argument("--only", choices=("sqlite", "postgresql"))
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "companies.csv"
        generate(csv_path, args.rows)
        data = csv_path.read_bytes()
        if args.database_url:
            from nrs.config import normalise_database_url

            run("given database", normalise_database_url(args.database_url), args.rows, data)
        else:
            from bench.databases import run_on_each

            run_on_each(lambda label, url: run(label, url, args.rows, data), args.only)


if __name__ == "__main__":
    main()
