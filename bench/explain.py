"""The query plans of the pages the benchmark loads, on a generated database.

    .venv/bin/python -m bench.explain --database-url sqlite:////tmp/nrs-bench.db
    .venv/bin/python -m bench.explain --database-url postgresql://nrs@127.0.0.1:5544/nrs [--analyze]

Compiles the product's own list queries (not copies) with realistic arguments and prints
SQLite's ``EXPLAIN QUERY PLAN`` or PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)``: a ``SCAN`` of a
big table, or a ``Sort`` over all matching rows before a ``LIMIT``, is where an index is missing.
"""

from __future__ import annotations

import argparse
import sys
import time

import sqlalchemy as sa
from sqlmodel import Session

import nrs.models  # noqa: F401
from nrs.config import normalise_database_url
from nrs.db import make_engine
from nrs.keyset import keyset_select


def queries(session: Session) -> dict[str, sa.Select]:
    from nrs.campaigns import queries as campaign_queries
    from nrs.companies import queries as company_queries
    from nrs.joborders import queries as order_queries

    centre = session.execute(sa.text("SELECT id FROM job_centres WHERE municipality_code = 219")).scalar_one()
    company = session.execute(sa.text("SELECT company_id FROM job_orders LIMIT 1")).scalar_one()
    campaign = session.execute(sa.text("SELECT min(campaign_id) FROM campaign_targets")).scalar_one()
    sector = session.execute(sa.text("SELECT min(id) FROM focus_sectors")).scalar()
    out = {}
    # The list pages by key (nrs.keyset.keyset_select): page 1, and a page 90 % of the way down.
    for label, flt in {
        "centre+state": order_queries.OrderFilter(state="filled", lead_centre_id=centre),
        "state": order_queries.OrderFilter(state="filled"),
        "unfiltered": order_queries.OrderFilter(),
        "centre": order_queries.OrderFilter(lead_centre_id=centre),
        "sector": order_queries.OrderFilter(sector_id=sector),
        "state, oldest first": order_queries.OrderFilter(state="filled", sort="received"),
        "open, by deadline": order_queries.OrderFilter(state="open", sort="deadline"),
        "by company": order_queries.OrderFilter(sort="company"),
        "by state": order_queries.OrderFilter(sort="state"),
    }.items():
        keys = order_queries.sort_keys(flt)
        rows = order_queries.order_rows(session, flt)
        out[f"job orders, {label}: page 1"] = keyset_select(rows, keys)
        deep = _deep_values(session, rows, keys)
        if deep is not None:
            out[f"job orders, {label}: page 90 % down (keyset)"] = keyset_select(rows, keys, deep)
            out[f"job orders, {label}: back from there"] = keyset_select(rows, keys, deep, reverse=True)
    ids = order_queries.order_ids(session, order_queries.OrderFilter(state="filled"))
    out["job orders: capped count of state"] = sa.select(sa.func.count()).select_from(
        ids.limit(order_queries.COUNT_CAP + 1).subquery())
    out["job orders of a company (company page)"] = order_queries.order_list(
        session, order_queries.OrderFilter(company_id=company)).limit(50)
    crit = company_queries.Criteria(q="nordbyg hiller")
    out["company search 'nordbyg hiller', page 1"] = company_queries.search(crit).limit(50)
    # Forgiving search (typos, word order; planned as if the exact matches were few, near added)
    # and the list in Danish name order (nrs.collation.danish, migration 0026's indexes).
    for typed in ("alerød bagery", "bageri allerød"):
        out[f"company search '{typed}' (ranked, near matches), page 1"] = company_queries.search(
            company_queries.Criteria(q=typed)).limit(50)
    out["companies in Danish name order, page 1"] = company_queries.search(
        company_queries.Criteria(sort="name")).limit(50)
    out["companies: lead centre, sorted by name"] = company_queries.search(
        company_queries.Criteria(lead=str(centre))).limit(50)
    if campaign:
        out["campaign page targets"] = campaign_queries.targets(campaign).limit(50)
    return out


def _deep_values(session: Session, rows, keys):
    """The sort-key values of the row 90 % of the way down the list (found with OFFSET, once, here only)."""
    total = session.execute(sa.select(sa.func.count()).select_from(rows.subquery())).scalar_one()
    if total < 100:
        return None
    key_cols = [k.column for k in keys]
    found = session.execute(
        rows.with_only_columns(*key_cols).order_by(*(k.order() for k in keys)).offset(int(total * 0.9)).limit(1)
    ).one()
    return tuple(found)


def explain(engine, stmt, analyze: bool) -> tuple[str, float]:
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    sql = str(compiled)
    with engine.connect() as c:
        t0 = time.perf_counter()
        c.execute(sa.text(sql)).all()
        seconds = time.perf_counter() - t0
        if engine.dialect.name == "sqlite":
            rows = c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
            plan = "\n".join(f"{'  ' * (r[1] and 1)}{r[3]}" for r in rows)
        else:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
            plan = "\n".join(r[0] for r in c.exec_driver_sql(prefix + sql).all())
    return plan, seconds


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--database-url", required=True)
    p.add_argument("--analyze", action="store_true", help="PostgreSQL: EXPLAIN ANALYZE")
    args = p.parse_args(argv)
    engine = make_engine(normalise_database_url(args.database_url))
    with Session(engine) as s:
        stmts = queries(s)
    for name, stmt in stmts.items():
        plan, seconds = explain(engine, stmt, args.analyze)
        print(f"\n### {name}  ({seconds * 1000:.0f} ms)\n{plan}")
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
