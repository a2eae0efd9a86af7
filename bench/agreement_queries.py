"""How long the agreement figures and lists take over many agreements.

Generates a data set with ``bench.generate`` (companies, few orders, many agreements) into a
fresh SQLite file and a throw-away PostgreSQL server, then prints the median of five runs of:
the active count (what ``nrs reports status`` uses), counts per centre and per sector, the
"ending within 60 days" list for one centre, and the first page of the overall list.

    .venv/bin/python -m bench.agreement_queries [--agreements 50000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from bench.databases import median_ms, run_on_each
from bench.generate import Counts, generate
from nrs.agreements import queries
from nrs.db import make_engine


def run(label: str, url: str, agreements: int) -> None:
    generate(url, Counts(companies=max(10_000, agreements * 2), orders=200, users=300, campaigns=0,
                         agreements=agreements), log=lambda *_: None)
    engine = make_engine(url)
    day = date.today()
    with Session(engine) as s:
        total = s.execute(sa.text("SELECT count(*) FROM agreements")).scalar_one()
        centre_id = s.execute(sa.text("SELECT min(coordinating_centre_id) FROM agreements")).scalar_one()
        figures = {
            "active_count": lambda: queries.active_count(s, on=day),
            "counts_by_centre": lambda: queries.counts_by_centre(s, on=day),
            "counts_by_sector": lambda: queries.counts_by_sector(s, on=day),
            "ending_soon (one centre)": lambda: queries.ending_soon(s, today=day, centre_id=centre_id),
            "list, first 50 + total": lambda: (
                s.execute(sa.select(sa.func.count()).select_from(queries.listing(day=day).order_by(None).subquery())).scalar_one(),
                s.exec(queries.listing(day=day).limit(50)).all()),
        }
        print(f"{label}: {total:,} agreements")
        for name, fn in figures.items():
            print(f"  {name:28s} {median_ms(fn):8.1f} ms")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agreements", type=int, default=50_000)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    run_on_each(lambda label, url: run(label, url, args.agreements), args.only)


if __name__ == "__main__":
    main()
