"""How long building a campaign's target list takes over 1,000,000 companies.

Generates the companies with bulk inserts into a fresh, migrated SQLite file and a throw-away
PostgreSQL server (started like the tests do), then times, per database:

- the bare SQL query for the same rows (the sector-matching select of the eligible company ids),
- the first build (every target inserted),
- a refresh with nothing changed,
- a refresh after 1 % of the companies changed (shrunk, ceased or moved; some new ones).

    .venv/bin/python -m bench.campaign_build [--companies 1000000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

import nrs.models  # noqa: F401
from bench.databases import run_on_each
from nrs.campaigns import services
from nrs.campaigns.models import CampaignTarget
from nrs.companies.models import Company
from nrs.db import make_engine, session_scope, upgrade
from nrs.municipalities.models import JobCentre
from nrs.municipalities.services import load_reference_data
from nrs.refdata import industry_names
from nrs.sectors.models import FocusSector

NINE = (201, 210, 217, 219, 223, 240, 250, 260, 270)
OTHERS = (101, 147, 151, 153, 155, 157, 159, 161, 163, 165, 167, 169, 173, 175, 183, 185, 187, 190, 230)
BANDS = [(None, None), (1, 1), (2, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, 199), (200, 499),
         (1000, None)]
CHUNK = 20_000


def _defaults(now: datetime) -> dict:
    """Values for the columns this script does not set (other domains may add some)."""
    out = {}
    for col in Company.__table__.columns:
        if col.primary_key:
            continue
        d = col.default
        if d is None:
            out[col.name] = None
        elif d.is_scalar:
            out[col.name] = d.arg
        else:
            out[col.name] = now
    return out


def company_rows(n: int, centres: dict[int, int], seed: int = 1, first_cvr: int = 10_000_000):
    rng = random.Random(seed)
    codes = sorted(industry_names())
    # A fifth of the companies in construction or transport, the rest anywhere: a heavy list.
    focus = [c for c in codes if c[:2] in ("41", "42", "43", "49", "50", "51", "52", "53")]
    now = datetime(2016, 3, 1, tzinfo=UTC)
    base = _defaults(now)
    for i in range(n):
        muni = rng.choice(NINE) if rng.random() < 0.6 else rng.choice(OTHERS)
        low, high = rng.choice(BANDS)
        name = f"Virksomhed {i} ApS"
        row = dict(base)
        row.update(
            cvr=f"{first_cvr + i}", name=name, name_search=name.lower(), address=f"Stationsvej {i % 200}",
            postal_code="3400", city="Hillerød", municipality_code=muni, industry_code=rng.choice(focus if rng.random() < 0.2 else codes),
            employees_min=low, employees_max=high, active=rng.random() < 0.9,
            advertising_protected=rng.random() < 0.15, phone=f"+45 4{i % 10_000_000:07d}", email="",
            source="demo", lead_centre_id=centres.get(muni),
        )
        yield row


def load(url: str, n: int) -> float:
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_reference_data(s)
        s.add(FocusSector(year=2016, name="Bygge og anlæg", codes="41,42,43"))
        s.add(FocusSector(year=2016, name="Transport", codes="49,50,51,52,53"))
    with Session(engine) as s:
        centres = {c.municipality_code: c.id for c in s.exec(select(JobCentre))}
    t0 = time.perf_counter()
    table = Company.__table__
    if engine.dialect.name == "postgresql":
        cols = [c.name for c in table.columns if not c.primary_key]
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f"COPY companies ({', '.join(cols)}) FROM STDIN") as copy:
                for row in company_rows(n, centres):
                    copy.write_row([row[c] for c in cols])
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE companies")
    else:
        with engine.begin() as c:
            batch = []
            for row in company_rows(n, centres):
                batch.append(row)
                if len(batch) == CHUNK:
                    c.execute(table.insert(), batch)
                    batch = []
            if batch:
                c.execute(table.insert(), batch)
        with engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - t0


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def change_one_percent(engine, n: int, centres: dict[int, int]) -> None:
    """What a nightly import does: some companies shrink, cease or move; some new ones appear."""
    rng = random.Random(2)
    ids = rng.sample(range(1, n + 1), n // 100)
    third = len(ids) // 3
    with engine.begin() as c:
        t = Company.__table__
        c.execute(t.update().where(t.c.id.in_(ids[:third])).values(employees_min=2, employees_max=4))
        c.execute(t.update().where(t.c.id.in_(ids[third:2 * third])).values(active=False))
        c.execute(t.update().where(t.c.id.in_(ids[2 * third:])).values(municipality_code=230,
                                                                        lead_centre_id=None))
        c.execute(t.insert(), list(company_rows(n // 100, centres, seed=3, first_cvr=30_000_000)))


def run(name: str, url: str, n: int) -> None:
    load_s = load(url, n)
    engine = make_engine(url)
    now = datetime(2016, 3, 1, 8, tzinfo=UTC)
    with session_scope(engine) as s:
        campaign = services.create_campaign(s, by=None, name="Forår 2016", year=2016)
    with Session(engine) as s:
        campaign = s.get(type(campaign), campaign.id)
        crit = services.criteria(s, campaign, on=now.date())
        bare_s, ids = timed(lambda: s.execute(crit.eligible_ids()).scalars().all())

    def build():
        with session_scope(engine) as s:
            c = s.get(type(campaign), campaign.id)
            return services.build_campaign(s, c, now=now)

    first_s, first = timed(build)
    again_s, again = timed(build)
    with Session(engine) as s:
        centres = {c.municipality_code: c.id for c in s.exec(select(JobCentre))}
    change_one_percent(engine, n, centres)
    changed_s, changed = timed(build)
    with engine.connect() as c:
        total = c.execute(sa.select(sa.func.count()).select_from(CampaignTarget)).scalar_one()
    engine.dispose()
    print(f"\n{name}: {n:,} companies loaded in {load_s:.1f} s")
    print(f"  bare SQL query (eligible ids)   {bare_s:6.2f} s  {len(ids):,} rows")
    print(f"  first build                     {first_s:6.2f} s  +{first.added:,} targets, "
          f"{first.excluded_protected:,} advertising-protected left out")
    print(f"  refresh, nothing changed        {again_s:6.2f} s  +{again.added} -{again.removed}")
    print(f"  refresh after 1 % changed       {changed_s:6.2f} s  +{changed.added:,} -{changed.removed:,} "
          f"({total:,} target rows kept)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", type=int, default=1_000_000)
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    run_on_each(lambda label, url: run(label, url, args.companies), args.only)


if __name__ == "__main__":
    main()
