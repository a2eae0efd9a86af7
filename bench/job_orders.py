"""How long the job-order figures and lists take over many orders.

Generates a data set with ``bench.generate`` into a fresh SQLite file and a throw-away PostgreSQL
server, then prints the median of five runs of: ``status_figures`` (what ``nrs reports status``
and the front page use) beside the bare window query giving the same counts, the first and a deep
page of the job-order list, the help-wanted list, and the idle-order help-request job.

    .venv/bin/python -m bench.job_orders [--orders 200000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from bench.databases import median_ms, run_on_each
from bench.generate import Counts, generate
from bench.run import STATUS_SQL
from nrs.config import Settings
from nrs.db import make_engine
from nrs.joborders import queries
from nrs.joborders.jobs import request_help_for_idle_orders
from nrs.reports.queries import figures_with_statistics, status_figures


def run(label: str, url: str, orders: int) -> None:
    generate(url, Counts(companies=max(5_000, orders // 4), orders=orders, users=300, campaigns=0, agreements=50),
             log=lambda *_: None)
    engine = make_engine(url)
    settings = Settings(instance_path=Path("instance"), database_url=url, secret_key="bench",
                        help_request_working_days=5)
    day = date.today()
    with Session(engine) as s:
        total = s.execute(sa.text("SELECT count(*) FROM job_orders")).scalar_one()
        events = s.execute(sa.text("SELECT count(*) FROM job_order_events")).scalar_one()
        centre = s.execute(sa.text("SELECT min(lead_centre_id) FROM job_orders")).scalar_one()

        def page(n, **kw):
            stmt = queries.order_list(s, queries.OrderFilter(**kw))
            return s.execute(stmt.limit(50).offset((n - 1) * 50)).all()

        figures = {
            "bare window query (floor)": lambda: s.execute(sa.text(STATUS_SQL), {"d": day}).all(),
            "status_figures": lambda: status_figures(s, as_of=day),
            "front page figures + stats": lambda: figures_with_statistics(s, as_of=day),
            "list, first page": lambda: page(1),
            "list, open, page 100": lambda: page(100, state="open"),
            "list, one centre, page 1": lambda: page(1, lead_centre_id=centre),
            "help wanted (one centre)": lambda: queries.help_wanted(s, centre),
        }
        print(f"{label}: {total:,} orders, {events:,} events")
        for name, fn in figures.items():
            print(f"  {name:30s} {median_ms(fn):9.1f} ms")
        t = time.perf_counter()
        asked = request_help_for_idle_orders(s, now=datetime.now(UTC), settings=settings)
        s.rollback()
        print(f"  {'idle-order help requests':30s} {(time.perf_counter() - t) * 1000:9.1f} ms ({asked:,} asked)")
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    run_on_each(lambda label, url: run(label, url, args.orders), args.only)


if __name__ == "__main__":
    main()
